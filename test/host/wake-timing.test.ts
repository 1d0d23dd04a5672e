// The wake-up record behind `vipd status --json` `timer`: lateness histogram, longest send, and the ring of the
// latest wake-ups that sent, oldest first (the flood test lines it up with a capture).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LATE_BUCKETS_US, RECENT, WakeTiming } from '../../host/daemon/wake-timing.ts';

test('lateness lands in its bucket; early wake-ups count as on time; NaN sends stay out of the ring', () => {
  const w = new WakeTiming();
  w.record(1000, 990, 1010); // early: 0
  w.record(1000, 1099, NaN); // < 100
  w.record(1000, 1100, 1150); // 100..250
  w.record(1000, 1999, 2500); // 500..1000
  w.record(1000, 7000, 7100); // >= 5000
  const r = w.report();
  assert.equal(r.wakeups, 5);
  assert.equal(r.earlyWakeups, 1);
  assert.equal(r.lastLatenessUs, 6000);
  assert.equal(r.lateHistogram.length, LATE_BUCKETS_US.length + 1);
  assert.deepEqual(r.lateHistogram, [2, 1, 0, 1, 0, 0, 1]);
  assert.equal(r.lateMaxUs, 6000);
  assert.equal(r.sendMaxUs, 501);
  assert.deepEqual(r.recent.map((e) => e[1]), [990, 1100, 1999, 7000]);
  assert.ok(Math.abs(r.originUs - performance.timeOrigin * 1000) < 1);
});

test('the ring keeps the latest RECENT, oldest first', () => {
  const w = new WakeTiming();
  for (let k = 0; k < RECENT + 10; k++) w.record(k * 100, k * 100 + 1, k * 100 + 2);
  const r = w.report();
  assert.equal(r.recent.length, RECENT);
  assert.deepEqual(r.recent[0], [1000, 1001, 1002]);
  assert.deepEqual(r.recent.at(-1), [(RECENT + 9) * 100, (RECENT + 9) * 100 + 1, (RECENT + 9) * 100 + 2]);
});
