// `vipd status`: the running daemon answers on an abstract unix socket (scoped to its network namespace, gone
// when the process is), named after its pid file so that several daemons can run side by side.
import { createConnection, createServer, type Server } from 'node:net';
import type { GcStats } from './gc-stats.ts';
import type { WakeTimingReport } from './wake-timing.ts';
import type { RxStats } from '../net/vrrp-socket.ts';
import { keepalivedStats } from '../core/names.ts';
import type { EngineStats, InstanceStatus } from './runtime.ts';

export function statusSocketName(pidFile: string): string {
  return `\0vipd-status:${pidFile}`;
}

/** The driver's timer: wake-up timing, and µs spent spinning before deadlines. */
export interface TimerStats extends WakeTimingReport {
  spinUs: number;
}

export interface StatusReport {
  pid: number;
  configFile: string;
  startedAt: string;
  instances: InstanceStatus[];
  /** Datagrams dropped before any instance saw them (docs/daemon.md). */
  engine: EngineStats;
  timer: TimerStats;
  /** Garbage collections of the daemon's heap (host/daemon/gc-stats.ts). */
  gc?: GcStats;
  /** The VRRP sockets' receive side: wake-ups, pacing pauses, datagrams, drains before a takeover. */
  rx?: RxStats;
}

/** Answers every connection with the report; instance stats in keepalived's terms (keepalivedStats). */
export function serveStatus(name: string, report: () => StatusReport): Server {
  const server = createServer((c) => {
    c.on('error', () => c.destroy());
    const r = report();
    const instances = r.instances.map((i) => ({ ...i, stats: keepalivedStats(i.stats) }));
    c.end(JSON.stringify({ ...r, instances }) + '\n');
  });
  server.listen(name);
  server.unref();
  return server;
}

export function fetchStatus(name: string, timeoutMs = 3000): Promise<StatusReport> {
  return new Promise((resolve, reject) => {
    const c = createConnection(name);
    let buf = '';
    const t = setTimeout(() => { c.destroy(); reject(new Error('no answer from the daemon')); }, timeoutMs);
    c.on('data', (d) => { buf += d; });
    c.on('end', () => {
      clearTimeout(t);
      try { resolve(JSON.parse(buf) as StatusReport); } catch (e) { reject(e); }
    });
    c.on('error', (e) => {
      clearTimeout(t);
      reject(new Error(`no vipd is running here (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    });
  });
}

/** A table for people. */
export function formatStatus(r: StatusReport): string {
  const rows = [['INSTANCE', 'STATE', 'IF', 'VRID', 'VER', 'PRIO', 'MASTER', 'VIPS', 'RX', 'TX', 'ERRORS']];
  for (const i of r.instances) {
    // keepalived's fields already hold ip_len_err, mcast_mismatch and peer_ttl_drop: not added twice.
    const s = keepalivedStats(i.stats);
    const errors = s.packet_len_err + s.ip_ttl_err + s.invalid_type_rcvd + s.addr_list_err + s.invalid_authtype +
      s.authtype_mismatch + s.auth_failure + s.version_err + s.checksum_err + s.unicast_src_err;
    rows.push([
      i.name, i.state, i.interface, String(i.vrid), `v${i.version}`,
      i.basePriority === i.effectivePriority ? String(i.effectivePriority) : `${i.effectivePriority} (${i.basePriority})`,
      i.masterAddress ? `${i.masterAddress}${i.masterPriority !== null ? `/${i.masterPriority}` : ''}` : '-',
      `${i.vips.join(',')}${i.vipsInstalled ? ' (up)' : ''}`, String(s.advert_rcvd), String(s.advert_sent), String(errors),
    ]);
  }
  const w = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return `vipd pid ${r.pid}, ${r.configFile}, up since ${r.startedAt}\n` +
    rows.map((row) => row.map((c, k) => c.padEnd(w[k])).join('  ').trimEnd()).join('\n') + '\n' +
    (r.engine ? formatEngine(r.engine) : '');
}

/** One line: what was dropped before reaching an instance (the zeros too: "none" is worth seeing). */
function formatEngine(e: EngineStats): string {
  const before = e.unknown_vrid + e.too_short + e.bad_ip_header + e.bad_protocol + e.truncated + e.bad_family;
  return `dropped before an instance: ${before} (unknown VRID ${e.unknown_vrid}, too short ${e.too_short}, ` +
    `bad IP header ${e.bad_ip_header}, bad protocol ${e.bad_protocol}, truncated ${e.truncated}, bad family ${e.bad_family}); ` +
    `truncated reads ${e.truncated_reads}; kernel receive-queue drops ${e.kernel_drops}\n`;
}
