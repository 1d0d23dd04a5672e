// The core's timer claim, as a test rather than a benchmark: 10 000 instances, O(log n) heap work per timer
// operation, adverts on schedule at advert_int 0.01 s. Work is counted, not timed: the debug build counts every
// sift of the timer heap and how many levels it moved (assembly/timer/work.ts; the release build has no
// counters), and the same workload on the release build must produce the same outputs at the same times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as abi from '../../host/core/abi.ts';
import { type RawExports, rawOf } from '../../host/core/raw.ts';
import { type Build, Core, type InstanceConfig, ipv4Wrap } from '../../host/core/wasm-core.ts';

const INTERVAL_US = 10_000; // advert_int 0.01 s, the fastest VRRPv3 allows
const T0 = 1_000_000;

/** Instance h: 250 VRIDs per socket, one VIP each (a /8 holds 65 536 of them, far more than we configure). */
function config(h: number, priority: number, src: string): InstanceConfig {
  return {
    socket: Math.floor(h / 250), version: 3, family: 4, vrid: 1 + (h % 250), priority, advertIntUs: INTERVAL_US, src,
    vips: [`10.${100 + Math.floor(h / 65_536)}.${Math.floor(h / 256) % 256}.${h % 256}`], garpMasterDelayUs: 0,
  };
}

/** xorshift32: deterministic phases, the same on every run, so the counted work is exact. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

interface Work { sifts: number; levels: number; maxLevels: number }

function work(x: RawExports): Work | null {
  if (x.timerWork() < 0) return null;
  const f = new Float64Array(x.memory.buffer, x.infoPtr(), 3);
  return { sifts: f[0], levels: f[1], maxLevels: f[2] };
}

interface MixedRun { transmits: number; received: number; work: Work | null; transcript: number }

/**
 * n instances: the even ones owners (priority 255, MASTER at once, an advert every 10 ms), the odd ones backups
 * (priority 100) that hear a priority-200 peer every 10 ms at a fixed random phase each, so every 10 ms each
 * instance's deadline moves once: a master's by one interval, a backup's by Master_Down_Interval. Runs `simUs`
 * of virtual time, waking at every deadline; returns the heap's work over the run (not the start-up) and a hash
 * of every output with its time.
 */
function mixedRun(build: Build, n: number, simUs: number): MixedRun {
  const core = new Core(build);
  const datagrams: Uint8Array[] = [];
  const backups: number[] = [];
  for (let h = 0; h < n; h++) {
    const backup = h % 2 === 1;
    core.configure(h, config(h, backup ? 100 : 255, '10.203.0.1'));
    if (backup) {
      backups.push(h);
      const msg = core.encodeAdvert({ ...config(h, 200, '10.203.0.2'), group: '224.0.0.18' });
      datagrams[h] = ipv4Wrap(msg, '10.203.0.2', '224.0.0.18', 255);
    }
  }
  const x = rawOf(core);
  for (let h = 0; h < n; h++) {
    x.start(T0 + h, h);
    while (x.pollOutput() !== abi.OUT_TIMEOUT);
  }
  const rnd = xorshift(0x5eed + n);
  const phase = backups.map(() => rnd() % INTERVAL_US);
  const order = backups.map((_, k) => k).sort((a, b) => phase[a] - phase[b]);
  const outI32 = new Int32Array(x.memory.buffer, x.outPtr(), 8);
  const outF64 = new Float64Array(x.memory.buffer, x.outPtr(), 4);
  const rx = new Uint8Array(x.memory.buffer, x.rxPtr() + abi.ADDR_OFF, abi.RX_CAP);
  const before = work(x);
  const end = T0 + simUs;
  let transmits = 0, received = 0, transcript = 0x811c9dc5, cycle = 0, j = 0;
  const mix = (v: number) => { transcript = Math.imul(transcript ^ (v >>> 0), 0x01000193) >>> 0; };
  let deadline = x.nextDeadline();
  for (;;) {
    const feedAt = T0 + cycle * INTERVAL_US + phase[order[j]];
    const now = Math.min(feedAt, deadline);
    if (now > end) break;
    if (feedAt <= deadline) {
      const h = backups[order[j]];
      rx.set(datagrams[h]);
      const v = x.handleDatagram(now, Math.floor(h / 250), 4, 255, datagrams[h].length);
      assert.equal(v, abi.RX_OK, `backup ${h} refused its master's advert at ${now}`);
      received++;
      if (++j === order.length) { j = 0; cycle++; }
    } else {
      x.handleTimeout(now, 0);
    }
    for (;;) {
      const k = x.pollOutput();
      if (k === abi.OUT_TIMEOUT) { deadline = outF64[3]; break; }
      assert.notEqual(k, abi.OUT_STATE, `instance ${outI32[1]} changed state at ${now}: nobody should`);
      if (k === abi.OUT_TRANSMIT) transmits++;
      mix(k); mix(outI32[1]); mix(now);
    }
  }
  const after = work(x);
  const w = before && after
    ? { sifts: after.sifts - before.sifts, levels: after.levels - before.levels, maxLevels: after.maxLevels }
    : null;
  return { transmits, received, work: w, transcript };
}

