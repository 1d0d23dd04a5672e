// State machine, part 2: what BACKUP and MASTER do with a valid advert (keepalived-behaviour.md §10.4, §10.5):
// priority 0, higher/lower/equal priority, the primary-address tie-break, preempt / nopreempt / preempt_delay,
// the learned v3 Master_Adver_Interval. The router under test is 192.0.2.1 at priority 100 unless stated; the
// peer is 192.0.2.2. Master_Down_Interval at priority 100 (v2, 1 s) = 3 609 375 µs, Skew_Time = 609 375 µs.
import * as abi from '../../assembly/abi';
import {
  adjust, adv, becomeMaster, expectAnnounce, expectIdle, expectNewMaster, expectNothing, expectRxLower, expectState,
  expectTx, expectVipAdd, expectVipDel, feed, info, reset, router, skip, stat, stateOf, tx,
} from './helpers';

const MD100: f64 = 3609375;
const SKEW100: f64 = 609375;

describe('BACKUP on a valid advert (§10.4)', () => {
  beforeEach(() => { reset(); router().up(0); skip(); });

  it('a higher priority master: followed, reported once, and every advert restarts Master_Down_Timer', () => {
    expect(feed(1000000, adv().prio(120))).toBe(abi.RX_OK);
    expectNewMaster(120, '192.0.2.2');
    expect(feed(2000000, adv().prio(120))).toBe(abi.RX_OK);
    expect(feed(3000000, adv().prio(120))).toBe(abi.RX_OK);
    expectIdle(); // same master: no second report
    expect(info().masterDownAt).toBe(3000000 + MD100);
    expect(info().masterPrio).toBe(120);
    expectNothing(3000000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 3000000 + MD100);
  });

  it('a different master address is reported again', () => {
    feed(1000000, adv().prio(120));
    expectNewMaster(120, '192.0.2.2');
    feed(2000000, adv().prio(130).from('192.0.2.3'));
    expectNewMaster(130, '192.0.2.3');
  });

  it('an equal priority is accepted without any address comparison', () => {
    expect(feed(1000000, adv().prio(100).from('192.0.2.0'))).toBe(abi.RX_OK);
    expectNewMaster(100, '192.0.2.0');
    expect(info().masterDownAt).toBe(1000000 + MD100);
  });

  it('priority 0: take over after Skew_Time (no preempt check), reported as such', () => {
    feed(1000000, adv().prio(120));
    skip();
    expect(feed(2000000, adv().prio(0))).toBe(abi.RX_OK);
    expectIdle();
    expect(info().masterDownAt).toBe(2000000 + SKEW100);
    expectNothing(2000000 + SKEW100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_PRIORITY_ZERO, 2000000 + SKEW100);
    expectTx(2000000 + SKEW100, tx().prio(100));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER);
  });

  it('priority 0 then a fresh advert: back to following, and the takeover is a plain master-down', () => {
    feed(1000000, adv().prio(120));
    feed(1100000, adv().prio(0));
    feed(1200000, adv().prio(120));
    skip();
    expect(info().masterDownAt).toBe(1200000 + MD100);
    expectNothing(1200000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 1200000 + MD100);
  });

  it('a lower priority with preempt: discarded, the timer runs on, we preempt ~master_down after the last accepted', () => {
    feed(1000000, adv().prio(120));
    skip();
    for (let k = 2; k <= 4; k++) {
      expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK);
      expectIdle();
    }
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(3);
    expectNothing(1000000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 1000000 + MD100);
  });
});

