// Timers: Skew_Time and Master_Down_Interval per version (keepalived-behaviour.md §10.3), advert_int rounding
// (§10.7), and the engine's timer heap (assembly/timer/queue.ts) with many instances.
import * as abi from '../../assembly/abi';
import * as core from '../../assembly/index';
import * as queue from '../../assembly/timer/queue';
import { Instance } from '../../assembly/vrrp/instance';
import { masterDownUs, roundInterval, skewUs } from '../../assembly/vrrp/timers';
import { NEVER } from '../../assembly/time';
import { deadline, expectState, info, next, peek, pending, reset, router, runUntil, skip } from './helpers';

function inst(version: i32, prio: i32, masterIntUs: i64): Instance {
  const i = new Instance();
  i.version = version;
  i.basePriority = prio;
  i.effPriority = prio;
  i.masterAdverIntUs = masterIntUs;
  i.adverIntUs = masterIntUs;
  return i;
}

describe('Skew_Time and Master_Down_Interval (§10.3)', () => {
  it('v2: skew is (256 - P) / 256 s whatever the interval', () => {
    expect(skewUs(inst(2, 100, 1000000))).toBe(609375);
    expect(skewUs(inst(2, 100, 5000000))).toBe(609375);
    expect(skewUs(inst(2, 1, 1000000))).toBe(996093);
    expect(skewUs(inst(2, 254, 1000000))).toBe(7812);
    expect(masterDownUs(inst(2, 100, 1000000))).toBe(3609375, 'the 3.609 s of §10.3');
    expect(masterDownUs(inst(2, 100, 5000000))).toBe(15609375);
  });

  it('v3: skew scales with Master_Adver_Interval', () => {
    expect(skewUs(inst(3, 100, 1000000))).toBe(609375);
    expect(skewUs(inst(3, 100, 100000))).toBe(60937);
    expect(masterDownUs(inst(3, 100, 100000))).toBe(360937, 'the 0.361 s of §10.3');
    expect(masterDownUs(inst(3, 250, 10000))).toBe(30234, 'the 0.0302 s of §10.3');
  });

  it('µs precision keeps backups apart at 10 ms, where whole centiseconds would tie them', () => {
    expect(skewUs(inst(3, 250, 10000)) != skewUs(inst(3, 251, 10000))).toBe(true);
  });

  it('the skew follows the effective priority; an owner skews as 255', () => {
    const i = inst(2, 100, 1000000);
    i.effPriority = 200;
    expect(skewUs(i)).toBe(218750);
    const o = inst(2, 255, 1000000);
    expect(skewUs(o)).toBe(3906);
  });

  it('down_timer_adverts multiplies the master interval', () => {
    const i = inst(3, 100, 1000000);
    i.downAdverts = 10;
    expect(masterDownUs(i)).toBe(10609375);
  });

  it('the engine reports the same figures through inspect()', () => {
    reset();
    router().v3().interval(100000).up(0);
    expect(info().mdiUs).toBe(360937);
    expect(info().masterDownAt).toBe(360937);
    router().v3().prio(250).interval(10000).up(0);
    expect(info().mdiUs).toBe(30234);
    router().prio(100).interval(5000000).up(0);
    expect(info().mdiUs).toBe(15609375);
    skip();
  });
});

describe('advert_int rounding (§10.7)', () => {
  it('v2: nearest whole second, at least 1, at most 255', () => {
    expect(roundInterval(2, 1000000)).toBe(1);
    expect(roundInterval(2, 400000)).toBe(1, '0.4 -> 1');
    expect(roundInterval(2, 500000)).toBe(1);
    expect(roundInterval(2, 1500000)).toBe(2, '1.5 -> 2');
    expect(roundInterval(2, 2499999)).toBe(2);
    expect(roundInterval(2, 10000)).toBe(1, '0.01 -> 1 (issue #1615: never 0)');
    expect(roundInterval(2, 0)).toBe(1);
    expect(roundInterval(2, 255000000)).toBe(255);
    expect(roundInterval(2, 300000000)).toBe(255);
  });

  it('v3: nearest 10 ms, 0.01 to 40.95 s', () => {
    expect(roundInterval(3, 1000000)).toBe(100);
    expect(roundInterval(3, 10000)).toBe(1);
    expect(roundInterval(3, 14999)).toBe(1);
    expect(roundInterval(3, 15000)).toBe(2);
    expect(roundInterval(3, 4000)).toBe(1);
    expect(roundInterval(3, 40950000)).toBe(4095);
    expect(roundInterval(3, 41000000)).toBe(4095);
    expect(roundInterval(3, 255000000)).toBe(4095);
  });

  it('the engine runs on the rounded interval (inspect, and a v2 backup\'s Master_Down_Interval)', () => {
    reset();
    router().interval(1500000).up(0);
    expect(info().ownCs).toBe(200);
    expect(info().mdiUs).toBe(6609375);
    router().v3().interval(123456).up(0);
    expect(info().ownCs).toBe(12);
    skip();
  });
});

