// Failover figures of real vipd processes in a namespace lab (two VRRP hosts on a bridge and a client):
// the master's link is cut (bridge side) or the master is SIGKILLed, and we time
//   - cut -> the backup's first advert        (tcpdump -tt on the bridge: kernel timestamps)
//   - cut -> the VIP installed on the backup  (`ip -ts monitor address` in the backup's namespace)
//   - the client-observed outage              (host/lab/probe.ts, a datagram every millisecond)
//   - excess = backup's first advert - master's LAST advert - Master_Down_Interval (the protocol's floor;
//     keepalived 2.2.7: 0.7 ms median, /work/shared/ref/anchor-figures.md)
// over N trials per case, then restore (link up / restart) and let the old master preempt before the next trial.
//
//   node --import tsx bench/failover.bench.ts [--trials 20] [--v2-trials 10] [--cases v3-cut,v3-kill,v2-cut,v2-kill]
//
// Prints JSON and a Markdown table; writes bench/results/failover.json and docs/failover.md. Run it alone: the
// machine has 2 cores, and other work running beside it shows up in the figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Cluster, captureBridge, configText, isVrrp, masterDownMs, type Capture } from '../test/e2e/helpers/daemon.ts';
import { sleep, waitFor } from '../test/e2e/helpers/wait.ts';

interface CaseSpec { id: string; version: 2 | 3; advertInt: number; how: 'cut' | 'kill' }
const ALL: CaseSpec[] = [
  { id: 'v3-cut', version: 3, advertInt: 0.1, how: 'cut' },
  { id: 'v3-kill', version: 3, advertInt: 0.1, how: 'kill' },
  { id: 'v2-cut', version: 2, advertInt: 1, how: 'cut' },
  { id: 'v2-kill', version: 2, advertInt: 1, how: 'kill' },
];
const PRIO_MASTER = 150;
const PRIO_BACKUP = 100;

function arg(name: string, def: string): string {
  const k = process.argv.indexOf(name);
  return k >= 0 && process.argv[k + 1] ? process.argv[k + 1] : def;
}

interface Trial { firstAdvertMs: number; vipInstalledMs: number; outageMs: number; excessMs: number; sinceLastAdvertMs: number }
interface Summary { min: number; median: number; p90: number; max: number }
interface CaseResult {
  id: string; version: number; advertIntS: number; how: string; trials: number; failed: number;
  masterDownIntervalMs: number;
  firstAdvertMs: Summary; vipInstalledMs: Summary; outageMs: Summary; excessMs: Summary;
  raw: Trial[];
}

function summary(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  const r = (x: number) => Math.round(x * 100) / 100;
  return { min: r(s[0]), median: r(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2), p90: r(q(0.9)), max: r(s[s.length - 1]) };
}

/** `ip -ts monitor address` in a namespace: the wall-clock ms of every address added, by address. */
function monitorAddresses(ns: string): { adds: { t: number; addr: string }[]; child: ChildProcess } {
  const child = spawn('ip', ['-n', ns, '-ts', 'monitor', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const adds: { t: number; addr: string }[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] \d+: \S+\s+inet6? ([0-9a-f.:]+)\//.exec(l);
      if (m) adds.push({ t: new Date(m[1]).getTime() + Number(m[2]) / 1000, addr: m[3] });
    }
  });
  return { adds, child };
}

