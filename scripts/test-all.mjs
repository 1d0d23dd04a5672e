#!/usr/bin/env node
// The project's one test command (npm test, also run by .ci/run): builds the core, runs the as-pect specs of the
// core and every node:test file, and ends with one plain "N passed, N failed" line covering both.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  return r;
}

let passed = 0;
let failed = 0;
let skipped = 0;

/** run() without blocking: resolves with the same fields once the process is done (output printed then). */
function runAsync(cmd, args) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { cwd: root });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('close', (status) => {
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      resolve({ status, stdout, stderr });
    });
  });
}

// 1. Build the core (a compile error is one failure and stops here: nothing else can run). The three targets and
// the host bundle are independent: two at a time on the 2-core machines.
const builds = await Promise.all([
  runAsync('npx', ['asc', 'assembly/index.ts', '--target', 'release']).then(async (r) => [['release', r], ['debug', await runAsync('npx', ['asc', 'assembly/index.ts', '--target', 'debug'])]]),
  runAsync('npx', ['asc', 'assembly/index.ts', '--target', 'rtrace']).then(async (r) => [['rtrace', r], ['host bundle', await runAsync('node', ['scripts/build-host.mjs'])]]),
]);
for (const [what, r] of builds.flat()) {
  if (r.status !== 0) {
    console.log(what === 'host bundle' ? 'host bundle failed' : `core build (${what}) failed`);
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
}

// 2. as-pect specs of the core and 3. the TypeScript host type-checks (one test): side by side.
const [asp, tsc] = await Promise.all([runAsync('npx', ['asp', '--summary']), runAsync('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])]);
const aspOut = strip((asp.stdout ?? '') + (asp.stderr ?? ''));
const m = /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/.exec(aspOut);
if (m) {
  const ok = Number(m[1]);
  const total = Number(m[2]);
  passed += ok;
  failed += total - ok;
  if (asp.status !== 0 && ok === total) failed += 1; // a compile error in a spec file
} else {
  failed += 1;
  console.log('as-pect printed no [Tests] summary');
}
if (tsc.status === 0) passed += 1;
else { failed += 1; console.log('typecheck failed'); }

// 4. node:test, in two phases: unit, simulator and host tests two files at a time; then everything that runs
// real daemons in network namespaces (e2e, interop with keepalived, fault scenarios) one file at a time, because
// VRRP at 0.1 s adverts — keepalived's especially — misbehaves when two such files share 2 cores.
// (The coverage-guided fuzz files of test/faults need no namespace, but they spin a core for 20 s each: beside the
// host tests that measure event-loop delay they made those fail, so they stay in the serial phase.)
const phases = [
  { dirs: ['test/host', 'test/sim'], concurrency: 2, pick: () => true },
  { dirs: ['test/e2e', 'test/interop', 'test/faults'], concurrency: 1, pick: () => true },
];
for (const phase of phases) {
  const files = phase.dirs.flatMap((d) => existsSync(join(root, d))
    ? readdirSync(join(root, d)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(d, f))
    : []).filter(phase.pick);
  if (files.length === 0) continue;
  const r = run('node', ['--import', 'tsx', '--test', `--test-concurrency=${phase.concurrency}`, '--test-reporter=spec', ...files], {
    env: { ...process.env, FORCE_COLOR: '0' },
    // A hung file must not eat CI's 90 minutes: the phase is cut off (and counted as a failure) after 40.
    timeout: 40 * 60 * 1000,
  });
  const out = strip(r.stdout ?? '');
  const p = /ℹ pass (\d+)/.exec(out);
  const f = /ℹ fail (\d+)/.exec(out);
  skipped += Number(/ℹ skipped (\d+)/.exec(out)?.[1] ?? 0);
  if (p && f) {
    passed += Number(p[1]);
    failed += Number(f[1]);
    if (r.status !== 0 && Number(f[1]) === 0) failed += 1;
  } else {
    failed += 1;
    console.log(`node --test printed no summary for ${phase.dirs.join(', ')}`);
  }
}

// Skips are named above by node:test ("# SKIP" with the reason); counted here so none goes unnoticed. The last
// line stays the plain "N passed, N failed" that CI reads.
if (skipped > 0) console.log(`${skipped} skipped (see "# SKIP" above for why)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
