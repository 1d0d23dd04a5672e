// State machine, part 1: startup, owner, master-down takeover, advert cadence, GARP schedule, FAULT, shutdown.
// Defaults (helpers.ts): v2, VRID 51, priority 100, advert_int 1 s, 192.0.2.1 -> 224.0.0.18, VIP 192.0.2.100,
// garp_master_repeat 5, garp_master_delay 5 s. Master_Down_Interval at priority 100 = 3 s + 609 375 µs.
import * as abi from '../../assembly/abi';
import * as core from '../../assembly/index';
import {
  adjust, adv, expectAnnounce, expectIdle, expectNothing, expectPriority, expectState, expectTx, expectVipAdd, expectVipDel,
  becomeMaster, fault, feed, info, reset, router, runUntil, shutdown, skip, stat, start, stateOf, tx, wake,
} from './helpers';

const MD100: f64 = 3609375;

describe('startup', () => {
  beforeEach(() => { reset(); });

  it('INIT -> BACKUP with Master_Down_Interval armed, nothing sent', () => {
    router().up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 0);
    expectIdle();
    const i = info();
    expect(i.masterDownAt).toBe(MD100);
    expect(i.mdiUs).toBe(MD100);
    expect(i.masterPrio).toBe(-1);
  });

  it('an isolated backup takes over after Master_Down_Interval: state, advert, VIPs, GARP, in that order', () => {
    router().up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 0);
    expectNothing(MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100);
    expectTx(MD100, tx().prio(100).to('224.0.0.18').count(1).interval(1));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER, MD100);
    expectIdle();
    expect(stat(abi.S_BECAME_MASTER)).toBe(1);
    expect(stat(abi.S_ADVERT_SENT)).toBe(1);
    expectNothing(MD100 + 999999);
    expectTx(MD100 + 1000000, tx().prio(100));
  });

  it('`state MASTER` on a non-owner still starts in BACKUP with the normal master_down', () => {
    router().flag(abi.F_WANT_MASTER).up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 0);
    expect(info().masterDownAt).toBe(MD100);
  });

  it('an owner (priority 255) is MASTER at once and advertises 255', () => {
    router().prio(255).up(0);
    expectState(abi.STATE_INIT, abi.STATE_MASTER, abi.WHY_OWNER, 0);
    expectTx(0, tx().prio(255));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER, 0);
    expectNothing(999999);
    expectTx(1000000, tx().prio(255));
    expectTx(2000000, tx().prio(255));
  });

  it('start is idempotent', () => {
    router().up(0);
    skip();
    start(10);
    expectIdle();
    expect(info().masterDownAt).toBe(MD100);
  });

  it('a fault held before start begins in FAULT, with no timer', () => {
    const r = router();
    expect(r.configure()).toBe(abi.CFG_OK);
    core.setFault(0, r.handle, true);
    start(0);
    expectState(abi.STATE_INIT, abi.STATE_FAULT, abi.WHY_FAULT, 0);
    expectNothing(100000000);
  });

  it('Master_Down_Interval follows down_timer_adverts', () => {
    router().down(5).up(0);
    skip();
    expect(info().masterDownAt).toBe(5000000 + 609375);
  });
});

