// The output ring (assembly/output.ts): bounded batching when many timers fall due at once, and transmit
// records expanded at poll time into one datagram per unicast peer, each with that peer's checksum.
import * as abi from '../../assembly/abi';
import * as core from '../../assembly/index';
import * as out from '../../assembly/output';
import {
  Out, adv, expectAnnounce, expectIdle, expectState, expectTx, expectVipAdd, feed, fmt, reset,
  router, runUntil, skip, tx, wrapOut,
} from './helpers';

const MD100: f64 = 3609375;
const owners: i32[] = [];

describe('bounded batching', () => {
  beforeEach(() => { reset(); });

  it('1000 backups falling due at the same µs: one handleTimeout, the ring never overflows, every takeover in order', () => {
    const first = router().sock(900).id(1);
    first.up(0);
    for (let k = 1; k < 1000; k++) router().sock(900 + k / 250).id(1 + k % 250).up(0);
    skip();
    expect(core.nextDeadline()).toBe(MD100);
    core.handleTimeout(MD100, 0);
    // drain by hand, watching the ring's occupancy between polls
    let maxPending = 0;
    const kinds = new StaticArray<i32>(9);
    let lastHandle = -1;
    let step = 0; // 0 state, 1 transmit, 2 VIP add, 3 announce: the order for each handle
    let polls = 0;
    for (;;) {
      const k = core.pollOutput();
      polls++;
      if (out.pending() > maxPending) maxPending = out.pending();
      if (k == abi.OUT_TIMEOUT) break;
      kinds[k]++;
      const h = load<i32>(core.outPtr() + 4);
      if (k == abi.OUT_STATE) {
        expect(step == 0 || step == 4).toBe(true, 'a new takeover starts after the previous one finished');
        expect(h != lastHandle).toBe(true);
        lastHandle = h;
        step = 1;
      } else {
        expect(h).toBe(lastHandle, 'records of one takeover stay together');
        expect(k).toBe(step == 1 ? abi.OUT_TRANSMIT : step == 2 ? abi.OUT_VIP_ADD : abi.OUT_ANNOUNCE);
        step++;
      }
      expect(polls < 10000).toBe(true, 'bounded');
    }
    expect(kinds[abi.OUT_STATE]).toBe(1000);
    expect(kinds[abi.OUT_TRANSMIT]).toBe(1000);
    expect(kinds[abi.OUT_VIP_ADD]).toBe(1000);
    expect(kinds[abi.OUT_ANNOUNCE]).toBe(1000);
    expect(maxPending <= out.RING).toBe(true, 'never beyond the ring');
    expect(load<f64>(core.outPtr() + 24)).toBe(MD100 + 1000000, 'the next deadline: everyone\'s first advert');
    expect(core.nextDeadline()).toBe(MD100 + 1000000);
    // and the next tick sends 1000 adverts, again in bounded batches
    core.handleTimeout(MD100 + 1000000, 0);
    let sent = 0;
    for (;;) {
      const k = core.pollOutput();
      if (k == abi.OUT_TIMEOUT) break;
      expect(k).toBe(abi.OUT_TRANSMIT);
      sent++;
    }
    expect(sent).toBe(1000);
    core.inspect(first.handle);
    expect(load<i32>(core.infoPtr())).toBe(abi.STATE_MASTER);
  });

  it('slack: masters due within it share one wake-up; a Master_Down_Timer inside it does not fire early', () => {
    // c: a backup whose Master_Down_Timer ends at 360 937 µs (priority 100, v3, 0.1 s).
    router().v3().prio(100).interval(100000).up(0);
    // a and b: owners whose next adverts fall due at 360 237 and 360 637, 700 and 300 µs before c's deadline.
    router().v3().prio(255).interval(100000).up(260237);
    router().v3().prio(255).interval(100000).up(260637);
    skip();
    expect(core.nextDeadline()).toBe(360237);
    core.handleTimeout(360237, 1000);
    let adverts = 0;
    let states = 0;
    for (let k = core.pollOutput(); k != abi.OUT_TIMEOUT; k = core.pollOutput()) {
      if (k == abi.OUT_TRANSMIT) adverts++;
      if (k == abi.OUT_STATE) states++;
    }
    expect(adverts).toBe(2, 'both masters, b 400 µs early');
    expect(states).toBe(0, 'the backup waits for its own deadline');
    expect(core.nextDeadline()).toBe(360937);
    core.handleTimeout(360937, 0);
    while (core.pollOutput() != abi.OUT_TIMEOUT) { /* c takes over */ }
    // b went out early once but keeps its own cadence: its next advert is still due at 460 637.
    expect(core.nextDeadline()).toBe(460237);
    core.handleTimeout(460237, 0);
    while (core.pollOutput() != abi.OUT_TIMEOUT) { /* a's advert */ }
    expect(core.nextDeadline()).toBe(460637);
  });

  it('a host that never drains is stopped by abort() rather than losing outputs', () => {
    for (let k = 0; k < 300; k++) {
      const r = router().sock(950 + k / 250).id(1 + k % 250).prio(255);
      expect(r.configure()).toBe(abi.CFG_OK);
      owners.push(r.handle);
    }
    expectFn(() => {
      for (let k = 0; k < owners.length; k++) core.start(0, owners[k]); // 4 records each, never drained
    }).toThrow('the ring holds 1024 records');
    for (let k = 0; k < owners.length; k++) core.remove(owners[k]);
    for (;;) if (core.pollOutput() == abi.OUT_TIMEOUT) break;
  });

  it('an instance removed with records still queued produces nothing more', () => {
    const a = router().prio(255);
    a.configure();
    core.start(0, a.handle);
    core.remove(a.handle); // state, transmit, VIP add, announce were queued
    let transmits = 0;
    for (;;) {
      const k = core.pollOutput();
      if (k == abi.OUT_TIMEOUT) break;
      if (k == abi.OUT_TRANSMIT) transmits++;
    }
    expect(transmits).toBe(0);
    expect(load<f64>(core.outPtr() + 24)).toBe(Infinity);
  });
});

