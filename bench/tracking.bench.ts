// Cost of health tracking: 100 vrrp_scripts at interval 1 s (/bin/true) over 20 s, and vrrp_track_process scans over
// 1 000 extra processes. Prints a table and one JSON line, also written to bench/results/tracking.json
// (tracking-child_process.json with VIPD_SPAWNER=child_process: scripts started the pre-addon way, by fork()).
//   node --import tsx bench/tracking.bench.ts            (BENCH_SECONDS=20 SCRIPTS=100 PROCS=1000 to change)
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ScriptRunner } from '../host/exec/run-script.ts';
import { projectPath } from '../host/paths.ts';
import { ProcScanner, ProcessTracker, scanProcTable } from '../host/track/track-process.ts';
import { VrrpScriptTracker } from '../host/track/vrrp-script.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SCRIPTS = Number(process.env.SCRIPTS ?? 100);
const PROCS = Number(process.env.PROCS ?? 1000);
const TICK = 100; // clock ticks per second (USER_HZ)

/** Our CPU (all threads) and our reaped children's, in ms, from /proc/self/stat. */
function cpu(): { self: number; children: number } {
  const st = readFileSync('/proc/self/stat', 'latin1');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  // fields after ")": state(0) ... utime(11) stime(12) cutime(13) cstime(14)
  return { self: ((Number(f[11]) + Number(f[12])) * 1000) / TICK, children: ((Number(f[13]) + Number(f[14])) * 1000) / TICK };
}

async function scriptsBench() {
  const runner = new ScriptRunner({ maxConcurrent: 32 });
  const log = { info: () => {} };
  const trackers = Array.from({ length: SCRIPTS }, (_, i) => new VrrpScriptTracker({
    name: `chk${i}`, command: { mode: 'exec', file: '/bin/true', argv: ['/bin/true'], uid: 0, gid: 0 },
    intervalMs: 1000, timeoutMs: 0, rise: 1, fall: 1, initFail: false, runner, log, onChange: () => {},
  }));
  const h = monitorEventLoopDelay({ resolution: 1 });
  const c0 = cpu();
  const elu0 = performance.eventLoopUtilization();
  h.enable();
  // Spread the first runs over the first second, as keepalived's start-up does not align them either.
  trackers.forEach((t, i) => setTimeout(() => t.start(), (i * 1000) / SCRIPTS));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  for (const t of trackers) t.stop();
  await runner.idle(5000);
  h.disable();
  const c1 = cpu();
  const elu = performance.eventLoopUtilization(elu0);
  await runner.close();
  const runs = trackers.reduce((a, t) => a + t.runs, 0);
  const skipped = trackers.reduce((a, t) => a + t.skipped, 0);
  return {
    scripts: SCRIPTS, seconds: SECONDS, runs, skipped,
    daemonCpuMs: Math.round(c1.self - c0.self),
    daemonCpuPct: +(((c1.self - c0.self) / (SECONDS * 1000)) * 100).toFixed(2),
    childrenCpuMs: Math.round(c1.children - c0.children),
    mainThreadBusyPct: +(elu.utilization * 100).toFixed(2),
    perRunDaemonCpuUs: Math.round(((c1.self - c0.self) * 1000) / Math.max(1, runs)),
    eventLoopDelayP99Ms: +(h.percentile(99) / 1e6).toFixed(2),
    eventLoopDelayMaxMs: +(h.max / 1e6).toFixed(2),
  };
}

async function processBench() {
  const kids: ChildProcess[] = [];
  const cleanup = () => { for (const k of kids) k.kill('SIGKILL'); };
  process.on('exit', cleanup);
  try {
    for (let i = 0; i < PROCS; i++) {
      const k = spawn('/bin/sleep', ['3600'], { stdio: 'ignore' });
      kids.push(k);
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 500));
    const result: Record<string, number> = { extraProcesses: PROCS };
    const scanner = new ProcScanner();
    for (const [how, withCmdline] of [['async', false], ['async', true], ['worker', false], ['worker', true]] as const) {
      const n = 20;
      const elu0 = performance.eventLoopUtilization();
      const c0 = cpu();
      const t0 = performance.now();
      let rows = 0;
      for (let i = 0; i < n; i++) rows = (how === 'async' ? await scanProcTable(withCmdline) : await scanner.scan(withCmdline)).length;
      const wall = (performance.now() - t0) / n;
      const c1 = cpu();
      const key = `${how}${withCmdline ? 'Cmdline' : 'Comm'}`;
      result[`${key}MainThreadMs`] = +(performance.eventLoopUtilization(elu0).active / n).toFixed(2);
      result.processesSeen = rows;
      result[`${key}WallMs`] = +wall.toFixed(2);
      result[`${key}CpuMs`] = +((c1.self - c0.self) / n).toFixed(2);
    }
    await scanner.close();
    // The tracker as configured in the daemon: one scan per second, 10 s.
    const tracker = new ProcessTracker({
      processes: [{ at: null as never, name: 'sleepers', argv: ['sleep'], paramMatch: 'exact', weight: 0, reverse: false, quorum: PROCS, quorumMax: 0xffffffff, forkDelayUs: 0, terminateDelayUs: 0, fullCommand: false }],
      intervalMs: 1000, log: { info: () => {} }, onChange: () => {},
    });
    const c0 = cpu();
    await tracker.start();
    result.quorumSeen = tracker.quorum('sleepers') ? 1 : 0;
    result.matching = tracker.count('sleepers');
    await new Promise((r) => setTimeout(r, 10_000));
    const c1 = cpu();
    tracker.close();
    result.trackerCpuPctAt1Hz = +(((c1.self - c0.self) / 10_000) * 100).toFixed(2);
    return result;
  } finally {
    cleanup();
    await Promise.all(kids.map((k) => (k.exitCode !== null || k.signalCode !== null ? null : new Promise((r) => k.once('exit', r)))));
    process.off('exit', cleanup);
  }
}

const scripts = await scriptsBench();
const procs = await processBench();
console.log('vrrp_script x%d, interval 1 s, %d s', SCRIPTS, SECONDS);
console.table(scripts);
console.log('vrrp_track_process over %d extra processes', PROCS);
console.table(procs);
const probe = new ScriptRunner();
const spawner = (await probe.spawner).kind;
await probe.close();
const json = JSON.stringify({ bench: 'tracking', date: new Date().toISOString(), node: process.version, spawner, load: readFileSync('/proc/loadavg', 'utf8').trim(), scripts, trackProcess: procs });
writeFileSync(projectPath(`bench/results/${spawner === 'native' ? 'tracking.json' : 'tracking-child_process.json'}`), json + '\n');
console.log(json);