describe('master cadence', () => {
  beforeEach(() => { reset(); });

  it('sends every advert_int on its own schedule, even when woken late', () => {
    router().prio(255).up(0);
    skip();
    wake(1300000); // woken 0.3 s late: the 1 s advert goes out at 1.3 s ...
    const t = expectTx(1300000);
    expect(t.at).toBe(1300000);
    expectNothing(1999999);
    expectTx(2000000); // ... and the next is still at 2 s
  });

  it('re-bases the schedule after waking a whole interval late', () => {
    router().prio(255).up(0);
    skip();
    wake(2500000);
    expectTx(2500000);
    expectIdle();
    expectNothing(3499999);
    expectTx(3500000);
  });

  it('steps back to BACKUP, with no advert, after sleeping through a whole Master_Down_Interval', () => {
    router().prio(200).up(0);
    runUntil(3300000); // Master_Down_Interval at 200: 3 s + 218 750 µs
    skip();
    // The next advert was due 1 s later; we wake 3.3 s after that (a paused process): the backups took over.
    wake(7700000);
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_OVERSLEPT, 7700000);
    expectVipDel();
    expectIdle();
    expect(stateOf()).toBe(abi.STATE_BACKUP);
    // If nobody else is master after all, it takes over again one Master_Down_Interval later.
    runUntil(7700000 + 3218750);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 7700000 + 3218750);
  });

  it('a spurious early handleTimeout does nothing', () => {
    router().prio(255).up(0);
    skip();
    core.handleTimeout(500000, 0);
    core.handleTimeout(500000, 0);
    runUntil(999999);
    expectIdle();
    expectTx(1000000);
  });

  it('answers a priority-0 advert (another master resigning) with an advert at once, and restarts its period', () => {
    router().prio(255).up(0);
    skip();
    expect(feed(1500000, adv().prio(0))).toBe(abi.RX_OK);
    expectTx(1000000, tx().prio(255));
    expectTx(1500000, tx().prio(255));
    expectIdle();
    expectNothing(2499999);
    expectTx(2500000);
  });

  it('a v2 master sends its rounded interval and 0.4 s becomes 1 s', () => {
    router().prio(255).interval(400000).up(0);
    expectState(abi.STATE_INIT, abi.STATE_MASTER, abi.WHY_OWNER, 0);
    expectTx(0, tx().interval(1));
    skip();
    expectNothing(999999);
    expectTx(1000000);
  });

  it('a v3 master at 10 ms sends 100 adverts a second', () => {
    router().v3().prio(255).interval(10000).up(0);
    expectState(abi.STATE_INIT, abi.STATE_MASTER, abi.WHY_OWNER, 0);
    expectTx(0, tx().interval(1));
    skip();
    for (let k = 1; k <= 100; k++) expectTx(<f64>k * 10000, tx().prio(255));
  });
});

describe('GARP / NA schedule (§10.6)', () => {
  beforeEach(() => { reset(); });

  it('a second burst after garp_master_delay, then nothing', () => {
    router().prio(255).up(0);
    skip();
    let seen = 0;
    for (let k = 1; k <= 10; k++) {
      runUntil(<f64>k * 1000000);
      expectTx(<f64>k * 1000000);
      if (k == 5) { expectAnnounce(5, abi.ANNOUNCE_DELAYED, 5000000); seen++; }
      expectIdle();
    }
    expect(seen).toBe(1);
  });

  it('garp_master_delay 0 skips the second burst', () => {
    router().prio(255).garp(5, 0).up(0);
    skip();
    for (let k = 1; k <= 8; k++) { expectTx(<f64>k * 1000000); expectIdle(); }
  });

  it('garp_master_repeat 0 sends no burst at all, now or later', () => {
    router().prio(255).garp(0, 5000000).up(0);
    expectState(abi.STATE_INIT, abi.STATE_MASTER, abi.WHY_OWNER, 0);
    expectTx(0);
    expectVipAdd();
    expectIdle();
    for (let k = 1; k <= 8; k++) { expectTx(<f64>k * 1000000); expectIdle(); }
  });

  it('garp_master_refresh: refresh_repeat rounds every R s, starting at delay + R', () => {
    router().prio(255).interval(10000000).refresh(7000000, 2).up(0);
    skip();
    expectAnnounce(5, abi.ANNOUNCE_DELAYED, 5000000);
    expectNothing(9999999);
    expectTx(10000000);
    expectNothing(11999999);
    expectAnnounce(2, abi.ANNOUNCE_REFRESH, 12000000);
    expectNothing(18999999);
    expectAnnounce(2, abi.ANNOUNCE_REFRESH, 19000000);
    expectTx(20000000);
    expectAnnounce(2, abi.ANNOUNCE_REFRESH, 26000000);
  });

  it('the GARP timers stop when the master steps down', () => {
    router().up(0);
    const tm = MD100;
    runUntil(tm);
    skip();
    expect(feed(tm + 100000, adv().prio(200))).toBe(abi.RX_OK);
    expectState(abi.STATE_MASTER, abi.STATE_BACKUP, abi.WHY_HIGHER_PRIORITY);
    skip();
    expect(feed(tm + 1100000, adv().prio(200))).toBe(abi.RX_OK);
    expect(feed(tm + 2100000, adv().prio(200))).toBe(abi.RX_OK);
    expect(feed(tm + 3100000, adv().prio(200))).toBe(abi.RX_OK);
    expect(feed(tm + 4100000, adv().prio(200))).toBe(abi.RX_OK);
    expect(feed(tm + 5100000, adv().prio(200))).toBe(abi.RX_OK);
    expectIdle(); // no delayed burst at tm + 5 s
  });
});

