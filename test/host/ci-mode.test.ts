// CI mode: .ci/run exports CI=true, and under CI=true a tool the suite needs is a failure, not a skip. The
// dissector cross-check is run as a child with tshark off PATH and Python unable to start (so scapy is missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../host/paths.ts';

test('.ci/run exports CI=true to npm test (setup and npm stand-ins on PATH record what they get)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-ci-run-'));
  try {
    const log = join(dir, 'calls');
    // .ci/run runs `bash scripts/setup.sh` then `npm test`: stand-ins for both, first on PATH.
    writeFileSync(join(dir, 'bash'), `#!/bin/sh\necho "bash $* CI=$CI" >> ${log}\n`);
    writeFileSync(join(dir, 'npm'), `#!/bin/sh\necho "npm $* CI=$CI" >> ${log}\n`);
    for (const f of ['bash', 'npm']) chmodSync(join(dir, f), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:/usr/bin:/bin` };
    delete env.CI;
    const r = spawnSync('/bin/bash', [projectPath('.ci/run')], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const calls = spawnSync('cat', [log], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(calls, ['bash scripts/setup.sh CI=true', 'npm test CI=true']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function crosscheck(ci: boolean): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-ci-path-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: dir, PYTHONHOME: '/nonexistent' };
    if (ci) env.CI = 'true';
    else delete env.CI;
    delete env.NODE_TEST_CONTEXT; // set by the runner around us: the child would only report to it
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', projectPath('test/host/dissector-crosscheck.test.ts')],
      { env, cwd: projectPath('.'), encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (out: string, what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);

test('dissector cross-check without tshark and scapy: skipped on a developer machine, failed under CI=true', () => {
  const dev = crosscheck(false);
  assert.equal(dev.status, 0, dev.out);
  assert.deepEqual([count(dev.out, 'skipped'), count(dev.out, 'fail')], [3, 0], dev.out);
  const ci = crosscheck(true);
  assert.notEqual(ci.status, 0, ci.out);
  assert.deepEqual([count(ci.out, 'skipped'), count(ci.out, 'fail')], [0, 3], ci.out);
  assert.match(ci.out, /tshark is missing but CI=true/);
});
