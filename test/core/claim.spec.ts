// vipd's start-up claim (F_STARTUP_CLAIM, on in the daemon unless --keepalived-compat): the first takeover after
// start advertises at Master_Down_Interval and becomes MASTER (state change, VIPs, GARP) claimUs later —
// min(advert_int / 2, 50 ms) — unless a better router answers in between. Later takeovers are failovers and stay
// immediate. The router under test is 192.0.2.1 at priority 100, v2 1 s unless stated: Master_Down_Interval
// 3 609 375 µs, claim 50 ms.
import * as abi from '../../assembly/abi';
import {
  adv, expectAnnounce, expectIdle, expectNewMaster, expectNothing, expectState, expectTx, expectVipAdd, feed,
  reset, router, shutdown, fault, skip, stat, stateOf, tx,
} from './helpers';

const MD100: f64 = 3609375;
const CLAIM: f64 = 50000;

describe('start-up claim', () => {
  beforeEach(() => { reset(); router().flag(abi.F_STARTUP_CLAIM).up(0); skip(); });

  it('alone: advert at Master_Down_Interval, MASTER with VIPs one claim later', () => {
    expectNothing(MD100 - 1);
    expectTx(MD100, tx().prio(100));
    expectIdle(); // no state change, no VIP yet
    expect(stateOf()).toBe(abi.STATE_BACKUP);
    expectNothing(MD100 + CLAIM - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100 + CLAIM);
    expectTx(MD100 + CLAIM, tx().prio(100));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER);
    expect(stat(abi.S_CLAIM_STARTED)).toBe(1);
    expect(stat(abi.S_CLAIM_YIELDED)).toBe(0);
    // Adverts keep the cadence from the transition.
    expectTx(MD100 + CLAIM + 1000000, tx().prio(100));
  });

  it('a higher priority answer within the claim: BACKUP following it, no state change, no VIP ever', () => {
    expectTx(MD100, tx().prio(100));
    expect(feed(MD100 + 300, adv().prio(150))).toBe(abi.RX_OK);
    expectNewMaster(150, '192.0.2.2');
    expect(stateOf()).toBe(abi.STATE_BACKUP);
    expect(stat(abi.S_CLAIM_YIELDED)).toBe(1);
    expect(stat(abi.S_BECAME_MASTER)).toBe(0);
    // Following it now: the next takeover waits a full Master_Down_Interval from its last advert, and is a plain
    // failover (no claim the second time).
    expectNothing(MD100 + 300 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100 + 300 + MD100);
    expectTx(MD100 + 300 + MD100, tx().prio(100));
    expectVipAdd();
    expect(stat(abi.S_CLAIM_STARTED)).toBe(1);
  });

  it('an equal priority from a higher address wins the tie; from a lower address it loses', () => {
    expectTx(MD100, tx().prio(100));
    feed(MD100 + 100, adv().prio(100).from('192.0.2.0')); // lower address: we keep the claim
    expectIdle();
    feed(MD100 + 200, adv().prio(100).from('192.0.2.9')); // higher address: we yield
    expectNewMaster(100, '192.0.2.9');
    expect(stat(abi.S_CLAIM_YIELDED)).toBe(1);
    expectNothing(MD100 + CLAIM + 1);
  });

  it('a lower priority during the claim is answered at once, and the claim goes on', () => {
    expectTx(MD100, tx().prio(100));
    feed(MD100 + 100, adv().prio(50));
    expectTx(MD100 + 100, tx().prio(100));
    expectIdle();
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100 + CLAIM);
  });

  it('priority 0 during the claim changes nothing', () => {
    expectTx(MD100, tx().prio(100));
    feed(MD100 + 100, adv().prio(0));
    expectIdle();
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100 + CLAIM);
  });

  it('once a master was heard, a takeover is immediate (a failover, not a start)', () => {
    feed(1000000, adv().prio(150));
    skip();
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 1000000 + MD100);
    expectTx(1000000 + MD100, tx().prio(100));
    expectVipAdd();
    expect(stat(abi.S_CLAIM_STARTED)).toBe(0);
  });

  it('shutdown or fault during the claim: priority 0 for whoever started to follow us, no VIP', () => {
    expectTx(MD100, tx().prio(100));
    shutdown(MD100 + 100);
    expectTx(MD100 + 100, tx().prio(0));
    expectState(abi.STATE_BACKUP, abi.STATE_INIT, abi.WHY_SHUTDOWN);
    expectNothing(MD100 + 5 * CLAIM);
  });

  it('fault during the claim: priority 0, FAULT, and the claim never completes', () => {
    expectTx(MD100, tx().prio(100));
    fault(MD100 + 100, true);
    expectTx(MD100 + 100, tx().prio(0));
    expectState(abi.STATE_BACKUP, abi.STATE_FAULT, abi.WHY_FAULT);
    expectNothing(MD100 + 5 * CLAIM);
  });
});

describe('start-up claim length', () => {
  it('v3 at 0.01 s: half the interval (5 ms), so no second advert falls due inside it', () => {
    reset();
    router().v3().flag(abi.F_STARTUP_CLAIM).interval(10000).up(0);
    skip();
    // v3 0.01 s, priority 100: 3 x 10 ms + (156 x 10 ms) / 256 = 36 093 µs.
    expectTx(36093, tx().prio(100));
    expectNothing(36093 + 5000 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 36093 + 5000);
  });

  it('off without the flag: MASTER at Master_Down_Interval', () => {
    reset();
    router().up(0);
    skip();
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100);
    expect(stat(abi.S_CLAIM_STARTED)).toBe(0);
  });
});

describe('start-up claim on fast preemption', () => {
  beforeEach(() => { reset(); router().flag(abi.F_STARTUP_CLAIM).flag(abi.F_FAST_PREEMPT).up(0); skip(); });

  it('the first advert heard is lower: claim, then MASTER reported as a preemption', () => {
    expect(feed(1000000, adv().prio(50))).toBe(abi.RX_OK);
    expectTx(1000000, tx().prio(100));
    expectIdle();
    expectNothing(1000000 + CLAIM - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_PREEMPT, 1000000 + CLAIM);
    expectTx(1000000 + CLAIM, tx().prio(100));
    expectVipAdd();
  });

  it('two routers preempting the same lower one: the lower of the two yields inside its claim', () => {
    feed(1000000, adv().prio(50));
    expectTx(1000000, tx().prio(100));
    feed(1000400, adv().prio(120).from('192.0.2.3'));
    expectNewMaster(120, '192.0.2.3');
    expect(stat(abi.S_CLAIM_YIELDED)).toBe(1);
    expectNothing(1000400 + MD100 - 1);
  });

  it('after the first advert, a lower master is preempted at once (a failover, not a start)', () => {
    feed(1000000, adv().prio(150));
    skip();
    feed(2000000, adv().prio(50)); // the master we follow fell below us
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_PREEMPT, 2000000);
  });
});