test('timer heap work per operation grows like log n (100, 1 000, 10 000 instances; counted by the debug build)', () => {
  const SIM_US = 200_000; // 20 intervals: every instance's deadline moves 20 times
  const rows = [100, 1000, 10_000].map((n) => {
    const r = mixedRun('debug', n, SIM_US);
    assert.ok(r.work, 'the debug build counts the heap\'s work (timerWork() >= 0)');
    const w = r.work;
    // Every advert sent and every advert heard moved one deadline: one sift each, nothing else.
    assert.ok(r.transmits >= (n / 2) * 19 && r.received >= (n / 2) * 19, `n=${n}: ${r.transmits} sent, ${r.received} heard`);
    assert.equal(w.sifts, r.transmits + r.received, `n=${n}: one heap operation per deadline change`);
    const height = Math.floor(Math.log2(n));
    // A binary heap never moves an entry more than its height; a linear structure would move up to n.
    assert.ok(w.maxLevels <= height, `n=${n}: one operation moved ${w.maxLevels} levels, the heap is ${height} high`);
    return { n, perOp: w.levels / w.sifts, max: w.maxLevels, height };
  });
  const [a, b, c] = rows;
  const table = rows.map((r) => `n=${r.n}: ${r.perOp.toFixed(3)} levels/op (max ${r.max}, height ${r.height})`).join('; ');
  console.log(`# ${table}`);
  for (const r of rows) assert.ok(r.perOp <= Math.log2(r.n), `n=${r.n}: ${r.perOp} levels per operation > log2 n`);
  // Logarithmic: each tenfold step in n adds about the same amount of work (a linear heap would multiply it by 10).
  const step1 = b.perOp - a.perOp, step2 = c.perOp - b.perOp;
  assert.ok(step1 > 0 && step2 > 0, `work per operation should grow with n: ${table}`);
  assert.ok(step2 < 2 * step1, `the second tenfold step added ${step2.toFixed(3)}, the first ${step1.toFixed(3)}: not logarithmic (${table})`);
  assert.ok(c.perOp / a.perOp < 3, `100x the instances cost ${(c.perOp / a.perOp).toFixed(2)}x the work per operation (${table})`);
});

test('the release build runs the counted workload to the same outputs at the same times as the debug build', () => {
  for (const n of [100, 1000]) {
    const rel = mixedRun('release', n, 100_000);
    const dbg = mixedRun('debug', n, 100_000);
    assert.equal(rel.work, null, 'the release build has no counters');
    assert.ok(rel.transmits > 0 && rel.received > 0);
    assert.deepEqual([rel.transmits, rel.received, rel.transcript], [dbg.transmits, dbg.received, dbg.transcript], `n=${n}`);
  }
});

