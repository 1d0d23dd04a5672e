// Labs with many instances: VRIDs are unique per interface only (1..255), so past 250 instances each host gets
// more links, each on a bridge of its own (the same VRID on two links of one segment would cross-talk). Interface
// x of host k is 10.203.(base+x).k/24; instance (x, v) has VIP 10.203.(vipBase+x).v/32.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Lab } from '../../host/lab/netns.ts';
import type { VrrpDaemon } from '../../test/interop/helpers/daemons.ts';
import type { BenchInstance } from './configs.ts';

export const PER_LINK = 250;

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });

/** Add links eth1..eth(n-1) to every host (eth0 exists), each on its own bridge brX. Returns the interface names. */
export function addLinks(lab: Lab, links: number, base: number): string[] {
  const names = ['eth0'];
  for (let x = 1; x < links; x++) {
    ip(['-n', lab.bridgeNs, 'link', 'add', `br${x}`, 'type', 'bridge', 'mcast_snooping', '0', 'stp_state', '0']);
    ip(['-n', lab.bridgeNs, 'link', 'set', `br${x}`, 'up']);
    for (const h of lab.hosts) {
      const port = `${h.name}x${x}`;
      ip(['-n', lab.bridgeNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', `eth${x}`, 'netns', h.ns]);
      ip(['-n', lab.bridgeNs, 'link', 'set', port, 'master', `br${x}`, 'up']);
      ip(['-n', h.ns, 'addr', 'add', `10.203.${base + x}.${h.index}/24`, 'dev', `eth${x}`]);
      ip(['-n', h.ns, 'link', 'set', `eth${x}`, 'up']);
    }
    names.push(`eth${x}`);
  }
  return names;
}

export function instances(n: number, ifnames: string[], vipBase: number): BenchInstance[] {
  return Array.from({ length: n }, (_, k) => {
    const x = Math.floor(k / PER_LINK), v = (k % PER_LINK) + 1;
    return { name: `VI_${k + 1}`, vrid: v, ifname: ifnames[x], vip: `10.203.${vipBase + x}.${v}/32` };
  });
}

/** Every instance's last logged state. */
export function states(d: VrrpDaemon): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of d.logs) {
    const r = /^\((VI_\d+)\) Entering (MASTER|BACKUP|FAULT) STATE/.exec(l.line);
    if (r) m.set(r[1], r[2]);
    else if (l.line.startsWith('--- start')) m.clear();
  }
  return m;
}

export function countIn(m: Map<string, string>, state: string): number {
  let n = 0;
  for (const s of m.values()) if (s === state) n++;
  return n;
}

/** The daemon's processes: keepalived = parent + VRRP child; vipd = one process. */
export function pids(d: VrrpDaemon): number[] {
  const out = [d.pid!];
  if (d.kind === 'keepalived') {
    try { out.push(Number(readFileSync(d.vrrpPidFile, 'utf8').trim())); } catch { /* not written yet */ }
  }
  return out;
}

/** utime+stime in seconds, summed over pids. */
export function cpuSeconds(ps: number[]): number {
  let ticks = 0;
  for (const p of ps) {
    const f = readFileSync(`/proc/${p}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    ticks += Number(rest[11]) + Number(rest[12]);
  }
  return ticks / 100;
}

export function rssMb(ps: number[]): number {
  let kb = 0;
  for (const p of ps) {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    if (m) kb += Number(m[1]);
  }
  return kb / 1024;
}

/** Packets the bridge received from a host on all its ports (at steady state: its adverts). */
export function packetsFrom(lab: Lab, hostName: string): number {
  const links = JSON.parse(execFileSync('ip', ['-n', lab.bridgeNs, '-s', '-j', 'link', 'show'], { encoding: 'utf8', timeout: 10_000 })) as
    { ifname: string; stats64?: { rx: { packets: number } } }[];
  return links.filter((l) => l.ifname === hostName || l.ifname.startsWith(`${hostName}x`)).reduce((s, l) => s + (l.stats64?.rx.packets ?? 0), 0);
}

/** Number of VIPs from the list present on the host. */
export function vipsPresent(lab: Lab, hostNs: string, vips: Set<string>): number {
  const out = execFileSync('ip', ['-n', hostNs, '-4', '-o', 'addr', 'show'], { encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
  let n = 0;
  for (const m of out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/32/g)) if (vips.has(m[1])) n++;
  return n;
}
