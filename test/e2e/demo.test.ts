// `vipd demo --hosts 2` (and 3), the command a user runs first, end to end: it exits 0 and prints the failover and the
// preemption as the client saw them; and Ctrl-C (SIGINT) in the middle of the failover. Either way nothing of it may
// be left: no namespace with its lab prefix, none of the processes it started, not its temporary directory. The
// demo builds its own lab (subnet 77, host/demo/demo.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupStale, listNamespaces } from '../../host/lab/netns.ts';
import { BIN } from './helpers/daemon.ts';
import { waitFor } from './helpers/wait.ts';

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startDemo(hosts = 2): Run {
  const child = spawn(process.execPath, [BIN, 'demo', '--hosts', String(hosts)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, out: () => out, exited };
}

function cmdline(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    if (/^\d+ \(.*\) Z /.test(stat)) return null; // exited, waiting to be reaped
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

/** Every process in the demo's namespaces now, with its command line. */
function demoProcesses(prefix: string): Map<number, string> {
  const procs = new Map<number, string>();
  for (const ns of listNamespaces().filter((n) => n.startsWith(`${prefix}-`))) {
    let pids: string[] = [];
    try {
      pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter(Boolean);
    } catch { /* namespace gone meanwhile */ }
    for (const p of pids) {
      const c = cmdline(Number(p));
      if (c) procs.set(Number(p), c);
    }
  }
  return procs;
}

/** The checks after the demo is gone: its namespaces, its processes (seen while it ran) and its directory. */
function assertNothingLeft(prefix: string, seen: Map<number, string>, dirs: Set<string>, out: string): void {
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(`${prefix}-`)), [], `no namespace of ${prefix} left\n${out}`);
  const left = [...seen].filter(([pid, c]) => cmdline(pid) === c).map(([pid, c]) => `${pid} ${c}`);
  assert.deepEqual(left, [], 'none of the demo\'s processes left');
  for (const d of dirs) assert.ok(!existsSync(d), `the demo's directory ${d} is removed`);
}

/** `p`, or 'timeout' after `ms` (the timer cleared either way, so it cannot hold the test process). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wait for a line of the demo's output; fails at once if the demo exits first. */
async function waitOut(r: Run, re: RegExp, timeoutMs: number): Promise<void> {
  await waitFor(`${re} in the demo's output`, () => {
    if (re.test(r.out())) return true;
    if (r.child.exitCode !== null || r.child.signalCode !== null) throw new Error(`the demo exited (${r.child.exitCode ?? r.child.signalCode}) before ${re}`);
    return false;
  }, timeoutMs, 50).catch((e: Error) => { throw new Error(`${e.message}\n${r.out()}`); });
}

async function withDemo(body: (r: Run, prefix: () => string, seen: Map<number, string>, dirs: Set<string>) => Promise<void>, hosts = 2): Promise<void> {
  const r = startDemo(hosts);
  let prefix = '';
  const dirs = new Set<string>();
  try {
    await body(r, () => {
      prefix ||= /^Lab (vl\d+n\d+):/m.exec(r.out())?.[1] ?? '';
      return prefix;
    }, new Map(), dirs);
  } finally {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
    // Only what a failed demo could not remove itself (its creator pid is dead by now).
    if (prefix) cleanupStale(prefix);
    for (const d of dirs) if (d.startsWith(join(tmpdir(), 'vipd-demo-'))) rmSync(d, { recursive: true, force: true });
  }
}

/** Record the demo's processes and its directory (from the daemons' -f argument) while it runs. */
function record(prefix: string, seen: Map<number, string>, dirs: Set<string>): void {
  for (const [pid, c] of demoProcesses(prefix)) {
    seen.set(pid, c);
    const m = / -f (\S+)\/h\d+\.conf/.exec(c);
    if (m) dirs.add(m[1]);
  }
}