describe('nopreempt and preempt_delay', () => {
  beforeEach(() => { reset(); });

  it('nopreempt: a lower-priority master is followed for as long as it advertises', () => {
    router().nopreempt().up(0);
    skip();
    for (let k = 1; k <= 20; k++) expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK);
    expectNewMaster(50, '192.0.2.2');
    expectIdle();
    expect(info().masterDownAt).toBe(20000000 + MD100);
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(0);
  });

  it('preempt_delay from startup: lower adverts are accepted until it expires, then discarded', () => {
    router().preemptDelay(5000000).up(0);
    skip();
    for (let k = 1; k <= 4; k++) expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(info().masterDownAt).toBe(4000000 + MD100);
    skip();
    expect(feed(5000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(feed(6000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(feed(7000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(3);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 4000000 + MD100);
  });

  it('preempt_delay restarts at the first lower advert after a higher one stopped it', () => {
    router().preemptDelay(5000000).up(0);
    skip();
    feed(10000000, adv().prio(120)); // >= ours: the delay timer stops
    for (let k = 11; k <= 15; k++) expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK); // 11 s starts it
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(0);
    expect(feed(16000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(1);
    skip();
    expectNothing(15000000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 15000000 + MD100);
  });
});

describe('MASTER on a valid advert (§10.5)', () => {
  beforeEach(() => { reset(); });

  it('a lower priority: an advert at once, a GARP burst, rx-lower, and the advert period restarts', () => {
    router().up(0);
    const tm = becomeMaster();
    expect(feed(tm + 300000, adv().prio(50))).toBe(abi.RX_OK);
    expectTx(tm + 300000, tx().prio(100));
    expectAnnounce(5, abi.ANNOUNCE_LOWER_PRIO, tm + 300000);
    expectRxLower(50, '192.0.2.2');
    expectIdle();
    expect(stateOf()).toBe(abi.STATE_MASTER);
    expectNothing(tm + 1300000 - 1);
    expectTx(tm + 1300000); // not tm + 1 s
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(1);
  });

  it('... and the second lower-priority burst after garp_lower_prio_delay', () => {
    router().garpLower(3, 2500000).interval(10000000).up(0);
    const tm = becomeMaster();
    feed(tm + 100000, adv().prio(50).interval(10));
    expectTx(tm + 100000);
    expectAnnounce(3, abi.ANNOUNCE_LOWER_PRIO, tm + 100000);
    skip();
    expectNothing(tm + 2600000 - 1);
    expectAnnounce(3, abi.ANNOUNCE_LOWER_PRIO, tm + 2600000);
  });

  it('lower_prio_no_advert: GARPs and rx-lower, but no advert and no change to the period', () => {
    router().flag(abi.F_LOWER_PRIO_NO_ADVERT).up(0);
    const tm = becomeMaster();
    feed(tm + 300000, adv().prio(50));
    expectAnnounce(5, abi.ANNOUNCE_LOWER_PRIO, tm + 300000);
    expectRxLower(50, '192.0.2.2');
    expectNothing(tm + 1000000 - 1);
    expectTx(tm + 1000000);
  });

  it('garp_lower_prio_repeat 0: only the advert and rx-lower', () => {
    router().garpLower(0, 5000000).up(0);
    const tm = becomeMaster();
    feed(tm + 300000, adv().prio(50));
    expectTx(tm + 300000);
    expectRxLower(50, '192.0.2.2');
    expectIdle();
  });

  it('a higher priority: VIPs removed, -> BACKUP, following the new master; no priority 0', () => {
    router().up(0);
    const tm = becomeMaster();
    expect(feed(tm + 500000, adv().prio(120))).toBe(abi.RX_OK);
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY, tm + 500000);
    expectVipDel();
    expectNewMaster(120, '192.0.2.2');
    expectIdle();
    expect(info().masterDownAt).toBe(tm + 500000 + MD100);
    expect(stat(abi.S_RELEASE_MASTER)).toBe(1);
    expect(stat(abi.S_PRI_ZERO_SENT)).toBe(0);
  });

  it('higher_prio_send_advert: one advert first, then the same step down', () => {
    router().flag(abi.F_HIGHER_PRIO_SEND_ADVERT).up(0);
    const tm = becomeMaster();
    feed(tm + 500000, adv().prio(120));
    expectTx(tm + 500000, tx().prio(100));
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY, tm + 500000);
    expectVipDel();
    expectNewMaster(120, '192.0.2.2');
    expectIdle();
  });

  it('equal priority, higher sender address: the sender wins', () => {
    router().from('192.0.2.1').up(0);
    const tm = becomeMaster();
    feed(tm + 500000, adv().prio(100).from('192.0.2.2'));
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY, tm + 500000);
  });

  it('equal priority, lower sender address: handled like a lower priority', () => {
    router().from('192.0.2.9').up(0);
    const tm = becomeMaster();
    feed(tm + 500000, adv().prio(100).from('192.0.2.2'));
    expectTx(tm + 500000, tx().prio(100));
    expectAnnounce(5, abi.ANNOUNCE_LOWER_PRIO);
    expectRxLower(100, '192.0.2.2');
    expectIdle();
    expect(stateOf()).toBe(abi.STATE_MASTER);
  });

  it('the tie-break compares addresses as unsigned numbers (10.0.0.1 < 192.0.2.1 < 200.0.0.1)', () => {
    router().from('192.0.2.1').up(0);
    let tm = becomeMaster();
    feed(tm + 100000, adv().from('10.0.0.1'));
    expectTx(tm + 100000);
    skip();
    feed(tm + 200000, adv().from('200.0.0.1'));
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY);
  });

  it('the tie-break over IPv6', () => {
    router().v6().from('fe80::5').up(0);
    let tm = becomeMaster();
    feed(tm + 100000, adv().from('fe80::4'));
    expectTx(tm + 100000);
    expectAnnounce(5, abi.ANNOUNCE_LOWER_PRIO);
    expectRxLower(100, 'fe80::4');
    feed(tm + 200000, adv().from('fe80::1:0'));
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY);
    expectVipDel();
    expectNewMaster(100, 'fe80::1:0');
  });

  it('equal priority from our own address (looped back): nothing happens', () => {
    router().up(0);
    const tm = becomeMaster();
    feed(tm + 500000, adv().prio(100).from('192.0.2.1'));
    expectIdle();
    expectNothing(tm + 999999);
    expectTx(tm + 1000000);
  });
});

