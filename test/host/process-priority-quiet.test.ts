// release() after start-up or a reload: realtime comes back only once the event loop has gone quiet, because the
// burst's queued work (200 state changes, logs, notifies) runs on the turns after the code that held it returns
// (CI once saw SIGXCPU 20 ms after a release that restored realtime at once). No realtime here (rtPriority null:
// the test process must not run SCHED_RR); the e2e test daemon-priority checks the scheduling itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '../../host/log.ts';
import { ProcessPriorityControl, QUIET_MAX_MS, QUIET_WINDOW_MS } from '../../host/daemon/process-priority.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keep the event loop busy: 8 ms of spinning per turn, for `ms`. */
async function busy(ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t = Date.now() + 8;
    while (Date.now() < t) { /* spin */ }
    await new Promise((r) => setImmediate(r));
  }
}

test('release(): not while the loop is busy; within a few windows of it going quiet', async () => {
  const p = new ProcessPriorityControl(new Logger([]));
  p.hold();
  let releasedAt = 0;
  p.release('test', () => { releasedAt = Date.now(); });
  await busy(300);
  assert.equal(releasedAt, 0, 'released while the loop was still busy');
  assert.equal(p.holding, true);
  const quietFrom = Date.now();
  await sleep(QUIET_WINDOW_MS * 6);
  assert.ok(releasedAt > 0, 'not released after the loop went quiet');
  assert.ok(releasedAt - quietFrom <= QUIET_WINDOW_MS * 4, `released ${releasedAt - quietFrom} ms after going quiet`);
  assert.equal(p.holding, false);
  p.reset();
});

test('release(): a loop that never goes quiet gets realtime back after QUIET_MAX_MS', async () => {
  const p = new ProcessPriorityControl(new Logger([]));
  p.hold();
  const start = Date.now();
  let releasedAt = 0;
  p.release('test', () => { releasedAt = Date.now(); });
  await busy(QUIET_MAX_MS + 300);
  assert.ok(releasedAt > 0, 'never released');
  const after = releasedAt - start;
  assert.ok(after >= QUIET_MAX_MS && after <= QUIET_MAX_MS + 250, `released after ${after} ms`);
  p.reset();
});

test('hold() during a pending release cancels it; reset() cancels it too', async () => {
  const p = new ProcessPriorityControl(new Logger([]));
  p.hold();
  let released = 0;
  p.release('test', () => { released++; });
  p.hold();
  await sleep(QUIET_WINDOW_MS * 4);
  assert.equal(released, 0, 'a hold() after release() must win');
  assert.equal(p.holding, true);
  p.release('test', () => { released++; });
  p.reset();
  await sleep(QUIET_WINDOW_MS * 4);
  assert.equal(released, 0);
  assert.equal(p.holding, false);
});