describe('FAULT (§10.8)', () => {
  beforeEach(() => { reset(); });

  it('BACKUP -> FAULT: notification only, no advert, no timer', () => {
    router().up(0);
    skip();
    fault(1000000, true);
    expectState(abi.STATE_BACKUP, abi.STATE_FAULT, abi.WHY_FAULT, 1000000);
    expectIdle();
    expectNothing(100000000);
    expect(stat(abi.S_ADVERT_SENT)).toBe(0);
  });

  it('MASTER -> FAULT: priority 0 advert, VIPs removed, then the state', () => {
    router().up(0);
    runUntil(MD100);
    skip();
    fault(4000000, true);
    expectTx(4000000, tx().prio(0));
    expectVipDel();
    expectState(abi.STATE_MASTER, abi.STATE_FAULT, abi.WHY_FAULT, 4000000);
    expectIdle();
    expectNothing(100000000);
    expect(stat(abi.S_PRI_ZERO_SENT)).toBe(1);
    expect(stat(abi.S_RELEASE_MASTER)).toBe(1);
  });

  xit('KEEPALIVED QUIRK (§10.8 "the code path sends it twice back-to-back"): MASTER -> FAULT sends priority 0 twice', () => {
    router().up(0);
    runUntil(MD100);
    skip();
    fault(4000000, true);
    expectTx(4000000, tx().prio(0));
    expectTx(4000000, tx().prio(0));
  });

  it('FAULT -> BACKUP when cleared, with a fresh Master_Down_Interval', () => {
    router().up(0);
    skip();
    fault(1000000, true);
    skip();
    fault(20000000, false);
    expectState(abi.STATE_FAULT, abi.STATE_BACKUP, abi.WHY_FAULT_CLEARED, 20000000);
    expectNothing(20000000 + MD100 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 20000000 + MD100);
  });

  it('FAULT -> BACKUP resets a learned v3 interval to our own', () => {
    router().v3().up(0);
    skip();
    expect(feed(100000, adv().prio(200).interval(50))).toBe(abi.RX_OK);
    skip();
    expect(info().masterCs).toBe(50);
    fault(200000, true);
    fault(300000, false);
    skip();
    expect(info().masterCs).toBe(100);
    expect(info().masterDownAt).toBe(300000 + MD100);
  });

  it('an owner leaves FAULT straight to MASTER', () => {
    router().prio(255).up(0);
    skip();
    fault(500000, true);
    expectTx(500000, tx().prio(0));
    expectVipDel();
    expectState(abi.STATE_MASTER, abi.STATE_FAULT, abi.WHY_FAULT, 500000);
    fault(2000000, false);
    expectState(abi.STATE_FAULT, abi.STATE_MASTER, abi.WHY_OWNER, 2000000);
    expectTx(2000000, tx().prio(255));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER, 2000000);
    expectNothing(2999999);
    expectTx(3000000);
  });

  it('setFault is idempotent', () => {
    router().up(0);
    skip();
    fault(1000000, true);
    skip();
    fault(2000000, true);
    expectIdle();
    fault(3000000, false);
    skip();
    fault(4000000, false);
    expectIdle();
  });

  it('adverts are not processed in FAULT', () => {
    router().up(0);
    skip();
    fault(1000000, true);
    skip();
    expect(feed(2000000, adv().prio(0))).toBe(abi.RX_NOT_RUNNING);
    expectIdle();
  });
});

describe('shutdown (§10.9)', () => {
  beforeEach(() => { reset(); });

  it('MASTER: priority 0, VIPs removed, -> INIT, and silence', () => {
    router().up(0);
    runUntil(MD100);
    skip();
    shutdown(4000000);
    expectTx(4000000, tx().prio(0));
    expectVipDel();
    expectState(abi.STATE_MASTER, abi.STATE_INIT, abi.WHY_SHUTDOWN, 4000000);
    expectIdle();
    expectNothing(100000000);
    expect(stat(abi.S_PRI_ZERO_SENT)).toBe(1);
    expect(stat(abi.S_RELEASE_MASTER)).toBe(1);
  });

  it('BACKUP: -> INIT without sending anything', () => {
    router().up(0);
    skip();
    shutdown(1000000);
    expectState(abi.STATE_BACKUP, abi.STATE_INIT, abi.WHY_SHUTDOWN, 1000000);
    expectIdle();
    expectNothing(100000000);
    expect(stat(abi.S_ADVERT_SENT)).toBe(0);
  });

  it('FAULT: -> INIT without sending anything', () => {
    router().up(0);
    skip();
    fault(1000000, true);
    skip();
    shutdown(2000000);
    expectState(abi.STATE_FAULT, abi.STATE_INIT, abi.WHY_SHUTDOWN, 2000000);
    expectIdle();
  });

  it('can start again after shutdown', () => {
    router().up(0);
    skip();
    shutdown(1000000);
    skip();
    start(2000000);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 2000000);
    expect(info().masterDownAt).toBe(2000000 + MD100);
  });

  it('a backup hearing the master resign takes over after Skew_Time, not Master_Down_Interval', () => {
    router().up(0);
    skip();
    expect(feed(1000000, adv().prio(200))).toBe(abi.RX_OK);
    skip();
    expect(feed(1500000, adv().prio(0))).toBe(abi.RX_OK);
    expectNothing(1500000 + 609375 - 1);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_PRIORITY_ZERO, 1500000 + 609375);
    expectTx(1500000 + 609375, tx().prio(100));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER);
    expect(stat(abi.S_PRI_ZERO_RCVD)).toBe(1);
  });
});

