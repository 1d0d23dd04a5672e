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
import type { StatusReport } from '../daemon/status.ts';

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
  const lab = Lab.create({ hosts: o.hosts, subnet: 77 });
  const vip = `10.203.77.100`;
  const logs: { t: number; host: string; line: string }[] = [];
  const daemons = new Map<string, ChildProcess>();
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
      lab.spawn(h, process.execPath, ['--import', TSX, PROBE, 'echo', String(PORT), h.name], { stdio: 'ignore' });
    });
    const master = await waitForMaster(lab, dir, 5000 + o.interval * 5000);
    out(`Elected: ${master.name} is MASTER\n`);
    printStatus(lab, dir, out);

    const phaseMs = Math.max(3000, o.interval * 1000 * 8);
    const cutAt = 1000;
    const probeMs = cutAt + phaseMs;
    out(`\nCutting ${master.name}'s link in ${cutAt} ms; the client (${lab.client!.ipv4}) probes ${vip} every millisecond...\n`);
    const probe = startProbe(lab, vip, probeMs);
    await sleep(cutAt);
    const cut = Date.now();
    lab.cutLink(master, 'bridge');
    const r1 = await probe;
    printTimeline(out, 'Failover', r1, cut - r1.startedAt, logs, cut);
    printStatus(lab, dir, out);

    out(`\nRestoring ${master.name}'s link; it has the higher priority, so it preempts...\n`);
    const probe2 = startProbe(lab, vip, probeMs);
    await sleep(cutAt);
    const restore = Date.now();
    lab.restoreLink(master, 'bridge');
    const r2 = await probe2;
    printTimeline(out, 'Preemption', r2, restore - r2.startedAt, logs, restore);
    printStatus(lab, dir, out);

    out('\nStopping the daemons (SIGTERM: masters send priority 0 and remove their VIPs)...\n');
    for (const p of daemons.values()) p.kill('SIGTERM');
    await Promise.all([...daemons.values()].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    const left = lab.hosts.filter((h) => lab.exec(h, ['ip', '-4', '-o', 'addr', 'show']).includes(vip));
    out(left.length === 0 ? 'No VIP left on any host.\n' : `VIP still on ${left.map((h) => h.name).join(', ')}!\n`);
    out(`Done in ${((Date.now() - t0) / 1000).toFixed(1)} s; lab removed.\n`);
    return left.length === 0 ? 0 : 1;
  } finally {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function status(lab: Lab, dir: string, h: LabHost): StatusReport | null {
  try {
    return JSON.parse(lab.exec(h, [process.execPath, BIN, 'status', '--json', '-r', join(dir, `${h.name}.vrrp.pid`)], 5000)) as StatusReport;
  } catch {
    return null;
  }
}

async function waitForMaster(lab: Lab, dir: string, timeoutMs: number): Promise<LabHost> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const h of lab.hosts) if (status(lab, dir, h)?.instances[0]?.state === 'MASTER') return h;
    await sleep(100);
  }
  throw new Error(`no master elected within ${timeoutMs} ms`);
}

function printStatus(lab: Lab, dir: string, out: (s: string) => void): void {
  for (const h of lab.hosts) {
    const s = status(lab, dir, h)?.instances[0];
    out(`  ${h.name}: ${s ? `${s.state.padEnd(6)} priority ${s.effectivePriority}, VIP ${s.vipsInstalled ? 'installed' : 'not installed'}` : 'no answer'}\n`);
  }
}

function startProbe(lab: Lab, vip: string, ms: number): Promise<ProbeResult> {
  return lab.run(lab.client!, [process.execPath, '--import', TSX, PROBE, 'probe', vip, String(PORT), '1', String(ms)], ms + 10_000)
    .then((r) => {
      if (r.code !== 0) throw new Error(`probe failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as ProbeResult;
    });
}

function printTimeline(out: (s: string) => void, title: string, r: ProbeResult, eventMs: number,
                       logs: { t: number; host: string; line: string }[], eventWall: number): void {
  out(`\n${title} timeline (ms after the link change; client view and daemon logs):\n`);
  const rows: [number, string][] = [];
  for (const g of r.gaps) {
    rows.push([g.fromMs - eventMs, `client: last reply from ${g.before ?? '-'}; VIP stops answering`]);
    rows.push([g.toMs - eventMs, `client: VIP answers again, from ${g.after ?? '-'} (outage ${g.lengthMs.toFixed(1)} ms)`]);
  }
  for (const l of logs) {
    if (l.t >= eventWall - 200 && l.t <= eventWall + 10_000 && /STATE|timeout|priority|Netlink|ARP/.test(l.line)) rows.push([l.t - eventWall, `${l.host}: ${l.line}`]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  for (const [t, text] of rows) out(`  ${t.toFixed(1).padStart(8)}  ${text}\n`);
  if (r.gaps.length === 0) out('  client: no outage seen\n');
  out(`  client: ${r.received}/${r.sent} probes answered\n`);
}