async function runCase(spec: CaseSpec, trials: number, subnet: number, log: (s: string) => void): Promise<CaseResult> {
  const c = Cluster.create(2, subnet);
  let cap: Capture | undefined;
  let mon: ReturnType<typeof monitorAddresses> | undefined;
  const raw: Trial[] = [];
  let failed = 0;
  const mdi = masterDownMs(spec.advertInt, PRIO_BACKUP);
  try {
    const vip = c.vip();
    const [h1, h2] = c.lab.hosts;
    c.start([PRIO_MASTER, PRIO_BACKUP].map((p) => configText([{ priority: p, version: spec.version, advertInt: spec.advertInt, vips: [`${vip}/24`] }])), true);
    await c.waitHolder(vip, 0, 15_000 + 2 * mdi);
    cap = await captureBridge(c.lab, 'ip proto 112');
    mon = monitorAddresses(h2.ns);
    for (let n = 0; n < trials; n++) {
      try {
        const probeMs = 1200 + mdi + 800;
        const probing = c.probe(vip, probeMs);
        await sleep(1200); // the prober is up and the master has advertised a few times
        let tCut: number;
        if (spec.how === 'cut') {
          tCut = Date.now();
          c.lab.cutLink(h1, 'bridge');
        } else {
          tCut = c.vipds[0].signal('SIGKILL');
        }
        await c.waitHolder(vip, 1, mdi + 3000, { only: false, stepMs: 2 });
        const r = await probing;
        await sleep(50);
        const adverts = cap.frames.filter(isVrrp);
        const last = adverts.filter((f) => f.srcMac === h1.mac && f.t <= tCut + 1).at(-1);
        const first = adverts.find((f) => f.srcMac === h2.mac && f.t > tCut);
        const add = mon.adds.find((a) => a.addr === vip && a.t > tCut);
        const cutInProbe = tCut - r.startedAt;
        // A prober that started late (slow node start on a busy machine) would cut the outage short.
        if (!r.replies.some((x) => x.sentMs < cutInProbe - 50)) throw new Error('the prober was not answering before the cut');
        const gap = r.gaps.filter((g) => g.toMs > cutInProbe).sort((a, b) => b.lengthMs - a.lengthMs)[0];
        if (!last || !first || !add) throw new Error(`missing data: last=${!!last} first=${!!first} vip=${!!add}`);
        // SIGKILL stops vipd only: the host keeps the VIP and answers until the backup's GARP moves the client,
        // so no gap at all is a real result (0), not missing data.
        if (!gap && spec.how === 'cut') throw new Error('the client saw no outage after a link cut');
        const t: Trial = {
          firstAdvertMs: first.t - tCut, vipInstalledMs: add.t - tCut, outageMs: gap?.lengthMs ?? 0,
          sinceLastAdvertMs: first.t - last.t, excessMs: first.t - last.t - mdi,
        };
        raw.push(t);
        log(`${spec.id} #${n + 1}: first advert ${t.firstAdvertMs.toFixed(1)} ms, VIP ${t.vipInstalledMs.toFixed(1)} ms, outage ${t.outageMs.toFixed(1)} ms, excess ${t.excessMs.toFixed(2)} ms`);
      } catch (e) {
        failed++;
        log(`${spec.id} #${n + 1}: FAILED ${(e as Error).message.split('\n')[0]}`);
      }
      // Back to the start: h1 master, h2 backup. A machine stall (other work on a shared host) can break this; one
      // fresh start of h1's daemon is tried, then the case ends with the trials it has.
      try {
        await recover(c, spec, vip, mdi);
      } catch (e) {
        log(`${spec.id}: recovery failed (${(e as Error).message.split('\n')[0]}); restarting h1's vipd`);
        try {
          if (c.vipds[0].running) { c.vipds[0].signal('SIGKILL'); await c.vipds[0].waitExit(5000); }
          await recover(c, spec, vip, mdi);
        } catch (e2) {
          log(`${spec.id}: giving up after ${n + 1} trials (${(e2 as Error).message.split('\n')[0]})`);
          break;
        }
      }
      cap.frames.length = 0;
      mon.adds.length = 0;
    }
    await c.stopAll([vip]).catch(() => {});
  } finally {
    await cap?.stop();
    mon?.child.kill();
    c.destroy();
  }
  if (raw.length === 0) throw new Error(`${spec.id}: every trial failed`);
  return {
    id: spec.id, version: spec.version, advertIntS: spec.advertInt, how: spec.how, trials: raw.length, failed,
    masterDownIntervalMs: Math.round(mdi * 100) / 100,
    firstAdvertMs: summary(raw.map((t) => t.firstAdvertMs)), vipInstalledMs: summary(raw.map((t) => t.vipInstalledMs)),
    outageMs: summary(raw.map((t) => t.outageMs)), excessMs: summary(raw.map((t) => t.excessMs)), raw,
  };
}

async function recover(c: Cluster, spec: CaseSpec, vip: string, mdi: number): Promise<void> {
  if (spec.how === 'cut') c.lab.restoreLink(c.lab.hosts[0], 'bridge');
  if (!c.vipds[0].running) c.vipds[0].start();
  await c.waitHolder(vip, 0, 15_000 + 2 * mdi);
  await waitFor('h2 BACKUP', async () => (await c.vipds[1].instance()).state === 'BACKUP', 5000, 20);
  await sleep(300);
}

