// A throwaway network lab: N hosts and a client, each in its own network namespace,
// one veth each into a Linux bridge that lives in a namespace of its own (with `links: 2`,
// a second veth per host into a second bridge, for sync groups over two interfaces). Used by
// the e2e tests and by `vipd demo`. Setup shells out to `ip`/`nft` (cold path, readable).
//
// Naming: every namespace is `<root><pid>n<k>-<role>` (root "vl", pid of the creating
// process, k-th lab of that process). Interfaces live inside the namespaces, so only
// namespace names are global. cleanupStale() removes labs whose creator is dead; a
// live lab is removed by destroy(), by the process 'exit' hook, or on an unhandled
// SIGINT/SIGTERM/SIGHUP.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export const LAB_ROOT = 'vl';

export interface LabHost {
  /** 'h1'..'hN', or 'c' for the client. */
  readonly name: string;
  readonly index: number;
  /** Namespace name, for `ip netns exec` and withNetns(). */
  readonly ns: string;
  /** The host's interface (inside its namespace). */
  readonly ifname: 'eth0';
  /** Bridge-side peer of eth0 (inside the bridge namespace). */
  readonly bridgePort: string;
  readonly mac: string;
  readonly ipv4: string;
  readonly ipv6: string;
  /**
   * Every interface of the host, eth0 first (the fields above repeat links[0]). With `links: 2` a host also
   * has eth1 on a second bridge br1, in subnet X+100.
   */
  readonly links: readonly LabLink[];
}

