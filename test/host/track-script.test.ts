// vrrp_script: keepalived's rise/fall counter as a table, then real scripts on short intervals.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ScriptRunner } from '../../host/exec/run-script.ts';
import { type Counter, VrrpScriptTracker, initialCounter, judge, statusOf, step } from '../../host/track/vrrp-script.ts';

/** Feed a string of results ('+' success, '-' failure); returns the status after each and the transitions. */
function run(seq: string, rise: number, fall: number, initFail = false): { statuses: string; changes: string } {
  let c: Counter = initialCounter(rise, initFail);
  let statuses = statusOf(c, rise)[0];
  let changes = '';
  for (const ch of seq) {
    const r = step(c, ch === '+', rise, fall);
    c = r.next;
    statuses += statusOf(c, rise)[0];
    changes += r.change === 'up' ? 'U' : r.change === 'down' ? 'D' : '.';
  }
  return { statuses, changes };
}

describe('rise/fall counter', () => {
  it('starts at rise-1: one success brings it up', () => {
    assert.deepEqual(run('+', 2, 3), { statuses: 'iu', changes: 'U' });
  });
  it('a failure before the first success brings it down at once', () => {
    assert.deepEqual(run('-', 2, 3), { statuses: 'id', changes: 'D' });
  });
  it('fall 3: three consecutive failures to go down, rise 2: two successes to come back', () => {
    assert.deepEqual(run('+--+---++', 2, 3), { statuses: 'iuuuuuuddu', changes: 'U.....D.U' });
  });
  it('init_fail starts down; needs rise successes', () => {
    assert.deepEqual(run('+++', 2, 1, true), { statuses: 'dduu', changes: '.U.' });
  });
  it('rise 1 fall 1 follows every result', () => {
    assert.deepEqual(run('+-+-', 1, 1), { statuses: 'iudud', changes: 'UDUD' });
  });
  it('judges exits like keepalived', () => {
    assert.equal(judge('c', { kind: 'exited', code: 0 }, null).success, true);
    assert.deepEqual(judge('c', { kind: 'exited', code: 2 }, 0), { success: false, logs: ['Script `c` now returning 2'], status: 2, reason: 'failed (exited with status 2)' });
    assert.equal(judge('c', { kind: 'timed_out', signal: 'SIGTERM' }, 0).reason, 'timed_out');
    assert.equal(judge('c', { kind: 'signaled', signal: 'SIGKILL' }, 0).reason, 'failed (due to signal 9)');
    assert.equal(judge('c', { kind: 'exited', code: 127 }, 0, 'nonexistent-cmd').success, true);
  });
});

describe('VrrpScriptTracker with real scripts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-track-script-'));
  const runner = new ScriptRunner({ maxConcurrent: 8 });
  after(async () => { await runner.close(); rmSync(dir, { recursive: true, force: true }); });
  const flag = join(dir, 'healthy');

  it('follows a service going down and up with fall 3 / rise 2', async () => {
    writeFileSync(flag, '');
    const logs: string[] = [];
    const changes: string[] = [];
    const t = new VrrpScriptTracker({
      name: 'chk_nginx', command: { mode: 'shell', line: `test -e ${flag}`, uid: 0, gid: 0 },
      intervalMs: 60, timeoutMs: 0, rise: 2, fall: 3, initFail: false, runner,
      log: { info: (l) => logs.push(l) }, onChange: (s) => changes.push(s),
    });
    t.start();
    const until = async (pred: () => boolean, ms: number) => {
      const end = performance.now() + ms;
      while (!pred() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
      assert.ok(pred(), `timed out; changes=${changes} logs=${logs.join(' | ')}`);
    };
    // Bounds are generous: a loaded CI machine once took over 2 s to spawn the first runs.
    await until(() => changes.length === 1, 10_000);
    assert.equal(t.status, 'up');
    rmSync(flag);
    const runsAtFail = t.runs;
    await until(() => changes.length === 2, 10_000);
    assert.equal(t.status, 'down');
    assert.ok(t.runs - runsAtFail >= 3, 'needed three failures');
    writeFileSync(flag, '');
    const runsAtRise = t.runs;
    await until(() => changes.length === 3, 10_000);
    t.stop();
    assert.ok(t.runs - runsAtRise >= 2, 'needed two successes');
    assert.deepEqual(changes, ['up', 'down', 'up']);
    assert.ok(logs.includes('VRRP_Script(chk_nginx) succeeded'));
    assert.ok(logs.includes('VRRP_Script(chk_nginx) failed (exited with status 1)'), logs.join('\n'));
    assert.ok(logs.includes('Script `chk_nginx` now returning 1'));
  });

  it('a script that hangs is killed, counted as a failure, and later runs are skipped with keepalived\'s line', async () => {
    const logs: string[] = [];
    const changes: string[] = [];
    const t = new VrrpScriptTracker({
      name: 'chk_hang', command: { mode: 'shell', line: "trap '' TERM; sleep 1000", uid: 0, gid: 0 },
      intervalMs: 100, timeoutMs: 150, rise: 1, fall: 1, initFail: false, runner,
      log: { info: (l) => logs.push(l) }, onChange: (s) => changes.push(s),
    });
    t.start();
    // timeout 150 ms, SIGTERM ignored, SIGKILL 2 s later.
    const end = performance.now() + 4000;
    while (changes.length === 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    t.stop();
    assert.deepEqual(changes, ['down']);
    assert.ok(logs.includes('VRRP_Script(chk_hang) timed_out'), logs.join('\n'));
    assert.ok(logs.includes('Track script chk_hang is already running, expect idle - skipping run'));
    assert.ok(logs.includes('Track script chk_hang is being timed out, expect idle - skipping run'));
    assert.ok(t.skipped >= 10, `skipped ${t.skipped}`);
    assert.equal(t.runs, 1);
  });
});