function fmt(s: Summary, digits = 1): string {
  return `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.p90.toFixed(digits)} / ${s.max.toFixed(digits)}`;
}

function table(results: CaseResult[]): string {
  const rows = [
    '| case | trials | Master_Down_Interval (floor) | cut → backup\'s first advert | cut → VIP installed | client outage | excess over the floor (first advert − master\'s last − MDI) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const what = r.how === 'cut' ? 'master link cut' : 'master SIGKILL';
    rows.push(`| v${r.version}, ${r.advertIntS} s, ${what} | ${r.trials}${r.failed ? ` (+${r.failed} failed)` : ''} | ${r.masterDownIntervalMs.toFixed(2)} ms | ${fmt(r.firstAdvertMs)} | ${fmt(r.vipInstalledMs)} | ${fmt(r.outageMs)} | ${fmt(r.excessMs, 2)} |`);
  }
  return rows.join('\n') + '\n\nAll figures in ms: min / median / p90 / max.\n';
}

async function main(): Promise<void> {
  const trials = Number(arg('--trials', '20'));
  const v2Trials = Number(arg('--v2-trials', '10'));
  const wanted = arg('--cases', ALL.map((c) => c.id).join(',')).split(',');
  const cases = ALL.filter((c) => wanted.includes(c.id));
  if (cases.length === 0) throw new Error(`no such case; choose from ${ALL.map((c) => c.id).join(',')}`);
  const log = (s: string) => process.stderr.write(s + '\n');
  const loadBefore = loadavg()[0];
  const results: CaseResult[] = [];
  for (const [k, spec] of cases.entries()) {
    results.push(await runCase(spec, spec.version === 2 ? v2Trials : trials, 61 + k, log));
  }
  const command = `node --import tsx bench/failover.bench.ts ${process.argv.slice(2).join(' ')}`.trim();
    // Other work on the machine shows up as outliers (a stalled daemon, a late timer): record the load around the run.
  const load = { before: loadBefore, after: loadavg()[0] };
  const out = { command, date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, node: process.version, load, results };
  const root = new URL('..', import.meta.url).pathname;
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(`${root}bench/results/failover.json`, JSON.stringify(out, null, 2) + '\n');
  const md = table(results);
  writeFileSync(`${root}docs/failover.md`, `# Failover figures

Two vipd hosts (priority 150 and 100) and a client in network namespaces on a Linux bridge
(host/lab/netns.ts); the master's link is cut on the bridge side (its eth0 loses carrier) or the master is killed
with SIGKILL, then restored (link up / restart) so that it preempts before the next trial.

- **cut → backup's first advert**: tcpdump -tt on the bridge (kernel timestamps) against the moment of the cut.
- **cut → VIP installed**: \`ip -ts monitor address\` in the backup's namespace.
- **client outage**: the longest gap in the replies the client got from the VIP (host/lab/probe.ts, one UDP
  datagram per millisecond to an echo responder on each host).
- **excess**: the backup's first advert minus the master's *last* advert, minus Master_Down_Interval
  (3 × Adver_Interval + Skew_Time, the protocol's floor: the backup may not act earlier). keepalived 2.2.7
  measures 0.6–0.7 ms median, under 2 ms max, on these machines (/work/shared/ref/anchor-figures.md).

With SIGKILL only the daemon dies: the host keeps the VIP (and its echo responder) and the client keeps getting
answers from it until the backup's gratuitous ARP moves it over, so the client sees no outage (0) in that case.

The times from the cut are below Master_Down_Interval on average because the cut falls, on average, half an
interval after the master's last advert.

${md}
Measured ${out.date} on ${out.machine}, Node ${out.node}; 1-minute load average ${load.before.toFixed(2)} before
and ${load.after.toFixed(2)} after the run (2 cores: above ~1, other work shared the machine and the max/p90 columns
carry its stalls; rerun on an idle machine for clean tails). Command:

    ${command}

Raw trials: bench/results/failover.json.
`);
  process.stdout.write(JSON.stringify({ ...out, results: results.map(({ raw: _raw, ...r }) => r) }, null, 2) + '\n\n' + md);
}

await main();