export interface LabLink {
  /** 'eth0', 'eth1', ... inside the host's namespace. */
  readonly ifname: string;
  /** The bridge it is plugged into (in the bridge namespace): br0, br1, ... */
  readonly bridge: string;
  readonly bridgePort: string;
  readonly mac: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface LabOptions {
  /** Number of VRRP hosts (h1..hN), 1..50. */
  hosts: number;
  /** X in 10.203.X.Y/24 and fd00:203:X::Y/64; 1..254. */
  subnet?: number;
  /** Add a client host 'c' (.200). Default true. */
  client?: boolean;
  /**
   * Interfaces per host (and client), 1..2, default 1. Link k (eth<k>) is on bridge br<k> with addresses
   * 10.203.(X+100k).Y and fd00:203:(X+100k)::Y, so X must leave room (X + 100 <= 254 for 2 links).
   */
  links?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CLIENT_INDEX = 200;
const live = new Set<Lab>();
let labCount = 0;

function ip(args: string[], timeoutMs = 10_000): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export class Lab {
  readonly prefix: string;
  readonly subnet: number;
  readonly bridgeNs: string;
  readonly hosts: readonly LabHost[];
  readonly client: LabHost | undefined;
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(prefix: string, subnet: number, hosts: LabHost[], client: LabHost | undefined) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.bridgeNs = `${prefix}-br`;
    this.hosts = hosts;
    this.client = client;
  }

  /** Build the lab (synchronous; ~50 ms for three hosts). Everything is removed again if a step fails. */
  static create(opts: LabOptions): Lab {
    if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > 50) throw new RangeError('hosts must be 1..50');
    const subnet = opts.subnet ?? 1;
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 254) throw new RangeError('subnet must be 1..254');
    const nLinks = opts.links ?? 1;
    if (!Number.isInteger(nLinks) || nLinks < 1 || nLinks > 2) throw new RangeError('links must be 1..2');
    if (subnet + 100 * (nLinks - 1) > 254) throw new RangeError(`subnet ${subnet} leaves no room for ${nLinks} links (X + 100 must be <= 254)`);
    const prefix = `${LAB_ROOT}${process.pid}n${++labCount}`;
    const link = (name: string, index: number, k: number): LabLink => {
      const sn = subnet + 100 * k;
      return {
        ifname: `eth${k}`, bridge: `br${k}`, bridgePort: k === 0 ? name : `${name}-${k}`,
        mac: `02:cb:${hex2(subnet)}:${hex2(k)}:00:${hex2(index)}`,
        ipv4: `10.203.${sn}.${index}`,
        ipv6: `fd00:203:${sn.toString(16)}::${index.toString(16)}`,
      };
    };
    const mk = (name: string, index: number): LabHost => {
      const links = Array.from({ length: nLinks }, (_, k) => link(name, index, k));
      const l0 = links[0];
      return { name, index, ns: `${prefix}-${name}`, ifname: 'eth0', bridgePort: l0.bridgePort, mac: l0.mac, ipv4: l0.ipv4, ipv6: l0.ipv6, links };
    };
    const hosts = Array.from({ length: opts.hosts }, (_, i) => mk(`h${i + 1}`, i + 1));
    const client = opts.client === false ? undefined : mk('c', CLIENT_INDEX);
    const lab = new Lab(prefix, subnet, hosts, client);
    live.add(lab);
    installExitHooks();
    try {
      lab.build();
    } catch (e) {
      lab.destroy();
      throw e;
    }
    return lab;
  }

  get all(): LabHost[] {
    return this.client ? [...this.hosts, this.client] : [...this.hosts];
  }

  host(name: string): LabHost {
    const h = this.all.find((x) => x.name === name);
    if (!h) throw new Error(`no host ${name} in lab ${this.prefix}`);
    return h;
  }

  private build(): void {
    ip(['netns', 'add', this.bridgeNs]);
    ip(['-n', this.bridgeNs, 'link', 'set', 'lo', 'up']);
    for (const l of this.all[0].links) {
      // Snooping off: with no querier on the LAN, group traffic must simply flood.
      ip(['-n', this.bridgeNs, 'link', 'add', l.bridge, 'type', 'bridge', 'mcast_snooping', '0', 'stp_state', '0']);
      ip(['-n', this.bridgeNs, 'link', 'set', l.bridge, 'up']);
    }
    for (const h of this.all) {
      ip(['netns', 'add', h.ns]);
      for (const l of h.links) {
        ip(['-n', this.bridgeNs, 'link', 'add', l.bridgePort, 'type', 'veth',
          'peer', 'name', l.ifname, 'address', l.mac, 'netns', h.ns]);
        ip(['-n', this.bridgeNs, 'link', 'set', l.bridgePort, 'master', l.bridge, 'up']);
      }
      // No DAD: link-local and lab addresses are usable the moment the link is up,
      // instead of ~1 s later (VRRPv3 over IPv6 sends from the link-local address).
      execFileSync('ip', ['netns', 'exec', h.ns, 'sysctl', '-q', '-w',
        'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
        ...h.links.map((l) => `net.ipv6.conf.${l.ifname}.accept_dad=0`)], { timeout: 10_000, stdio: 'ignore' });
      ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      for (const l of h.links) {
        ip(['-n', h.ns, 'addr', 'add', `${l.ipv4}/24`, 'brd', '+', 'dev', l.ifname]);
        ip(['-n', h.ns, 'addr', 'add', `${l.ipv6}/64`, 'dev', l.ifname, 'nodad']);
        ip(['-n', h.ns, 'link', 'set', l.ifname, 'up']);
      }
    }
  }

  /** Link-local IPv6 address of a host's eth0 (the source VRRPv3 over IPv6 uses). */
  linkLocal(h: LabHost): string {
    const out = ip(['-n', h.ns, '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    const m = /inet6 (fe80::[0-9a-f:]+)\//.exec(out);
    if (!m) throw new Error(`${h.name}: no link-local address on eth0`);
    return m[1];
  }

  /** Run a command inside a host's namespace and return stdout; throws on non-zero exit or timeout. */
  exec(h: LabHost | string, argv: string[], timeoutMs = 10_000): string {
    const host = typeof h === 'string' ? this.host(h) : h;
    return execFileSync('ip', ['netns', 'exec', host.ns, ...argv],
      { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Run a command in a namespace without blocking the event loop; never rejects, times out with SIGKILL. */
  run(h: LabHost | string, argv: string[], timeoutMs = 10_000): Promise<RunResult> {
    const child = this.spawn(h, argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /**
   * Start a long-running process inside a namespace (`ip netns exec` execs it, so
   * child.pid is the process itself). It is killed by destroy() if still running.
   */
  spawn(h: LabHost | string, cmd: string, args: string[] = [], opts: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error(`lab ${this.prefix} is destroyed`);
    const host = typeof h === 'string' ? this.host(h) : h;
    const child = spawn('ip', ['netns', 'exec', host.ns, cmd, ...args], opts);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Take a host's link down: 'host' = its interface (the host sees carrier loss), 'bridge' = the switch port.
   * `ifname` picks the link on a multi-link lab (default eth0).
   */
  cutLink(h: LabHost | string, side: 'host' | 'bridge' = 'bridge', ifname = 'eth0'): void {
    this.setLink(h, side, 'down', ifname);
  }

  restoreLink(h: LabHost | string, side: 'host' | 'bridge' = 'bridge', ifname = 'eth0'): void {
    this.setLink(h, side, 'up', ifname);
  }

  private setLink(h: LabHost | string, side: 'host' | 'bridge', state: 'up' | 'down', ifname: string): void {
    const host = typeof h === 'string' ? this.host(h) : h;
    const l = host.links.find((x) => x.ifname === ifname);
    if (!l) throw new Error(`${host.name} has no ${ifname}`);
    if (side === 'host') ip(['-n', host.ns, 'link', 'set', l.ifname, state]);
    else ip(['-n', this.bridgeNs, 'link', 'set', l.bridgePort, state]);
  }

  /**
   * Drop VRRP (IPv4 protocol 112 and IPv6 next header 112) on the bridge: all of it, or
   * only what enters from one host's port, or a random `lossPercent` of it. Replaces any
   * earlier rule set.
   */
  dropVrrp(opts: { from?: LabHost | string; lossPercent?: number } = {}): void {
    const from = opts.from === undefined ? '' : `iifname "${typeof opts.from === 'string' ? this.host(opts.from).bridgePort : opts.from.bridgePort}" `;
    const loss = opts.lossPercent === undefined ? '' : `numgen random mod 100 < ${Math.round(opts.lossPercent)} `;
    const script = [
      'table bridge vipdlab',
      'delete table bridge vipdlab',
      'table bridge vipdlab {',
      '  chain vrrp_drop {',
      '    type filter hook forward priority 0; policy accept;',
      `    ${from}ether type ip ip protocol 112 ${loss}counter drop`,
      `    ${from}ether type ip6 ip6 nexthdr 112 ${loss}counter drop`,
      '  }',
      '}',
    ].join('\n');
    execFileSync('ip', ['netns', 'exec', this.bridgeNs, 'nft', '-f', '-'], { input: script, timeout: 10_000, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  allowVrrp(): void {
    execFileSync('ip', ['netns', 'exec', this.bridgeNs, 'nft', '-f', '-'],
      { input: 'table bridge vipdlab\ndelete table bridge vipdlab\n', timeout: 10_000, stdio: ['pipe', 'ignore', 'pipe'] });
  }

  /** Kill what the lab started and delete its namespaces (and with them every veth and the bridge). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    this.children.clear();
    removeNamespaces(this.prefix + '-');
    live.delete(this);
  }
}

/** Namespace names currently present (from /run/netns via `ip netns list`). */
export function listNamespaces(): string[] {
  return ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}

function removeNamespaces(prefix: string): string[] {
  const gone: string[] = [];
  for (const ns of listNamespaces()) {
    if (!ns.startsWith(prefix)) continue;
    // Processes still inside (e.g. a daemon a test started) would keep the namespace alive.
    try {
      for (const pid of ip(['netns', 'pids', ns]).split('\n').filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
      }
    } catch { /* namespace vanished meanwhile */ }
    try {
      ip(['netns', 'del', ns]);
      gone.push(ns);
    } catch { /* raced with another cleanup */ }
  }
  return gone;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove leftovers of labs whose creating process is gone (a crashed test, a killed demo).
 * `prefix` narrows the sweep, e.g. one lab's prefix; labs of live processes are kept
 * unless `force` is set. Returns the namespaces removed.
 */
export function cleanupStale(prefix: string = LAB_ROOT, force = false): string[] {
  const pattern = new RegExp(`^${LAB_ROOT}(\\d+)n\\d+-`);
  const gone: string[] = [];
  const owners = new Map<string, number>();
  for (const ns of listNamespaces()) {
    const m = pattern.exec(ns);
    if (!m || !ns.startsWith(prefix)) continue;
    owners.set(m[0], Number(m[1]));
  }
  for (const [labPrefix, pid] of owners) {
    if (force || !alive(pid)) gone.push(...removeNamespaces(labPrefix));
  }
  return gone;
}

let hooked = false;
function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', destroyAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only when nobody else handles the signal: then it would kill the process without
    // running 'exit' hooks, so clean up, restore the default action and re-raise it.
    // When the application handles it (a demo's Ctrl-C, a daemon's SIGHUP reload), the
    // application decides whether to exit, and the 'exit' hook cleans up if it does.
    const onSignal = () => {
      if (process.listenerCount(sig) !== 1) return;
      destroyAll();
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function destroyAll(): void {
  for (const lab of [...live]) {
    try { lab.destroy(); } catch { /* keep going: remove as much as we can */ }
  }
}
