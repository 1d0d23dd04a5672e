// vrrp_track_process over the real process table, with child processes this test starts and stops.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TrackProcess } from '../../host/config/model.ts';
import { ProcessTracker, paramsMatch, processMatches, scanProcTable } from '../../host/track/track-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'vipd-tp-'));
const name = `vt${process.pid % 10000}slp`;
const bin = join(dir, name);
copyFileSync('/bin/sleep', bin);
const kids = new Set<ChildProcess>();
const start = (...args: string[]) => {
  const c = spawn(bin, args.length ? args : ['1000'], { stdio: 'ignore' });
  kids.add(c);
  c.on('exit', () => kids.delete(c));
  return c;
};
const stop = async (c: ChildProcess) => {
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
};
process.on('exit', () => { for (const c of kids) c.kill('SIGKILL'); });
after(async () => {
  await Promise.all([...kids].map(stop));
  rmSync(dir, { recursive: true, force: true });
});

const def = (over: Partial<TrackProcess>): TrackProcess => ({
  at: { file: 't', line: 1, col: 1 } as never, name: 'p', argv: [name], paramMatch: 'exact', weight: 0, reverse: false,
  quorum: 1, quorumMax: 0xffffffff, forkDelayUs: 0, terminateDelayUs: 0, fullCommand: false, ...over,
});

describe('process matching', () => {
  it('compares parameters like keepalived check_params', () => {
    assert.equal(paramsMatch([], '', 'exact'), true);
    assert.equal(paramsMatch([], 'a\0', 'exact'), false);
    assert.equal(paramsMatch(['a', 'b'], 'a\0b\0', 'exact'), true);
    assert.equal(paramsMatch(['a'], 'a\0b\0', 'exact'), false);
    assert.equal(paramsMatch(['a'], 'a\0b\0', 'partial'), true);
    assert.equal(paramsMatch(['a'], 'ab\0', 'partial'), false);
    assert.equal(paramsMatch(['a'], 'ab\0', 'initial'), true);
    assert.equal(paramsMatch([], 'x\0', 'initial'), true);
  });
  it('matches comm without full_command, argv with it', () => {
    const e = { pid: 1, comm: 'nginx', cmdline: '/usr/sbin/nginx\0-g\0daemon off;\0' };
    assert.equal(processMatches({ name: 'n', argv: ['nginx'], paramMatch: 'exact', fullCommand: false }, e), true);
    assert.equal(processMatches({ name: 'n', argv: ['/usr/sbin/nginx'], paramMatch: 'exact', fullCommand: false }, e), true);
    assert.equal(processMatches({ name: 'n', argv: ['/usr/sbin/nginx', '-g'], paramMatch: 'partial', fullCommand: true }, e), true);
    assert.equal(processMatches({ name: 'n', argv: ['/usr/sbin/nginx', '-g'], paramMatch: 'exact', fullCommand: true }, e), false);
  });
});