describe('unicast', () => {
  beforeEach(() => { reset(); });

  it('one advert becomes one datagram per peer, each with the peer in its pseudo-header (v3)', () => {
    router().v3().peer('192.0.2.7').peer('192.0.2.8').peer('192.0.2.9').up(0);
    expectState(abi.STATE_INIT, abi.STATE_BACKUP, abi.WHY_STARTUP, 0);
    runUntil(MD100);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, MD100);
    const a = expectTx(MD100, tx().to('192.0.2.7').peer(0));
    const b = expectTx(MD100, tx().to('192.0.2.8').peer(1));
    const c = expectTx(MD100, tx().to('192.0.2.9').peer(2));
    expectVipAdd();
    expectAnnounce(5, abi.ANNOUNCE_BECOME_MASTER);
    expectIdle();
    expect(cs(a) != cs(b) && cs(b) != cs(c)).toBe(true, 'each copy has its own checksum');
    expect(fmt(changetype<usize>(a.src), 4)).toBe('192.0.2.1');
    expect(a.c).toBe(b.c, 'same socket');
  });

  it('v3 unicast with v3_checksum_as_v2: the same message-only checksum for every peer', () => {
    router().v3().flag(abi.F_V3_CHECKSUM_AS_V2).peer('192.0.2.7').peer('192.0.2.8').up(0);
    runUntil(MD100);
    skip();
    runUntil(MD100 + 1000000);
    const a = expectTx(MD100 + 1000000, tx().plain().peer(0));
    const b = expectTx(MD100 + 1000000, tx().plain().peer(1));
    expect(cs(a)).toBe(cs(b));
  });

  it('IPv6 unicast: per-peer IPv6 pseudo-header', () => {
    router().v6().peer('fe80::7').peer('fe80::8').up(0);
    runUntil(MD100);
    skip();
    runUntil(MD100 + 1000000);
    expectTx(MD100 + 1000000, tx().to('fe80::7').peer(0));
    expectTx(MD100 + 1000000, tx().to('fe80::8').peer(1));
  });

  it('a multicast advert goes to the group with peer index -1', () => {
    router().up(0);
    runUntil(MD100);
    skip();
    expectTx(MD100 + 1000000, tx().to('224.0.0.18').peer(-1));
  });

  it('the answer to a lower-priority unicast advert goes to every peer', () => {
    router().v3().peer('192.0.2.2').peer('192.0.2.3').up(0);
    runUntil(MD100);
    skip();
    expect(feed(MD100 + 100000, adv().prio(50))).toBe(abi.RX_OK);
    expectTx(MD100 + 100000, tx().to('192.0.2.2').prio(100));
    expectTx(MD100 + 100000, tx().to('192.0.2.3').prio(100));
  });

  it('a unicast advert reaches a unicast peer instance (round trip through RX)', () => {
    const a = router().v3().peer('192.0.2.2').from('192.0.2.1');
    a.up(0);
    runUntil(MD100);
    skip();
    const sent = expectTx(MD100 + 1000000, tx().peer(0));
    const b = router().v3().peer('192.0.2.1').from('192.0.2.2').prio(50);
    b.up(MD100 + 1000000);
    skip();
    const len = wrapOut(sent, 64);
    expect(core.handleDatagram(MD100 + 1000001, b.socket, 4, 64, len)).toBe(abi.RX_OK);
  });
});

function cs(o: Out): i32 {
  return (<i32>o.bytes[6] << 8) | <i32>o.bytes[7];
}

