// `vipd demo`: a live failover between network namespaces. Builds a small lab (VRRP hosts on a bridge and a
// client), starts a vipd on each host, shows who is master, cuts the master's link, prints the failover as the
// client saw it, restores the link and shows the preemption. Everything it made is removed on exit, Ctrl-C too.
import { projectPath } from '../paths.ts';
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabHost } from '../lab/netns.ts';
import type { ProbeResult } from '../lab/probe.ts';
import { type StatusReport, fetchStatus, statusSocketName } from '../daemon/status.ts';
import { withNetns } from '../net/netns.ts';

export interface DemoOptions {
  hosts: number;
  /** Seconds, as advert_int. */
  interval: number;
  version: 2 | 3;
  out: (s: string) => void;
}

const BIN = projectPath('bin/vipd.js');
const PROBE = projectPath('host/lab/probe.ts');
// The prober runs as TypeScript in its own process; name tsx by path so any working directory will do.
const TSX = import.meta.resolve('tsx');
const PORT = 7007;
/** Bounds for a lab process to start (node + tsx, seconds on a busy machine) and for the daemons to stop. */
const STARTUP_MS = 20_000;
const STOP_MS = 10_000;

function config(prio: number, o: DemoOptions, vip: string): string {
  return `# written by vipd demo
global_defs {
  router_id demo
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${prio}
  advert_int ${o.interval}
  version ${o.version}
  virtual_ipaddress {
    ${vip}/24
  }
}
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(o: DemoOptions): Promise<number> {
  const out = o.out;
  const dir = mkdtempSync(join(tmpdir(), 'vipd-demo-'));
  let lab: Lab;
  try {
    lab = Lab.create({ hosts: o.hosts, subnet: 77 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // Ctrl-C or a kill: the lab's own hook would remove the namespaces, but the signal's default action would skip the
  // `finally` below and leave our directory. So: remove both, then let the signal end the process as it would.
  const onSignal = (sig: NodeJS.Signals) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    out(`\n${sig}: removing the lab\n`);
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const vip = `10.203.77.100`;
  const logs: { t: number; host: string; line: string }[] = [];
  const daemons = new Map<string, ChildProcess>();
  const responders: Promise<void>[] = [];
  const prios = lab.hosts.map((_, k) => 150 - 50 * k);
  const t0 = Date.now();
  try {
    out(`Lab ${lab.prefix}: ${lab.hosts.map((h, k) => `${h.name} ${h.ipv4} (priority ${prios[k]})`).join(', ')}, client ${lab.client!.ipv4}\n`);
    out(`VIP ${vip}, VRRPv${o.version}, advert_int ${o.interval} s\n\n`);
    lab.hosts.forEach((h, k) => {
      const conf = join(dir, `${h.name}.conf`);
      writeFileSync(conf, config(prios[k], o, vip));
      const p = lab.spawn(h, process.execPath, [BIN, '-n', '-l', '-D', '-f', conf, '-p', join(dir, `${h.name}.pid`), '-r', join(dir, `${h.name}.vrrp.pid`)],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      const onLine = (d: Buffer) => {
        for (const line of d.toString().split('\n').filter(Boolean)) logs.push({ t: Date.now(), host: h.name, line: line.replace(/^\w{3} \w{3} +\d+ [\d:.]+ \d{4}: /, '') });
      };
      p.stdout!.on('data', onLine);
      p.stderr!.on('data', onLine);
      daemons.set(h.name, p);
      responders.push(readyLine(lab.spawn(h, process.execPath, ['--import', TSX, PROBE, 'echo', String(PORT), h.name], { stdio: ['ignore', 'ignore', 'pipe'] }), 'ready'));
    });
    // Generous: on a busy machine the daemons and responders take seconds just to start.
    const master = await waitForMaster(lab, dir, STARTUP_MS + o.interval * 5000);
    await Promise.all(responders);
    out(`Elected: ${master.name} is MASTER\n`);
    await printStatus(lab, dir, out);

    const phaseMs = Math.max(3000, o.interval * 1000 * 8);
    const cutAt = 1000;
    const probeMs = cutAt + phaseMs;
    out(`\nCutting ${master.name}'s link in ${cutAt} ms; the client (${lab.client!.ipv4}) probes ${vip} every millisecond...\n`);
    const probe = await startProbe(lab, vip, probeMs);
    await sleep(cutAt);
    const cut = Date.now();
    lab.cutLink(master, 'bridge');
    const r1 = await probe.result;
    printTimeline(out, 'Failover', r1, cut - r1.startedAt, logs, cut);
    await printStatus(lab, dir, out);

    out(`\nRestoring ${master.name}'s link; it has the higher priority, so it preempts...\n`);
    const probe2 = await startProbe(lab, vip, probeMs);
    await sleep(cutAt);
    const restore = Date.now();
    lab.restoreLink(master, 'bridge');
    const r2 = await probe2.result;
    printTimeline(out, 'Preemption', r2, restore - r2.startedAt, logs, restore);
    await printStatus(lab, dir, out);

    out('\nStopping the daemons (SIGTERM: masters send priority 0 and remove their VIPs)...\n');
    for (const p of daemons.values()) p.kill('SIGTERM');
    // Bounded: a daemon that does not stop is killed with the lab below (and the VIP check says so).
    await Promise.race([
      Promise.all([...daemons.values()].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r))))),
      sleep(STOP_MS),
    ]);
    const left = lab.hosts.filter((h) => lab.exec(h, ['ip', '-4', '-o', 'addr', 'show']).includes(vip));
    out(left.length === 0 ? 'No VIP left on any host.\n' : `VIP still on ${left.map((h) => h.name).join(', ')}!\n`);
    out(`Done in ${((Date.now() - t0) / 1000).toFixed(1)} s; lab removed.\n`);
    return left.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What `vipd status --json` prints, asked from this process over the daemon's socket (abstract, so opened inside
 * the host's namespace): a node process per question took seconds on a busy machine.
 */