/**
 * 10 000 owners at advert_int 0.01 s in the release build, started 1 µs apart, for one simulated second (a
 * million adverts after the one each sends as it starts). The k-th advert of instance h is due at T0 + h + k x 10 ms. `lateUs` makes the host wake
 * late by up to that much (seeded), `slackUs` is handleTimeout's slack (the daemon passes 1 000).
 */
function scheduleRun(lateUs: number, slackUs: number): { adverts: number; worstEarly: number; worstLate: number } {
  const N = 10_000;
  const core = new Core('release');
  for (let h = 0; h < N; h++) core.configure(h, config(h, 255, '10.203.0.1'));
  const x = rawOf(core);
  const due = new Float64Array(N);
  for (let h = 0; h < N; h++) {
    x.start(T0 + h, h);
    let sent = 0;
    for (let k = x.pollOutput(); k !== abi.OUT_TIMEOUT; k = x.pollOutput()) if (k === abi.OUT_TRANSMIT) sent++;
    assert.equal(sent, 1, `owner ${h} advertises at once when it starts`);
    due[h] = T0 + h + INTERVAL_US;
  }
  const outI32 = new Int32Array(x.memory.buffer, x.outPtr(), 8);
  const outF64 = new Float64Array(x.memory.buffer, x.outPtr(), 4);
  const rnd = xorshift(0x1a7e);
  // One second after the last start: each owner has exactly 100 adverts due after its first.
  const end = T0 + N - 1 + 1_000_000;
  let adverts = 0, worstEarly = 0, worstLate = 0;
  let deadline = x.nextDeadline();
  while (deadline <= end) {
    const now = deadline + (lateUs > 0 ? rnd() % (lateUs + 1) : 0);
    x.handleTimeout(now, slackUs);
    for (;;) {
      const k = x.pollOutput();
      if (k === abi.OUT_TIMEOUT) { deadline = outF64[3]; break; }
      assert.equal(k, abi.OUT_TRANSMIT, `only adverts after start-up, got kind ${k}`);
      const h = outI32[1];
      // Sent no earlier than the slack allows, no later than the wake-up, and the next one stays on the grid.
      const off = now - due[h];
      if (off < -slackUs || off > lateUs) assert.fail(`owner ${h}: advert due at ${due[h]} sent at ${now} (${off} µs)`);
      worstEarly = Math.min(worstEarly, off);
      worstLate = Math.max(worstLate, off);
      due[h] += INTERVAL_US;
      adverts++;
    }
  }
  for (let h = 0; h < N; h++) {
    // Nothing due by the end is left unsent, and nobody got ahead of its schedule by a whole interval.
    if (!(due[h] > end && due[h] <= end + INTERVAL_US + slackUs)) assert.fail(`owner ${h}: next advert due at ${due[h]}, run ended at ${end}`);
  }
  return { adverts, worstEarly, worstLate };
}

test('10 000 masters at advert_int 0.01 s: every advert exactly on schedule for one virtual second (host wakes at each deadline)', () => {
  const r = scheduleRun(0, 0);
  assert.equal(r.adverts, 10_000 * 100, 'a million adverts: 100 per instance after its first');
  assert.deepEqual([r.worstEarly, r.worstLate], [0, 0]);
});

test('10 000 masters at advert_int 0.01 s, host waking up to 0.5 ms late with the daemon\'s 1 ms slack: adverts stay on their grid', () => {
  const r = scheduleRun(500, 1000);
  console.log(`# ${r.adverts} adverts, from ${r.worstEarly} to +${r.worstLate} µs off schedule`);
  // Within 1 %: with slack, adverts due just after the last wake-up go out early, inside the window.
  assert.ok(Math.abs(r.adverts - 1_000_000) <= 10_000, `${r.adverts} adverts`);
  assert.ok(r.worstEarly < 0 && r.worstLate > 0, 'the slack and the late wake-ups were both exercised');
});