test('vipd demo --hosts 2 runs to the end: exit 0, failover and preemption timelines, and nothing left behind', { timeout: 120_000 }, async () => {
  await withDemo(async (r, prefix, seen, dirs) => {
    await waitOut(r, /Elected: h1 is MASTER/, 30_000);
    assert.ok(prefix(), `the lab prefix is printed\n${r.out()}`);
    record(prefix(), seen, dirs);
    assert.ok([...seen.values()].filter((c) => c.includes(' -n ')).length === 2, `two daemons running\n${[...seen.values()].join('\n')}`);
    await waitFor('the client prober', () => { record(prefix(), seen, dirs); return [...seen.values()].some((c) => / probe /.test(c)); }, 10_000, 50);
    const done = await within(r.exited, 90_000);
    const out = r.out();
    if (done === 'timeout') assert.fail(`the demo did not end\n${out}`);
    assert.deepEqual(done, { code: 0, signal: null }, `exit 0\n${out}`);

    // The failover: h1's link cut, h2 takes over, the client's outage from h1 to h2.
    const failover = out.slice(out.indexOf('Failover timeline'), out.indexOf('Restoring'));
    assert.match(failover, /h1: \(VI_1\) Entering FAULT STATE/);
    assert.match(failover, /h2: \(VI_1\) Entering MASTER STATE/);
    assert.match(failover, /client: last reply from h1; VIP stops answering/);
    assert.match(failover, /client: VIP answers again, from h2 \(outage [\d.]+ ms\)/);
    assert.match(failover, /h2: MASTER +priority 100, VIP installed/);
    // The preemption: h1 back, master again, h2 to BACKUP, the client follows to h1.
    const preempt = out.slice(out.indexOf('Preemption timeline'), out.indexOf('Stopping the daemons'));
    assert.match(preempt, /h1: \(VI_1\) Entering MASTER STATE/);
    assert.match(preempt, /h2: \(VI_1\) Entering BACKUP STATE/);
    // The client follows to h1, after an outage or, when both held the VIP for a moment, without one.
    assert.match(preempt, /client: (VIP answers again, from h1|replies now from h1 \(before: h2\), no outage)/);
    assert.match(preempt, /h1: MASTER +priority 150, VIP installed/);
    assert.match(out, /No VIP left on any host\.\nDone in [\d.]+ s; lab removed\./);
    assertNothingLeft(prefix(), seen, dirs, out);
  });
});

test('vipd demo: Ctrl-C (SIGINT) during the failover removes the lab, its processes and its directory', { timeout: 60_000 }, async () => {
  await withDemo(async (r, prefix, seen, dirs) => {
    await waitOut(r, /Cutting h1's link/, 30_000);
    await waitFor('the client prober', () => { record(prefix(), seen, dirs); return [...seen.values()].some((c) => / probe /.test(c)); }, 10_000, 50);
    assert.equal([...seen.values()].filter((c) => c.includes(' -n ')).length, 2, 'two daemons running');
    r.child.kill('SIGINT');
    const done = await within(r.exited, 10_000);
    if (done === 'timeout') assert.fail(`the demo did not stop on SIGINT\n${r.out()}`);
    assert.ok(done.signal === 'SIGINT' || done.code === 130, `ended by the SIGINT: ${JSON.stringify(done)}\n${r.out()}`);
    assertNothingLeft(prefix(), seen, dirs, r.out());
  });
});

test('vipd demo --hosts 3: the failover goes to priority 100, never to 50; exit 0 and nothing left behind', { timeout: 120_000 }, async () => {
  await withDemo(async (r, prefix, seen, dirs) => {
    await waitOut(r, /Elected: h1 is MASTER/, 30_000);
    record(prefix(), seen, dirs);
    assert.equal([...seen.values()].filter((c) => c.includes(' -n ')).length, 3, `three daemons running\n${[...seen.values()].join('\n')}`);
    const done = await within(r.exited, 90_000);
    const out = r.out();
    if (done === 'timeout') assert.fail(`the demo did not end\n${out}`);
    assert.deepEqual(done, { code: 0, signal: null }, `exit 0\n${out}`);
    const failover = out.slice(out.indexOf('Failover timeline'), out.indexOf('Restoring'));
    assert.match(failover, /h2: \(VI_1\) Entering MASTER STATE/);
    assert.doesNotMatch(out, /h3: \(VI_1\) Entering MASTER STATE/, 'h3 (priority 50) never becomes master');
    assert.match(failover, /h3: BACKUP +priority 50, VIP not installed/);
    const preempt = out.slice(out.indexOf('Preemption timeline'), out.indexOf('Stopping the daemons'));
    assert.match(preempt, /h1: MASTER +priority 150, VIP installed/);
    assert.match(preempt, /h3: BACKUP +priority 50, VIP not installed/);
    assert.match(out, /No VIP left on any host\.\nDone in [\d.]+ s; lab removed\./);
    assertNothingLeft(prefix(), seen, dirs, out);
  }, 3);
});