async function status(h: LabHost, dir: string): Promise<StatusReport | null> {
  try {
    // Only the connect must happen inside the namespace; withNetns refuses a function that returns a promise.
    let answer!: Promise<StatusReport>;
    withNetns(h.ns, () => { answer = fetchStatus(statusSocketName(join(dir, `${h.name}.vrrp.pid`)), 2000); });
    return await answer;
  } catch {
    return null;
  }
}

async function waitForMaster(lab: Lab, dir: string, timeoutMs: number): Promise<LabHost> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const h of lab.hosts) if ((await status(h, dir))?.instances[0]?.state === 'MASTER') return h;
    await sleep(100);
  }
  throw new Error(`no master elected within ${timeoutMs} ms`);
}

async function printStatus(lab: Lab, dir: string, out: (s: string) => void): Promise<void> {
  for (const h of lab.hosts) {
    const s = (await status(h, dir))?.instances[0];
    out(`  ${h.name}: ${s ? `${s.state.padEnd(6)} priority ${s.effectivePriority}, VIP ${s.vipsInstalled ? 'installed' : 'not installed'}` : 'no answer'}\n`);
  }
}

/** Resolves once `child` prints `word` on stderr; rejects if it exits first or stays silent for STARTUP_MS. */
function readyLine(child: ChildProcess, word: string): Promise<void> {
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`a lab process did not start within ${STARTUP_MS} ms: ${err}`)), STARTUP_MS);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`${word}\n`)) { clearTimeout(t); resolve(); }
    });
    child.once('exit', (code) => { clearTimeout(t); reject(new Error(`a lab process exited (${code}) before it started: ${err}`)); });
  });
  ready.catch(() => {}); // awaited later, or never if the demo fails first and kills the process with the lab
  return ready;
}

/**
 * The client's prober, running: resolves once it sends (its start-up takes seconds on a busy machine, and the link
 * change must fall inside what it sees), with the promise of its result.
 */
async function startProbe(lab: Lab, vip: string, ms: number): Promise<{ result: Promise<ProbeResult> }> {
  const child = lab.spawn(lab.client!, process.execPath, ['--import', TSX, PROBE, 'probe', vip, String(PORT), '1', String(ms)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  const result = new Promise<ProbeResult>((resolve, reject) => {
    const t = setTimeout(() => child.kill('SIGKILL'), STARTUP_MS + ms + 10_000);
    child.once('close', (code) => {
      clearTimeout(t);
      if (code !== 0) reject(new Error(`probe failed (${code})`));
      else resolve(JSON.parse(stdout) as ProbeResult);
    });
  });
  result.catch(() => {}); // reported where it is awaited
  await readyLine(child, 'probing');
  return { result };
}

function printTimeline(out: (s: string) => void, title: string, r: ProbeResult, eventMs: number,
                       logs: { t: number; host: string; line: string }[], eventWall: number): void {
  out(`\n${title} timeline (ms after the link change; client view and daemon logs):\n`);
  const rows: [number, string][] = [];
  for (const g of r.gaps) {
    rows.push([g.fromMs - eventMs, `client: last reply from ${g.before ?? '-'}; VIP stops answering`]);
    rows.push([g.toMs - eventMs, `client: VIP answers again, from ${g.after ?? '-'} (outage ${g.lengthMs.toFixed(1)} ms)`]);
  }
  // A handover without an outage (both held the VIP for a moment, as in a preemption) is worth a line too.
  const gapEnds = new Set(r.gaps.map((g) => g.toMs));
  for (let k = 1; k < r.replies.length; k++) {
    const [a, b] = [r.replies[k - 1], r.replies[k]];
    if (a.from !== b.from && !gapEnds.has(b.sentMs)) rows.push([b.sentMs - eventMs, `client: replies now from ${b.from} (before: ${a.from}), no outage`]);
  }
  for (const l of logs) {
    if (l.t >= eventWall - 200 && l.t <= eventWall + 10_000 && /STATE|timeout|priority|Netlink|ARP/.test(l.line)) rows.push([l.t - eventWall, `${l.host}: ${l.line}`]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  for (const [t, text] of rows) out(`  ${t.toFixed(1).padStart(8)}  ${text}\n`);
  if (r.gaps.length === 0) out('  client: no outage seen\n');
  out(`  client: ${r.received}/${r.sent} probes answered\n`);
}