// ---- the heap ----

let seed: u32 = 12345;
function rnd(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

function minOf(xs: Instance[]): i64 {
  let m = NEVER;
  for (let k = 0; k < xs.length; k++) if (xs[k].next < m) m = xs[k].next;
  return m;
}

function make(n: i32): Instance[] {
  queue.reserve(queue.queued() + n);
  const xs: Instance[] = [];
  for (let k = 0; k < n; k++) {
    const i = new Instance();
    i.handle = k;
    i.next = <i64>(rnd() % 100000);
    queue.update(i);
    xs.push(i);
  }
  return xs;
}

function clear(xs: Instance[]): void {
  for (let k = 0; k < xs.length; k++) queue.remove(xs[k]);
}

describe('timer heap', () => {
  beforeEach(() => { reset(); });

  it('is empty at first: earliest() is NEVER', () => {
    expect(queue.queued()).toBe(0);
    expect(queue.earliest()).toBe(NEVER);
  });

  it('yields 2000 deadlines in order (duplicates included)', () => {
    const xs = make(2000);
    expect(queue.queued()).toBe(2000);
    let last: i64 = -1;
    for (let k = 0; k < 2000; k++) {
      const t = queue.top();
      expect(t.next >= last).toBe(true, 'ordered');
      expect(t.next).toBe(queue.earliest());
      last = t.next;
      t.next = NEVER;
      queue.update(t); // no deadline: leaves the heap
    }
    expect(queue.queued()).toBe(0);
    expect(queue.earliest()).toBe(NEVER);
    clear(xs);
  });

  it('keeps the minimum through 5000 random moves up and down', () => {
    const xs = make(500);
    for (let k = 0; k < 5000; k++) {
      const i = xs[<i32>(rnd() % 500)];
      i.next = <i64>(rnd() % 100000);
      queue.update(i);
      expect(queue.earliest()).toBe(minOf(xs));
    }
    clear(xs);
  });

  it('removes from the middle, the top and the end, and re-inserts', () => {
    const xs = make(300);
    for (let k = 0; k < 300; k += 3) {
      queue.remove(xs[k]);
      xs[k].next = NEVER;
      expect(xs[k].heapPos).toBe(-1);
      expect(queue.earliest()).toBe(minOf(xs));
    }
    expect(queue.queued()).toBe(200);
    queue.remove(xs[0]); // twice: harmless
    expect(queue.queued()).toBe(200);
    for (let k = 0; k < 300; k += 3) {
      xs[k].next = 5;
      queue.update(xs[k]);
    }
    expect(queue.queued()).toBe(300);
    expect(queue.earliest()).toBe(5);
    clear(xs);
    expect(queue.queued()).toBe(0);
  });

  it('each heap position points back at its instance', () => {
    const xs = make(100);
    for (let k = 0; k < 100; k++) {
      const i = xs[k];
      // an instance's heapPos is where update() finds it: a no-op update leaves the order intact
      queue.update(i);
      expect(i.heapPos >= 0 && i.heapPos < 100).toBe(true);
    }
    expect(queue.earliest()).toBe(minOf(xs));
    clear(xs);
  });
});

describe('many instances in the engine', () => {
  beforeEach(() => { reset(); });

  it('250 backups with priorities 1..250 take over in priority order, one deadline at a time', () => {
    const s = 777;
    const hs: i32[] = [];
    for (let p = 1; p <= 250; p++) {
      const r = router().sock(s).id(p).prio(p);
      r.up(0);
      hs.push(r.handle);
    }
    skip();
    expect(deadline).toBe(3000000 + 23437, 'the highest priority is first: skew (256 - 250) / 256 s');
    expect(core.nextDeadline()).toBe(deadline);
    runUntil(4000000);
    let lastPrio = 251;
    let n = 0;
    for (;;) {
      const o = skipToState();
      if (o < 0) break;
      expect(o < lastPrio).toBe(true, 'descending priority');
      lastPrio = o;
      n++;
    }
    expect(n).toBe(250);
  });

  it('a removed instance leaves the heap and never fires', () => {
    const a = router().sock(778).id(1).prio(100);
    a.up(0);
    const b = router().sock(778).id(2).prio(200);
    b.up(0);
    skip();
    core.remove(b.handle);
    expect(core.nextDeadline()).toBe(3609375);
    runUntil(3609375);
    expectState(abi.STATE_BACKUP, abi.STATE_MASTER, abi.WHY_MASTER_DOWN, 3609375, a.handle);
  });
});

/** Skips to the next takeover; returns the base priority of the router that made it, or -1 when none is left. */
function skipToState(): i32 {
  while (pending() > 0) {
    const o = peek();
    skipOne();
    if (o.kind == abi.OUT_STATE && o.b == abi.STATE_MASTER) {
      core.inspect(o.handle);
      return load<i32>(core.infoPtr() + 8);
    }
  }
  return -1;
}

function skipOne(): void { next(peek().kind, 'any'); }