describe('v3 Master_Adver_Interval', () => {
  beforeEach(() => { reset(); });

  it('a backup learns the master\'s interval and times Master_Down_Interval by it', () => {
    router().v3().up(0); // own 100 cs
    skip();
    expect(feed(1000000, adv().prio(120).interval(50))).toBe(abi.RX_OK);
    expect(info().masterCs).toBe(50);
    expect(info().ownCs).toBe(100);
    expect(stat(abi.S_INTERVAL_ADOPTED)).toBe(1);
    // 3 x 0.5 s + (256 - 100) x 0.5 s / 256 = 1 500 000 + 304 687
    expect(info().masterDownAt).toBe(1000000 + 1804687);
    skip();
    expectNothing(1000000 + 1804686);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 2804687);
    expectTx(2804687, tx().interval(100)); // a new master advertises its own interval
    skip();
    expectNothing(3804686);
    expectTx(3804687);
  });

  it('priority 0 from a master at another interval: Skew_Time by the learned interval', () => {
    router().v3().up(0);
    skip();
    feed(1000000, adv().prio(120).interval(200));
    feed(2000000, adv().prio(0).interval(200));
    skip();
    // (256 - 100) x 2 s / 256 = 1 218 750
    expect(info().masterDownAt).toBe(2000000 + 1218750);
  });

  it('a master yielding to a higher v3 advert adopts its interval', () => {
    router().v3().up(0);
    const tm = becomeMaster();
    feed(tm + 100000, adv().prio(200).interval(25));
    skip();
    expect(info().masterCs).toBe(25);
    // 3 x 0.25 s + 156 x 0.25 s / 256 = 750 000 + 152 343
    expect(info().masterDownAt).toBe(tm + 100000 + 902343);
  });

  it('v2 never learns: a mismatched interval is dropped (see validate.spec.ts)', () => {
    router().up(0);
    skip();
    expect(feed(1000000, adv().prio(120).interval(3))).toBe(abi.RX_INTERVAL_MISMATCH);
    expect(info().masterCs).toBe(100);
  });
});


describe('preempt_delay with fast preemption (the daemon\'s default)', () => {
  beforeEach(() => { reset(); });

  it('the end of preempt_delay is a timer: a lower master is preempted when it ends, not at the next advert', () => {
    router().flag(abi.F_FAST_PREEMPT).preemptDelay(2500000).up(0);
    skip();
    for (let k = 1; k <= 2; k++) expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK); // accepted, followed
    expectNewMaster(50, '192.0.2.2');
    expect(stat(abi.S_LOWER_PRIO_RCVD)).toBe(0);
    expectNothing(2499999);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_PREEMPT, 2500000);
  });

  it('a higher advert during the delay stops the timer; nothing happens when it would have ended', () => {
    router().flag(abi.F_FAST_PREEMPT).preemptDelay(2500000).up(0);
    skip();
    expect(feed(1000000, adv().prio(50))).toBe(abi.RX_OK);
    expect(feed(2000000, adv().prio(120))).toBe(abi.RX_OK); // a better master: follow it, the delay is off
    skip();
    expectNothing(2000000 + MD100 - 1); // only its Master_Down_Timer is left
    expect(stateOf()).toBe(abi.STATE_BACKUP);
  });

  it('our priority falls below the master\'s during the delay: no preemption when it ends', () => {
    router().flag(abi.F_FAST_PREEMPT).preemptDelay(2500000).up(0);
    skip();
    expect(feed(1000000, adv().prio(90))).toBe(abi.RX_OK);
    skip();
    adjust(1500000, -20); // 100 - 20 = 80 < 90
    skip();
    expect(feed(2000000, adv().prio(90))).toBe(abi.RX_OK);
    skip();
    expectNothing(2000000 + 3000000 + 687500 - 1); // Master_Down_Interval at priority 80
    expect(stateOf()).toBe(abi.STATE_BACKUP);
  });

  it('without fast preemption the delay only bounds the accepted adverts (keepalived): no timer of its own', () => {
    router().preemptDelay(2500000).up(0);
    skip();
    for (let k = 1; k <= 2; k++) expect(feed(<f64>k * 1000000, adv().prio(50))).toBe(abi.RX_OK);
    skip();
    expectNothing(2000000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 2000000 + MD100);
  });
});
