// Real processes through the script runner: timeouts kill the whole group, floods stay capped, the concurrency
// bound holds, hung scripts do not delay the event loop.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { type PreparedCommand, type RunnerOptions, ScriptRunner, classify, shellQuote } from '../../host/exec/run-script.ts';
import { scriptEnv } from '../../host/exec/env.ts';
import { liveInGroup, zombiesOf } from './helpers/procs.ts';

const sh = (line: string): PreparedCommand => ({ mode: 'shell', line, uid: 0, gid: 0 });
const exec = (...argv: string[]): PreparedCommand => ({ mode: 'exec', file: argv[0], argv, uid: 0, gid: 0 });


// Both ways of starting processes: the native addon (used whenever it is built) and the child_process fallback.
for (const spawner of ['native', 'child_process'] as const) describe(`script runner (${spawner})`, () => {
  const mk = (o: RunnerOptions = {}) => new ScriptRunner({ ...o, spawner });
  const runner = mk({ maxConcurrent: 8 });
  after(() => runner.close());

  it(`starts processes with ${spawner}`, async () => {
    assert.deepEqual(await runner.spawner, { kind: spawner, reason: spawner === 'native' ? null : 'child_process requested' });
  });

  it('execs argv directly and reports the exit status', async () => {
    const r = await runner.run(exec('/bin/sh', '-c', 'echo "$0 $1"; exit 7', 'a b'), { timeoutMs: 5000, captureBytes: 256 });
    assert.deepEqual(r.outcome, { kind: 'exited', code: 7 });
    assert.equal(r.stdout, 'a b \n');
  });

  it('runs shell lines through /bin/sh -c and quotes extra arguments', async () => {
    const r = await runner.run(sh('printf "%s|" "$@"; echo'), { timeoutMs: 5000, captureBytes: 256, extraArgs: ["it's", 'x y'] });
    assert.equal(r.stdout, "|it's x y\n");
    const r2 = await runner.run(sh('f() { printf "%s|" "$@"; }; f'), { timeoutMs: 5000, captureBytes: 256, extraArgs: ["it's", 'x y'] });
    assert.equal(r2.stdout, "it's|x y|");
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });

  it('cleans the environment', async () => {
    const env = scriptEnv({ PATH: '/bin', IFS: 'x', LD_PRELOAD: '/evil.so', LD_LIBRARY_PATH: '/x', KEEP: '1' });
    assert.deepEqual(env, { PATH: '/bin', KEEP: '1' });
    const r = mk({ env: { PATH: '/usr/bin:/bin', LD_PRELOAD: '', IFS: ':', FOO: 'bar' } });
    try {
      const out = await r.run(sh('echo "${FOO}-${LD_PRELOAD-unset}-${LD_LIBRARY_PATH-unset}"'), { timeoutMs: 5000, captureBytes: 100 });
      assert.equal(out.stdout, 'bar-unset-unset\n');
    } finally {
      await r.close();
    }
  });

  it('runs as the requested uid/gid', async () => {
    const r = await runner.run({ mode: 'shell', line: 'id -u; id -g', uid: 65534, gid: 65534 }, { timeoutMs: 5000, captureBytes: 100 });
    assert.equal(r.stdout, '65534\n65534\n');
  });

  it('kills a script that sleeps forever: SIGTERM to the group, SIGKILL after the grace period, nothing left', async () => {
    // The script ignores SIGTERM and has a child in its group that also ignores it.
    const t0 = performance.now();
    let pid = 0;
    const r = await runner.run(sh("trap '' TERM; sleep 1000 & while :; do sleep 1; done"), { timeoutMs: 300, graceMs: 400 }, (p) => { pid = p; });
    const took = performance.now() - t0;
    assert.equal(r.outcome.kind, 'timed_out');
    assert.equal((r.outcome as { signal: string }).signal, 'SIGKILL');
    assert.ok(took >= 650 && took < 3000, `took ${took} ms`);
    assert.ok(pid > 0);
    // Give the kernel a moment to finish the group's deaths.
    for (let i = 0; i < 50 && liveInGroup(pid).length; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(liveInGroup(pid), [], 'no live process left in the script group');
    assert.deepEqual(zombiesOf(), [], 'every child of ours reaped');
  });

  it('counts a SIGTERM death after the timeout as timed_out, and other signals as signaled', async () => {
    const r = await runner.run(sh('sleep 1000'), { timeoutMs: 100 });
    assert.deepEqual(r.outcome, { kind: 'timed_out', signal: 'SIGTERM' });
    const r2 = await runner.run(sh('kill -9 $$'), { timeoutMs: 5000 });
    assert.deepEqual(r2.outcome, { kind: 'signaled', signal: 'SIGKILL' });
    assert.deepEqual(classify({ pid: 1, code: null, signal: 'SIGTERM', sentTerm: false, sentKill: false, spawnError: null }), { kind: 'signaled', signal: 'SIGTERM' });
    const r3 = await runner.run(exec('/nonexistent/prog'), { timeoutMs: 1000 });
    assert.equal(r3.outcome.kind, 'spawn_error');
  });

  it('caps a script flooding stdout without growing memory', async () => {
    const before = process.memoryUsage().rss;
    const r = await runner.run(sh('head -c 200000000 /dev/zero'), { timeoutMs: 20_000, captureBytes: 1024 });
    assert.deepEqual(r.outcome, { kind: 'exited', code: 0 });
    assert.equal(r.stdout.length, 1024);
    assert.equal(r.dropped, 200_000_000 - 1024);
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 64 * 1024 * 1024, `rss grew ${grown} bytes`);
  });

  it('bounds concurrency over thousands of short scripts', async () => {
    const r = mk({ maxConcurrent: 4 });
    let peak = 0;
    let live = 0;
    try {
      const n = 2000;
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < n; i++) {
        jobs.push(r.run(exec('/bin/true'), { timeoutMs: 10_000 }, () => { live++; peak = Math.max(peak, r.running); }).then((res) => {
          live--;
          assert.deepEqual(res.outcome, { kind: 'exited', code: 0 });
        }));
        assert.ok(r.running <= 4);
      }
      await Promise.all(jobs);
      assert.equal(live, 0);
      assert.ok(peak <= 4 && peak >= 2, `peak ${peak}`);
      assert.deepEqual(zombiesOf(), []);
    } finally {
      await r.close();
    }
  });

  it('rejects beyond the queue bound instead of growing', async () => {
    const r = mk({ maxConcurrent: 1, maxQueued: 2 });
    try {
      const a = r.run(sh('sleep 0.3'), { timeoutMs: 5000 });
      const b = r.run(sh('true'), { timeoutMs: 5000 });
      const c = r.run(sh('true'), { timeoutMs: 5000 });
      const d = await r.run(sh('true'), { timeoutMs: 5000 });
      assert.deepEqual(d.outcome, { kind: 'rejected' });
      assert.deepEqual((await a).outcome, { kind: 'exited', code: 0 });
      await Promise.all([b, c]);
    } finally {
      await r.close();
    }
  });

  it('a burst of hung scripts does not delay the event loop', async () => {
    // Our machines are shared and noisy (an idle loop shows several ms of max delay now and then), so each figure
    // is taken over three alternating baseline/burst windows and the best round is compared; the event-loop
    // utilisation shows the main-thread cost directly (spawning on the main thread costs ~6 ms per script).
    // The delay bound allows for CPU contention that is not ours: 50 shells starting at once take both cores of a
    // 2-core machine for tens of ms, and the scheduler then delays our thread by 2.5-16 ms even when a separate,
    // unrelated process starts them (measured); with child_process's slow fork()s the children trickled in instead.
    const r = mk({ maxConcurrent: 64 });
    await r.run(sh('true'), { timeoutMs: 1000 });
    const window = async (fn: () => void) => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      const e0 = performance.eventLoopUtilization();
      h.enable();
      fn();
      await new Promise((res) => setTimeout(res, 300));
      h.disable();
      return { maxMs: h.max / 1e6, activeMs: performance.eventLoopUtilization(e0).active };
    };
    try {
      const excess: number[] = [];
      const active: number[] = [];
      const jobs: Promise<{ outcome: { kind: string } }>[] = [];
      for (let round = 0; round < 3; round++) {
        const base = await window(() => {});
        const burst = await window(() => {
          for (let i = 0; i < 50; i++) jobs.push(r.run(sh('sleep 1000'), { timeoutMs: 200, graceMs: 100 }));
        });
        excess.push(burst.maxMs - base.maxMs);
        active.push(burst.activeMs - base.activeMs);
      }
      const results = await Promise.all(jobs);
      assert.ok(results.every((x) => x.outcome.kind === 'timed_out'));
      assert.ok(Math.min(...excess) < 5, `max event-loop delay over baseline per round: ${excess.map((x) => x.toFixed(2)).join(', ')} ms`);
      // Native spawning: ~3 ms for the 50 (messages only); child_process's fork() stalled this thread 45-90 ms.
      assert.ok(Math.min(...active) < ((await r.spawner).kind === 'native' ? 15 : 50), `main-thread busy time for 50 spawns: ${active.map((x) => x.toFixed(1)).join(', ')} ms`);
    } finally {
      await r.close();
    }
  });
});
