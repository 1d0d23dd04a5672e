// `vipd sim` through the real commander program: the readable timeline, --json, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVipd as vipd } from '../host/helpers/cli.ts';

const brief = ['sim', '--nodes', '3', '--priorities', '150,100,50', '--version', '3', '--interval', '0.1', '--loss', '0.05',
  '--delay', '1ms', '--jitter', '0.5ms', '--seed', '42', '--duration', '10s', '--kill-master-at', '3s', '--partition-at', '5s',
  '--heal-at', '7s'];

test('vipd sim prints a timeline in keepalived\'s words and a failover summary', async () => {
  const r = await vipd(...brief);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const lines = r.out.split('\n');
  const first = lines.find((l) => l.includes('Entering MASTER STATE'))!;
  assert.match(first, /^\s+341\.\d{3} ms {2}node1 {2}\(VI_51\) Entering MASTER STATE$/);
  assert.ok(lines.some((l) => /killing the master: node1/.test(l)));
  assert.ok(lines.some((l) => /node2 +\(VI_51\) Receive advertisement timeout/.test(l)));
  assert.match(r.out, /\(VI_51\) at 3000\.000 ms, killing the master: node1: masters before node1; node2 MASTER after \d+\.\d{3} ms \(master-down\); Master_Down_Interval 360\.938 ms/);
  assert.match(r.out, /partition healed: masters before node2, node3; one master \(node2\)/);
  assert.match(r.out, /\(VI_51\) masters at the end: node2\n$/);
  // Same flags, same seed: the same output.
  assert.equal((await vipd(...brief)).out, r.out);
});

test('vipd sim --json gives the timeline and summary as data', async () => {
  const r = await vipd('sim', '--nodes', '2', '--interval', '0.05', '--duration', '2s', '--stop-master-at', '1s', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.scenario.nodes.length, 2);
  assert.deepEqual(j.summary.masters, { 51: [1] });
  const stop = j.summary.outcomes.find((o: { event: { kind: string } | null }) => o.event?.kind === 'stop-master');
  assert.equal(stop.takeover.reason, 'priority-zero');
  assert.equal(stop.expected.timer, 'Skew_Time');
  assert.ok(j.timeline.some((e: { kind: string; to?: string; reason?: string }) => e.kind === 'state' && e.to === 'INIT' && e.reason === 'shutdown'));
});

test('vipd sim runs a JSON scenario file, and --seed overrides it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-sim-'));
  try {
    const f = join(dir, 's.json');
    writeFileSync(f, JSON.stringify({
      version: 3, intervalUs: 100000, durationUs: 3000000, lan: { loss: 0.3 },
      nodes: [{ priority: 200 }, { priority: 100, nopreempt: true }],
      events: [{ atUs: 1000000, kind: 'kill', node: 0 }, { atUs: 2000000, kind: 'start', node: 0 }],
    }));
    const a = await vipd('sim', '--scenario', f, '--json');
    const b = await vipd('sim', '--scenario', f, '--json', '--seed', '7');
    assert.equal(a.code, 0, a.err);
    assert.equal(JSON.parse(a.out).scenario.seed, 1);
    assert.equal(JSON.parse(b.out).scenario.seed, 7);
    assert.notDeepEqual(JSON.parse(a.out).lan, JSON.parse(b.out).lan);
    writeFileSync(f, JSON.stringify({ nodes: [{ priority: 300 }] }));
    const bad = await vipd('sim', '--scenario', f);
    assert.equal(bad.code, 2);
    assert.equal(bad.err, 'vipd sim: nodes[0].priority: must be an integer 1..255\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vipd sim rejects bad input with one line and exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--nodes', '0'], /^vipd sim: --nodes must be an integer 1\.\.64, not "0"\n$/],
    [['--nodes', '2', '--priorities', '100'], /^vipd sim: --priorities lists 1 values for 2 nodes\n$/],
    [['--version', '4'], /^vipd sim: --version must be an integer 2\.\.3/],
    [['--loss', '1.5'], /^vipd sim: --loss must be a probability 0\.\.1/],
    [['--delay', 'soon'], /^vipd sim: --delay: not a duration: "soon"/],
    [['--interval', '0.001'], /^vipd sim: intervalUs: advert_int must be 10 ms\.\.255 s\n$/],
    [['--family', '6', '--version', '2'], /^vipd sim: version: IPv6 needs VRRP version 3\n$/],
    [['--partition', '1|2'], /^vipd sim: --partition needs --partition-at\n$/],
    [['--partition-at', '1s', '--partition', '1|9'], /^vipd sim: --partition must be an integer 1\.\.3/],
    [['--join', 'node1'], /^vipd sim: --join wants NODE@TIME/],
    [['--scenario', '/nonexistent/vipd.json'], /^vipd sim: \/nonexistent\/vipd\.json: ENOENT/],
  ];
  for (const [args, re] of cases) {
    const r = await vipd('sim', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(r.out, '');
  }
  const unknown = await vipd('sim', '--bogus');
  assert.equal(unknown.code, 2);
});

test('vipd sim --join and --nopreempt: a late higher node preempts unless told not to', async () => {
  const pre = await vipd('sim', '--nodes', '2', '--priorities', '100,200', '--interval', '0.1', '--join', '2@1s', '--duration', '2s', '--json');
  assert.deepEqual(JSON.parse(pre.out).summary.masters, { 51: [1] });
  const nopre = await vipd('sim', '--nodes', '2', '--priorities', '100,200', '--interval', '0.1', '--join', '2@1s', '--nopreempt', '2', '--duration', '2s', '--json');
  assert.deepEqual(JSON.parse(nopre.out).summary.masters, { 51: [0] });
});