describe('priority changes (§6.3)', () => {
  beforeEach(() => { reset(); });

  it('effective priority = base + delta, clamped to 1..254, reported as it changes', () => {
    router().prio(100).up(0);
    skip();
    core.setPriorityAdjust(0, -1, 5); // unknown handle: harmless
    adjust(1000, 200);
    expectPriority(100, 254);
    expect(info().eff).toBe(254);
    adjust(2000, -150);
    expectPriority(254, 1);
    expect(info().eff).toBe(1);
    adjust(3000, -99);
    expectIdle(); // still 1: no change to report
    adjust(4000, 0);
    expectPriority(1, 100);
  });

  it('an owner stays 255 whatever the trackers say', () => {
    router().prio(255).up(0);
    skip();
    adjust(500000, -50);
    expectIdle();
    expectTx(1000000, tx().prio(255));
    expect(info().eff).toBe(255);
  });

  it('a master advertises its effective priority', () => {
    router().prio(100).up(0);
    runUntil(MD100);
    skip();
    adjust(4000000, -20);
    expectPriority(100, 80);
    expectTx(MD100 + 1000000, tx().prio(80));
  });

  it('a backup moves its pending Master_Down_Timer by the change in skew', () => {
    router().up(0);
    skip();
    adjust(1000000, 50);
    expectPriority(100, 150);
    // skew at 150 = 106e6/256 = 414 062 µs, 195 313 µs sooner than at 100
    expect(info().masterDownAt).toBe(3000000 + 414062);
    expectNothing(3414061);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 3414062);
  });

  it('a drop in priority moves it later', () => {
    router().up(0);
    skip();
    adjust(1000000, -99);
    expectPriority(100, 1);
    expect(info().masterDownAt).toBe(3000000 + 996093);
  });
});


describe('reconfigure (a reload that keeps the instance)', () => {
  beforeEach(() => { reset(); });

  it('v2 -> v3 keeps MASTER; the next advert is VRRPv3 with the interval in centiseconds', () => {
    const r = router().prio(200).up(0);
    const t = becomeMaster();
    expectTx(t + 1000000, tx().interval(1)); // v2: whole seconds
    r.v3();
    expect(r.configure()).toBe(abi.CFG_OK);
    expect(stateOf()).toBe(abi.STATE_MASTER);
    const o = expectTx(t + 2000000, tx().interval(100));
    expect(<i32>load<u8>(changetype<usize>(o.bytes)) >> 4).toBe(3, 'version 3 on the wire');
  });

  it('v3 -> v2 on a backup forgets the interval learned from a v3 master', () => {
    const r = router().v3().prio(100).up(0);
    skip();
    expect(feed(100000, adv().prio(200).interval(50))).toBe(abi.RX_OK); // master at 0.5 s
    skip();
    expect(info().masterDownAt).toBe(100000 + 3 * 500000 + 304687);
    r.ver2();
    expect(r.configure()).toBe(abi.CFG_OK);
    expect(stateOf()).toBe(abi.STATE_BACKUP);
    expect(feed(200000, adv().prio(200))).toBe(abi.RX_OK); // a v2 master at 1 s
    skip();
    expect(info().masterDownAt).toBe(200000 + 3 * 1000000 + 609375);
  });

  it('socket, VRID and family stay fixed: changing one is refused and the instance runs on unchanged', () => {
    const r = router().prio(200).up(0);
    becomeMaster();
    r.id(52);
    expect(r.configure()).toBe(abi.CFG_IDENTITY_CHANGED);
    r.id(51).sock(1);
    expect(r.configure()).toBe(abi.CFG_IDENTITY_CHANGED);
    expect(stateOf()).toBe(abi.STATE_MASTER);
  });
});
