// Real vipd processes in a namespace lab, for the daemon e2e tests and the failover benchmark: keepalived.conf
// text, starting/stopping `node bin/vipd.js -n -l -D`, `vipd status --json`, the addresses and neighbour entries
// the kernel holds, and a timestamped capture on the bridge. Every wait is bounded.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabHost } from '../../../host/lab/netns.ts';
import type { ProbeResult } from '../../../host/lab/probe.ts';
import { type StatusReport, fetchStatus, statusSocketName } from '../../../host/daemon/status.ts';
import { withNetns } from '../../../host/net/netns.ts';
import type { InstanceStatus } from '../../../host/daemon/runtime.ts';
import { sleep, waitFor } from './wait.ts';
import { stopTcpdump, tcpdumpListening } from './capture.ts';

export const BIN = new URL('../../../bin/vipd.js', import.meta.url).pathname;
export const PROBE = new URL('../../../host/lab/probe.ts', import.meta.url).pathname;
export const ECHO_PORT = 7007;

// ---------------------------------------------------------------------------------------------------------------
// Configuration text

export interface InstanceSpec {
  name?: string;
  vrid?: number;
  priority: number;
  version: 2 | 3;
  /** Seconds (v2: whole seconds). */
  advertInt: number;
  /** With prefix, e.g. 10.203.41.100/24 or fd00:203:29::100/64. */
  vips: string[];
  state?: 'MASTER' | 'BACKUP';
  nopreempt?: boolean;
  /** Unicast instead of multicast: our source and the peers' addresses. */
  unicast?: { src: string; peers: string[] };
  /** VRRPv2 PASS authentication. */
  authPass?: string;
  /** Extra lines inside the vrrp_instance block. */
  extra?: string[];
}

export function instanceText(s: InstanceSpec): string {
  const lines = [
    `vrrp_instance ${s.name ?? 'VI_1'} {`,
    `  state ${s.state ?? 'BACKUP'}`,
    '  interface eth0',
    `  virtual_router_id ${s.vrid ?? 51}`,
    `  priority ${s.priority}`,
    `  advert_int ${s.advertInt}`,
    `  version ${s.version}`,
  ];
  if (s.nopreempt) lines.push('  nopreempt');
  if (s.authPass !== undefined) lines.push('  authentication {', '    auth_type PASS', `    auth_pass ${s.authPass}`, '  }');
  if (s.unicast) {
    lines.push(`  unicast_src_ip ${s.unicast.src}`, '  unicast_peer {', ...s.unicast.peers.map((p) => `    ${p}`), '  }');
  }
  lines.push('  virtual_ipaddress {', ...s.vips.map((v) => `    ${v}`), '  }');
  for (const e of s.extra ?? []) lines.push(`  ${e}`);
  lines.push('}');
  return lines.join('\n');
}

export function configText(instances: InstanceSpec[]): string {
  return ['global_defs {', '  router_id vipd_e2e', '}', ...instances.map(instanceText), ''].join('\n');
}

/** RFC 5798 / keepalived: Master_Down_Interval = 3 x interval + (256 - priority) x interval / 256, in ms. */
export function masterDownMs(advertIntS: number, priority: number): number {
  return 3 * advertIntS * 1000 + skewMs(advertIntS, priority);
}

export function skewMs(advertIntS: number, priority: number): number {
  return ((256 - priority) * advertIntS * 1000) / 256;
}

// ---------------------------------------------------------------------------------------------------------------
// One vipd process on a lab host

export interface LogLine { t: number; line: string }

