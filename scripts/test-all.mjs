#!/usr/bin/env node
// The project's one test command (npm test, also run by .ci/run): builds the core, runs the as-pect specs of the
// core and every node:test file, and ends with one plain "N passed, N failed" line covering both.
import { spawnSync } from 'node:child_process';
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

// 1. Build the core (a compile error is one failure and stops here: nothing else can run).
for (const target of ['release', 'debug', 'rtrace']) {
  const r = run('npx', ['asc', 'assembly/index.ts', '--target', target]);
  if (r.status !== 0) {
    console.log(`core build (${target}) failed`);
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
}

// The host bundle the daemon runs from (bin/vipd.js falls back to tsx when it is missing or stale).
if (run('node', ['scripts/build-host.mjs']).status !== 0) {
  console.log('host bundle failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// 2. as-pect specs of the core.
const asp = run('npx', ['asp', '--summary']);
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

// 3. The TypeScript host type-checks (one test).
const tsc = run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
if (tsc.status === 0) passed += 1;
else { failed += 1; console.log('typecheck failed'); }

// 4. node:test, in two phases: unit, simulator and host tests two files at a time; then everything that runs
// real daemons in network namespaces (e2e, interop with keepalived, fault scenarios) one file at a time, because
// VRRP at 0.1 s adverts — keepalived's especially — misbehaves when two such files share 2 cores.
const phases = [
  { dirs: ['test/host', 'test/sim'], concurrency: 2 },
  { dirs: ['test/e2e', 'test/interop', 'test/faults'], concurrency: 1 },
];
for (const phase of phases) {
  const files = phase.dirs.flatMap((d) => existsSync(join(root, d))
    ? readdirSync(join(root, d)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(d, f))
    : []);
  if (files.length === 0) continue;
  const r = run('node', ['--import', 'tsx', '--test', `--test-concurrency=${phase.concurrency}`, '--test-reporter=spec', ...files], {
    env: { ...process.env, FORCE_COLOR: '0' },
    // A hung file must not eat CI's 90 minutes: the phase is cut off (and counted as a failure) after 40.
    timeout: 40 * 60 * 1000,
  });
  const out = strip(r.stdout ?? '');
  const p = /ℹ pass (\d+)/.exec(out);
  const f = /ℹ fail (\d+)/.exec(out);
  if (p && f) {
    passed += Number(p[1]);
    failed += Number(f[1]);
    if (r.status !== 0 && Number(f[1]) === 0) failed += 1;
  } else {
    failed += 1;
    console.log(`node --test printed no summary for ${phase.dirs.join(', ')}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