describe('ProcessTracker', () => {
  for (const useEvents of [true, false]) it(`gains and loses quorum as real processes start and stop (${useEvents ? 'process events' : '/proc scans'})`, async () => {
    const events: [string, boolean, number][] = [];
    const t = new ProcessTracker({
      processes: [def({ name: 'two', quorum: 2, quorumMax: 3 }), def({ name: 'args', argv: [bin, '1001'], fullCommand: true })],
      intervalMs: 40, events: useEvents, log: { info: () => {} }, onChange: (n, q, c) => events.push([n, q, c]),
    });
    const initial = await t.start();
    assert.equal(t.mode, useEvents ? 'events' : 'scan');
    assert.deepEqual([...initial], [['two', false], ['args', false]]);
    const waitFor = async (pred: () => boolean) => {
      const end = performance.now() + 3000;
      while (!pred() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
      assert.ok(pred(), JSON.stringify(events));
    };
    try {
      const a = start();
      await waitFor(() => t.count('two') === 1);
      assert.equal(t.quorum('two'), false);
      const b = start('1001');
      await waitFor(() => t.quorum('two') && t.quorum('args'));
      const c = start();
      const d = start();
      await waitFor(() => t.count('two') === 4);
      assert.equal(t.quorum('two'), false, 'above quorum_max');
      await stop(d);
      await stop(b);
      await waitFor(() => t.count('two') === 2 && !t.quorum('args'));
      assert.equal(t.quorum('two'), true);
      await stop(a);
      await stop(c);
      await waitFor(() => !t.quorum('two'));
      assert.deepEqual(events.map(([n, q]) => `${n}:${q}`), ['two:true', 'args:true', 'two:false', 'two:true', 'args:false', 'two:false']);
      if (useEvents) assert.equal(t.scans, 1, 'no scan after the first one');
      else assert.ok(t.scans > 5, `${t.scans} scans`);
    } finally {
      t.close();
    }
  });

  it('applies terminate_delay before losing quorum', async () => {
    const events: boolean[] = [];
    const t = new ProcessTracker({
      processes: [def({ name: 'd', terminateDelayUs: 300_000 })], intervalMs: 30, log: { info: () => {} }, onChange: (_n, q) => events.push(q),
    });
    const a = start();
    await new Promise((r) => setTimeout(r, 50));
    await t.start();
    try {
      assert.equal(t.quorum('d'), true);
      const t0 = performance.now();
      await stop(a);
      while (events.length === 0 && performance.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
      const took = performance.now() - t0;
      assert.deepEqual(events, [false]);
      assert.ok(took >= 290, `lost quorum after ${took} ms`);
    } finally {
      t.close();
    }
  });

  it('scans the table without zombies and with command lines', async () => {
    const rows = await scanProcTable(true);
    const me = rows.find((r) => r.pid === process.pid);
    assert.ok(me && me.cmdline && me.cmdline.length > 0);
    assert.ok(rows.length > 5);
  });
});

describe('ProcessTracker on the kernel\'s process events', () => {
  const N = 50;
  const within = async (pred: () => boolean, ms: number) => {
    const t0 = performance.now();
    while (!pred() && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 2));
    return performance.now() - t0;
  };

  it(`sees the loss of one of ${N} processes and a new exec far within the 1 s scan period`, async () => {
    const sleepers = Array.from({ length: N }, () => start('1002'));
    await within(() => false, 100); // let them exec
    const changes: [boolean, number, number][] = [];
    const logs: string[] = [];
    const t = new ProcessTracker({
      processes: [def({ name: 'n', argv: [bin, '1002'], fullCommand: true, quorum: N })],
      log: { info: (m) => logs.push(m) }, onChange: (_n, q, c) => changes.push([q, c, performance.now()]),
    });
    await t.start();
    try {
      assert.equal(t.mode, 'events', logs.join('; '));
      assert.ok(logs.some((l) => l.includes('process events')), logs.join('; '));
      assert.equal(t.count('n'), N);
      assert.equal(t.quorum('n'), true);

      const k0 = performance.now();
      sleepers[0].kill('SIGKILL');
      await within(() => changes.length === 1, 1000);
      assert.deepEqual(changes.map(([q, c]) => [q, c]), [[false, N - 1]]);
      const lost = changes[0][2] - k0;
      assert.ok(lost < 100, `loss seen after ${lost.toFixed(1)} ms`);

      const s0 = performance.now();
      start('1002');
      await within(() => changes.length === 2, 1000);
      assert.deepEqual(changes.map(([q, c]) => [q, c]), [[false, N - 1], [true, N]]);
      const gained = changes[1][2] - s0;
      assert.ok(gained < 100, `exec seen after ${gained.toFixed(1)} ms`);

      // A process that does not match (other parameters) changes nothing.
      start('1003');
      await within(() => false, 50);
      assert.equal(t.count('n'), N);
      // Unrelated processes (another name, its fork and exit) are filtered out before they reach JS.
      const applied = t.eventsApplied;
      execFileSync('/bin/sh', ['-c', '/bin/true; /bin/true']);
      await within(() => false, 50);
      assert.equal(t.eventsApplied, applied, 'events of unrelated processes were delivered');
      assert.equal(t.scans, 1, 'only the initial scan: the events did the rest');
      assert.ok(t.eventsApplied >= 2, `${t.eventsApplied} events`);
      assert.equal(t.overruns, 0);
    } finally {
      t.close();
    }
  });

  it('counts a fork that does not exec (a subshell) and its exit', async () => {
    const sh = join(dir, `vt${process.pid % 10000}sh`);
    copyFileSync('/bin/sh', sh);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const t = new ProcessTracker({ processes: [def({ name: 'sh', argv: [sh], quorum: 2, quorumMax: 2 })], log: { info: () => {} }, onChange: () => {} });
    await t.start();
    // The subshell is a fork of the shell blocked opening the fifo: same name, no exec.
    const c = spawn(sh, ['-c', `(read x < ${fifo}) & wait`], { stdio: 'ignore', detached: true });
    try {
      assert.equal(t.mode, 'events');
      const took = await within(() => t.quorum('sh'), 1000);
      assert.ok(t.quorum('sh') && took < 100, `2 shells seen after ${took.toFixed(1)} ms, count ${t.count('sh')}`);
      process.kill(-c.pid!, 'SIGKILL');
      const gone = await within(() => t.count('sh') === 0, 1000);
      assert.ok(t.count('sh') === 0 && gone < 100, `exits seen after ${gone.toFixed(1)} ms, count ${t.count('sh')}`);
      assert.equal(t.scans, 1);
    } finally {
      t.close();
      try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
  });
});