export class Vipd {
  readonly conf: string;
  readonly pidFile: string;
  readonly vrrpPid: string;
  readonly logs: LogLine[] = [];
  child: ChildProcess | undefined;
  /** Wall-clock ms at which the current process exited (undefined while running). */
  exitedAt: number | undefined;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly lab: Lab, readonly host: LabHost, readonly dir: string) {
    this.conf = join(dir, `${host.name}.conf`);
    this.pidFile = join(dir, `${host.name}.pid`);
    this.vrrpPid = join(dir, `${host.name}.vrrp.pid`);
  }

  writeConfig(text: string): void {
    writeFileSync(this.conf, text);
  }

  get running(): boolean {
    return this.child !== undefined && this.exitedAt === undefined;
  }

  start(extraArgs: string[] = []): void {
    if (this.running) throw new Error(`${this.host.name}: vipd already running`);
    this.exitedAt = undefined;
    const child = this.lab.spawn(this.host, process.execPath,
      [BIN, '-n', '-l', '-D', '-f', this.conf, '-p', this.pidFile, '-r', this.vrrpPid, ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let partial = '';
    const onData = (d: Buffer) => {
      const t = Date.now();
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line) this.logs.push({ t, line });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitedAt = Date.now();
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  /** Send a signal; returns the wall-clock ms just after sending. */
  signal(sig: NodeJS.Signals): number {
    if (!this.running) throw new Error(`${this.host.name}: vipd is not running`);
    this.child!.kill(sig);
    return Date.now();
  }

  /** Wait for the process to exit; throws after timeoutMs. */
  async waitExit(timeoutMs = 5000): Promise<void> {
    if (!this.child) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${this.host.name}: vipd did not exit within ${timeoutMs} ms\n${this.logText()}`)), timeoutMs); }),
    ]).finally(() => clearTimeout(timer));
  }

  /** SIGTERM and wait (SIGKILL after timeoutMs, and then throw). */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    try {
      await this.waitExit(timeoutMs);
    } catch (e) {
      this.child?.kill('SIGKILL');
      throw e;
    }
  }

  /** The first log line matching `re` logged at or after `since` (wall-clock ms), waiting up to timeoutMs. */
  waitLog(re: RegExp, timeoutMs = 3000, since = 0): Promise<LogLine> {
    return waitFor(`${this.host.name} log ${re}`, () => this.findLog(re, since) ?? false, timeoutMs, 10)
      .catch((e: Error) => { throw new Error(`${e.message}\n${this.logText()}`); });
  }

  findLog(re: RegExp, since = 0): LogLine | undefined {
    return this.logs.find((l) => l.t >= since && re.test(l.line));
  }

  countLog(re: RegExp, since = 0): number {
    return this.logs.filter((l) => l.t >= since && re.test(l.line)).length;
  }

  /** The daemon's own millisecond stamp of a log line (-D), as wall-clock ms. */
  static stampMs(line: string): number | undefined {
    const m = /^\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)\.(\d{3}) (\d{4}):/.exec(line);
    if (!m) return undefined;
    const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1]);
    return new Date(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
  }

  logText(): string {
    return this.logs.map((l) => `  [${this.host.name}] ${l.line}`).join('\n');
  }

  /**
   * The daemon's status socket, asked from this process: the same report `vipd status --json` prints, without
   * starting a node per question (the socket is abstract, so it is opened inside the host's namespace).
   */
  status(): Promise<StatusReport> {
    let p!: Promise<StatusReport>;
    withNetns(this.host.ns, () => { p = fetchStatus(statusSocketName(this.vrrpPid)); });
    return p;
  }

  /** `vipd status --json`, the command itself, run in the host's namespace. */
  async statusCli(): Promise<StatusReport> {
    const r = await this.lab.run(this.host, [process.execPath, BIN, 'status', '--json', '-r', this.vrrpPid], 10_000);
    if (r.code !== 0) throw new Error(`${this.host.name}: vipd status exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusReport;
  }

  async instance(name = 'VI_1', cli = false): Promise<InstanceStatus> {
    const s = await (cli ? this.statusCli() : this.status());
    const i = s.instances.find((x) => x.name === name);
    if (!i) throw new Error(`${this.host.name}: no instance ${name} in status`);
    return i;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A lab with one vipd per host

export class Cluster {
  readonly vipds: Vipd[];
  private readonly dir: string;
  private extra: ChildProcess[] = [];

  private constructor(readonly lab: Lab) {
    this.dir = mkdtempSync(join(tmpdir(), 'vipd-e2e-'));
    this.vipds = lab.hosts.map((h) => new Vipd(lab, h, this.dir));
  }

  static create(hosts: number, subnet: number): Cluster {
    return new Cluster(Lab.create({ hosts, subnet }));
  }

  get client(): LabHost {
    return this.lab.client!;
  }

  /** Address of lab host k (1-based) in family f. */
  addr(k: number, f: 4 | 6 = 4): string {
    const h = this.lab.hosts[k - 1];
    return f === 4 ? h.ipv4 : h.ipv6;
  }

  vip(n = 100, f: 4 | 6 = 4): string {
    return f === 4 ? `10.203.${this.lab.subnet}.${n}` : `fd00:203:${this.lab.subnet.toString(16)}::${n.toString(16)}`;
  }

  /** Write each host's config and start its daemon (and an echo responder for the client's probes). */
  start(configs: string[], echo = false): void {
    configs.forEach((c, k) => {
      this.vipds[k].writeConfig(c);
      this.vipds[k].start();
      if (echo) {
        this.extra.push(this.lab.spawn(this.lab.hosts[k], process.execPath, ['--import', 'tsx', PROBE, 'echo', String(ECHO_PORT), this.lab.hosts[k].name],
          { stdio: 'ignore' }));
      }
    });
  }

  /** Hosts (indexes into vipds) that hold `vip` on eth0 right now. */
  holders(vip: string): number[] {
    return this.vipds.map((v, k) => (hasAddress(this.lab, v.host, vip) ? k : -1)).filter((k) => k >= 0);
  }

  /**
   * Wait until host `k` holds the VIP (and, if `only`, no other host does: a SIGKILLed daemon leaves its VIP
   * behind, so takeover checks pass only=false); returns the wall-clock ms when seen.
   */
  async waitHolder(vip: string, k: number, timeoutMs: number, { only = true, stepMs = 5 } = {}): Promise<number> {
    await waitFor(`${vip} held by ${this.lab.hosts[k].name}${only ? ' only' : ''}`, () => {
      if (!only) return hasAddress(this.lab, this.lab.hosts[k], vip);
      const h = this.holders(vip);
      return h.length === 1 && h[0] === k;
    }, timeoutMs, stepMs).catch((e: Error) => { throw new Error(`${e.message}; holders now: ${this.holders(vip).map((i) => this.lab.hosts[i].name).join(',') || 'none'}\n${this.logText()}`); });
    return Date.now();
  }

  logText(): string {
    return this.vipds.map((v) => v.logText()).join('\n');
  }

  /** Statuses of all running daemons, in parallel. */
  async statuses(cli = false): Promise<(InstanceStatus | null)[]> {
    return Promise.all(this.vipds.map((v) => (v.running ? v.instance('VI_1', cli) : Promise.resolve(null))));
  }

  /**
   * The end of every test: SIGTERM every daemon, each must exit on its own within timeoutMs; then no VIP may be
   * left on any host and no vipd may be left in any namespace. Returns problems (empty when clean).
   */
  async stopAll(vips: string[], timeoutMs = 5000): Promise<string[]> {
    const problems: string[] = [];
    await Promise.all(this.vipds.map((v) => v.stop(timeoutMs).catch((e: Error) => { problems.push(e.message); })));
    for (const v of this.vipds) {
      for (const a of vips) if (hasAddress(this.lab, v.host, a)) problems.push(`${v.host.name} still holds ${a}`);
      const left = vipdPids(this.lab, v.host);
      if (left.length > 0) problems.push(`${v.host.name}: vipd still running (pids ${left.join(',')})`);
    }
    return problems;
  }

  destroy(): void {
    for (const c of this.extra) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.lab.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Run the client's prober against the VIP for durationMs (a datagram every everyMs). */
  async probe(vip: string, durationMs: number, everyMs = 1): Promise<ProbeResult> {
    const r = await this.lab.run(this.client, [process.execPath, '--import', 'tsx', PROBE, 'probe', vip, String(ECHO_PORT), String(everyMs), String(durationMs)], durationMs + 10_000);
    if (r.code !== 0) throw new Error(`probe failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as ProbeResult;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the kernel holds

/** Addresses on a host's eth0 (without prefix). */
export function addresses(lab: Lab, h: LabHost): string[] {
  const out = lab.exec(h, ['ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  return [...out.matchAll(/inet6? ([0-9a-f.:]+)\//g)].map((m) => m[1]);
}

export function hasAddress(lab: Lab, h: LabHost, addr: string): boolean {
  return addresses(lab, h).includes(addr.split('/')[0]);
}

/** Pids of vipd processes inside a host's namespace. */
export function vipdPids(lab: Lab, h: LabHost): number[] {
  const pids = execIp(['netns', 'pids', h.ns]).split('\n').filter(Boolean).map(Number);
  return pids.filter((p) => {
    try {
      return readCmdline(p).includes(BIN);
    } catch {
      return false;
    }
  });
}

function execIp(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
function readCmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ');
}

/** The MAC a host's neighbour table holds for `addr`, or null. */
export function neighMac(lab: Lab, h: LabHost, addr: string): string | null {
  const out = lab.exec(h, ['ip', 'neigh', 'show', 'to', addr.split('/')[0], 'dev', 'eth0']);
  const m = /lladdr ([0-9a-f:]{17})/.exec(out);
  return m ? m[1] : null;
}

/** Make the client resolve `addr` (one ping; the reply may be lost during a failover). */
export function resolveFrom(lab: Lab, h: LabHost, addr: string): void {
  try {
    lab.exec(h, ['ping', '-c', '1', '-W', '1', addr.split('/')[0]], 5000);
  } catch { /* the entry is checked by the caller */ }
}

// ---------------------------------------------------------------------------------------------------------------
// Bridge capture with the kernel's timestamps

export interface Frame {
  /** Wall-clock ms (tcpdump -tt). */
  t: number;
  srcMac: string;
  text: string;
}

export interface Capture {
  frames: Frame[];
  stop(): Promise<void>;
}

/**
 * tcpdump -tt -e on br0 in the bridge namespace; resolves once it listens. Stopped by stop(), or killed with the
 * namespace by lab.destroy().
 */
export async function captureBridge(lab: Lab, filter: string, timeoutMs = 5000): Promise<Capture> {
  const child = spawn('ip', ['netns', 'exec', lab.bridgeNs, 'tcpdump', '--immediate-mode', '-i', 'br0', '-tt', '-e', '-nn', '-l', '-v', ...filter.split(' ')],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const frames: Frame[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      const m = /^(\d+\.\d+) ([0-9a-f:]{17}) > /.exec(line);
      if (m) frames.push({ t: Number(m[1]) * 1000, srcMac: m[2], text: line });
      else if (frames.length > 0 && /^\s/.test(line)) frames[frames.length - 1].text += '\n' + line;
    }
  });
  await tcpdumpListening(child, timeoutMs);
  return {
    frames,
    stop: () => stopTcpdump(child),
  };
}

export function isVrrp(f: Frame): boolean {
  return /VRRPv[23]/.test(f.text);
}
export function isGarpFor(f: Frame, vip: string): boolean {
  const v = vip.replace(/\./g, '\\.');
  return /ARP/.test(f.text) && new RegExp(`Request who-has ${v} (\\([0-9a-f:]+\\) )?tell ${v},`).test(f.text);
}
export function isNaFor(f: Frame, vip: string): boolean {
  return /neighbor advertisement/.test(f.text) && f.text.includes(`tgt is ${vip}`);
}
/** VRRP priority in a captured advert (tcpdump prints "prio N"). */
export function vrrpPriority(f: Frame): number | undefined {
  const m = /prio (\d+)/.exec(f.text);
  return m ? Number(m[1]) : undefined;
}
