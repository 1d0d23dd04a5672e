// The running daemon: configuration -> plan -> core + sockets + netlink, and the core's outputs carried out on
// the real network. Lifecycle (start, graceful stop, reload) lives here; signals and the CLI are wired elsewhere.
import { type Config, type VipSpec, loadConfig, renderDiagnostics } from '../config/index.ts';
import type { TimerStats } from './status.ts';
import { ProcessPriorityControl, demoteHelpers } from './process-priority.ts';
import { Core } from '../core/wasm-core.ts';
import * as abi from '../core/abi.ts';
import { type GlobalStats, RX_MESSAGES, type StateName, type Stats } from '../core/names.ts';
import type { Logger } from '../log.ts';
import { Announcer, ipv6Forwarding } from '../net/announce.ts';
import { parseIp } from '../net/ip-address.ts';
import { type AddressEvent, type AddressInfo, type LinkInfo, NetEvents, type NetEvent, Netlink } from '../net/netlink.ts';
import { addressActions, type InstanceAddressView, sameAddress } from './address-events.ts';
import { TxBatch } from '../net/tx-batch.ts';
import { type RxPacket, type RxStats, VrrpSocket } from '../net/vrrp-socket.ts';
import { addressSpec, installable, routeSpec, ruleSpec } from './addresses.ts';
import { type CoreEvent, Driver, TimeoutWaker, type Waker, monotonicUs } from './driver.ts';
import { TimerfdWaker } from '../net/precise-waker.ts';
import { feedDatagram } from './rx-datagram.ts';
import { EffectQueues, RateLimit } from './effects.ts';
import { type InstancePlan, type InterfaceView, type Plan, type SocketPlan, buildPlan } from './plan.ts';
import { DaemonTracking } from './tracking.ts';
import type { PriorityVerdict } from '../track/priority.ts';

export interface DaemonOptions {
  configFile: string;
  configId?: string;
  allConfig?: boolean;
  logger: Logger;
  /** -V / --dont-release-vrrp: leave VIPs in place on exit. */
  dontReleaseVrrp?: boolean;
  /** --keepalived-compat: no fast preemption, no last advert when yielding (plan.ts Policy). */
  keepalivedCompat?: boolean;
}

interface Runtime {
  plan: InstancePlan;
  state: StateName;
  /** VIPs (advertised and excluded) currently installed by us. */
  installed: VipSpec[];
  lastTransition: number;
  masterAddress: string | null;
  masterPriority: number | null;
}

/**
 * Receive buffer of a VRRP socket. The kernel's default (208 KiB) holds about 270 small datagrams; the socket is
 * read in paced batches 1-2 ms apart under a stream (docs/net.md), and a 100 000/s flood brings 200 in 2 ms, so a
 * stall of the event loop would drop real adverts with the flood. 1 MiB holds about 10 ms of such a flood.
 */
const VRRP_RCVBUF = 1 << 20;

interface OpenSocket {
  plan: SocketPlan;
  /** null while its interface is deleted (re-opened when an interface of that name appears). */
  sock: VrrpSocket | null;
  batch: TxBatch;
  src: Buffer;
  /** The kernel's drop count for this socket as last seen (SO_RXQ_OVFL), and as last logged. */
  drops: number;
  dropsLogged: number;
}

/**
 * Datagrams dropped before any instance saw them: the core's engine-wide counters (GSTAT_NAMES), plus what the
 * host sees at the socket: reads cut short by the receive slot, and the kernel's drops when a receive queue was
 * full (counted from SO_RXQ_OVFL, so a drop shows once the next datagram reaches that socket).
 */
export type EngineStats = GlobalStats & { truncated_reads: number; kernel_drops: number };

export interface InstanceStatus {
  name: string;
  state: StateName;
  interface: string;
  vrid: number;
  version: number;
  family: 4 | 6;
  basePriority: number;
  effectivePriority: number;
  advertIntCs: number;
  masterAddress: string | null;
  masterPriority: number | null;
  vips: string[];
  vipsInstalled: boolean;
  lastTransition: string;
  stats: Stats;
}

/** The timerfd waker (sub-millisecond) where the addon has it, else Node's millisecond timers. */
function preciseWaker(): Waker & { close?: () => void } {
  try {
    return new TimerfdWaker();
  } catch {
    return new TimeoutWaker();
  }
}

export class Daemon {
  private config!: Config;
  private priority!: ProcessPriorityControl;
  private plan!: Plan;
  private core!: Core;
  private driver!: Driver;
  private waker!: Waker & { close?: () => void };
  private nl!: Netlink;
  private events!: NetEvents;
  private announcer!: Announcer;
  /** `ifindex|address` of VIPs the daemon is deleting right now (address-event echoes of those are ours). */
  private readonly beingRemoved = new Map<string, number>();
  private readonly sockets = new Map<string, OpenSocket>();
  private readonly byHandle = new Map<number, Runtime>();
  private readonly links = new Map<number, LinkInfo>();
  private readonly dirty = new Set<OpenSocket>();
  private readonly effects: EffectQueues;
  private readonly rxLog = new RateLimit(10_000);
  /** VRRPv2 interval mismatches, per instance handle (keepalived logs them per instance). */
  private readonly ivLog = new RateLimit(10_000);
  /** Interfaces deleted under running instances: those instances are held in FAULT until one of that name is back. */
  private readonly lostInterfaces = new Set<string>();
  /** Instances with track_src_ip whose source address is not on the host: held in FAULT until it is back. */
  private readonly srcLost = new Set<number>();
  private truncatedReads = 0;
  /** Kernel drops counted on sockets since closed (reload, deleted interface). */
  private closedDrops = 0;
  private forwarding = new Map<string, boolean>();
  private tracking!: DaemonTracking;
  /** Instances held in INIT until their weight-0 scripts have reported (keepalived does the same). */
  private readonly awaitingTrackers = new Set<number>();
  private nextHandle = 0;
  private nextSocketId = 0;
  private stopping = false;
  private readonly log: Logger;

  private get policy() {
    return { keepalivedCompat: this.opts.keepalivedCompat ?? false };
  }

  private constructor(private readonly opts: DaemonOptions) {
    this.log = opts.logger;
    this.effects = new EffectQueues((h, e) => {
      const r = this.byHandle.get(h);
      this.log.err(`(${r?.plan.name ?? h}) ${(e as Error).message}`);
    });
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const d = new Daemon(opts);
    await d.boot();
    return d;
  }

  private loadConfigOrThrow(): Config {
    const r = loadConfig(this.opts.configFile, { configId: this.opts.configId, allConfig: this.opts.allConfig });
    const text = renderDiagnostics(r.diagnostics, true);
    for (const line of text.split('\n').filter(Boolean)) this.log.warn(line);
    if (r.diagnostics.some((d) => d.severity === 'error' && (d as { fatal?: boolean }).fatal)) {
      throw new Error(`configuration ${this.opts.configFile} cannot run`);
    }
    return r.config;
  }

  private async boot(): Promise<void> {
    this.config = this.loadConfigOrThrow();
    this.priority = new ProcessPriorityControl(this.log);
    // Settings now, realtime itself once start-up is done (a Node start-up runs past RLIMIT_RTTIME).
    this.priority.hold();
    this.priority.apply(this.config.global.vrrpProcess);
    this.nl = new Netlink();
    this.nl.onError = (e) => this.log.err(`netlink: ${e.message}`);
    await this.refreshLinks();
    const addrs = await this.nl.addresses();
    this.plan = buildPlan(this.config, this.lookup(addrs), this.policy);
    for (const p of this.plan.problems) this.log.err(`(${p.name}) ${p.why}: instance not started`);
    this.logSkippedEntries(this.plan.instances);
    this.core = new Core();
    this.waker = preciseWaker();
    this.driver = new Driver(this.core, {
      transmit: (h, s, peer, msg, a) => this.transmit(h, s, peer, msg, a),
      event: (e, now) => this.onEvent(e, now),
      drained: () => this.flush(),
      beforeTakeover: () => { for (const s of this.sockets.values()) s.sock?.drain(); },
    }, monotonicUs, this.waker);
    // Masters' adverts due within a millisecond share a wake-up and a sendmmsg (1 000 instances at 0.1 s would
    // otherwise wake the process up to 10 000 times a second).
    this.driver.slackUs = 1000;
    this.announcer = new Announcer();
    this.nextSocketId = this.plan.sockets.length;
    this.nextHandle = this.plan.instances.length;
    for (const ip of this.plan.instances) this.addInstance(ip);
    this.checkSources(this.plan.instances, addrs);
    this.warmUp();
    await this.removeLeftovers(addrs);
    this.events = new NetEvents((e) => this.onNetEvent(e), { onError: (e) => this.log.err(`netlink monitor: ${e.message}`) });
    // Before tracking starts: its script-spawning worker thread must not be one of the demoted helpers (a script
    // started late by a starved thread could miss its timeout and cost a false failover).
    const helpers = demoteHelpers(this.log);
    this.log.debug(`${helpers} helper thread(s) at SCHED_BATCH: they never preempt the event loop`);
    this.tracking = await this.startTracking(this.config, this.plan.instances);
    // One input per step: the core's output ring is drained after each (its contract).
    for (const r of this.byHandle.values()) {
      this.driver.step((now) => this.applyVerdict(now, r.plan.handle, this.tracking.verdict(r.plan.handle), true));
    }
    this.priority.release('start-up');
  }

  private startTracking(cfg: Config, instances: InstancePlan[]): Promise<DaemonTracking> {
    const links = new Map([...this.links.values()].map((l) => [l.name, l.up && l.running]));
    return DaemonTracking.start(cfg, instances.map((ip) => ({ handle: ip.handle, model: ip.model, ifname: ip.ifname })), links, this.log,
      (h, v) => { if (!this.stopping) this.driver.step((now) => this.applyVerdict(now, h, v, false)); });
  }

  /** Tracker results into the core: priority delta and fault; a held instance starts once nothing is pending. */
  private applyVerdict(now: number, h: number, v: PriorityVerdict, starting: boolean): void {
    if (!this.byHandle.has(h)) return;
    this.core.setPriorityAdjust(now, h, v.delta);
    this.core.setFault(now, h, v.fault || this.srcLost.has(h) || this.lostInterfaces.has(this.byHandle.get(h)!.plan.ifname));
    if (starting && v.pending) {
      this.awaitingTrackers.add(h);
      return;
    }
    if ((starting || this.awaitingTrackers.has(h)) && !v.pending) {
      this.awaitingTrackers.delete(h);
      this.core.start(now, h);
    }
  }

  private async refreshLinks(): Promise<void> {
    this.links.clear();
    for (const l of await this.nl.links()) this.links.set(l.index, l);
  }

  private lookup(addrs: AddressInfo[]): (name: string) => InterfaceView | undefined {
    return (name) => {
      const l = [...this.links.values()].find((x) => x.name === name);
      if (!l) return undefined;
      const mine = addrs.filter((a) => a.ifindex === l.index);
      return {
        index: l.index, name, mac: l.mac, up: l.up, running: l.running,
        ipv4: mine.filter((a) => a.family === 4 && !(a.flags.includes('secondary'))).map((a) => a.address),
        ipv6LinkLocal: mine.find((a) => a.family === 6 && a.address.startsWith('fe80'))?.address ?? null,
      };
    };
  }

  private addInstance(ip: InstancePlan): void {
    this.openSocket(ip.socket);
    this.core.configure(ip.handle, ip.core);
    const r: Runtime = { plan: ip, state: 'INIT', installed: [], lastTransition: Date.now(), masterAddress: null, masterPriority: null };
    this.byHandle.set(ip.handle, r);
  }

  private openSocket(sp: SocketPlan): OpenSocket {
    let s = this.sockets.get(sp.key);
    if (s) return s;
    s = { plan: sp, sock: null, batch: new TxBatch(64), src: Buffer.alloc(16), drops: 0, dropsLogged: 0 };
    this.bindSocket(s);
    this.sockets.set(sp.key, s);
    return s;
  }

  /** Opens the kernel socket of `s` on its plan's interface (again, when a deleted interface is back). */
  private bindSocket(s: OpenSocket): void {
    const sp = s.plan;
    const id = sp.id;
    const family = sp.family;
    s.sock = VrrpSocket.open({
      family, ifindex: sp.ifindex, multicast: sp.multicast, bindAddress: sp.bindAddress ?? undefined, rcvbuf: VRRP_RCVBUF,
      proto: sp.proto,
      onError: (e) => this.log.err(`VRRP socket on ${sp.ifname}: ${e.message}`),
    }, (p) => {
      if (this.stopping) return;
      if (p.drops !== s.drops) this.kernelDrops(s, p.drops);
      if (p.truncated) this.truncatedReads++;
      // No closure, string or view per datagram here: under a flood this runs 100 000 times a second.
      const r = feedDatagram(this.core, this.driver, id, family, p);
      if (r < 0) this.badPacket(sp, r, p);
      else if (r === abi.RX_INTERVAL_MISMATCH) this.intervalMismatch(p);
    });
  }

  private closeSocket(s: OpenSocket): void {
    if (!s.sock) return;
    s.sock.close();
    s.sock = null;
    this.closedDrops += s.drops;
    s.drops = 0;
    s.dropsLogged = 0;
    s.batch.clear();
    this.dirty.delete(s);
  }

  /**
   * Runs the takeover path once without sending: the advert encoder and the batch code are compiled now, not on
   * the first takeover, when a backup has no millisecond to spare.
   */
  private warmUp(): void {
    const ip = this.plan.instances[0];
    if (!ip) return;
    const msg = this.core.encodeAdvert({ ...ip.core, priority: ip.core.priority });
    const addrs = new Uint8Array(32);
    for (const s of this.sockets.values()) {
      for (let k = 0; k < 3; k++) {
        this.transmit(ip.handle, s.plan.id, -1, msg, addrs);
        s.batch.clear();
      }
    }
    this.dirty.clear();
  }

  private badPacket(sp: SocketPlan, code: number, p: RxPacket): void {
    // A numeric key, and the source formatted only when a line is due: most bad packets are counted, not logged.
    const suppressed = this.rxLog.pass(-(sp.id * 256 - code));
    if (suppressed === null) return;
    const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
    this.log.info(`${sp.ifname}: ${RX_MESSAGES[code] ?? `bad packet ${code}`} from ${p.src()}${more}`);
  }

  /**
   * A VRRPv2 advert whose interval is not ours (dropped by the core, counted in advert_interval_err): keepalived's
   * line. 2.2.7 logs every such advert; here the first at once, then at most one per 10 s per instance saying how
   * many were not logged (a mismatched peer would otherwise log every second, a hostile one at line rate), and
   * again at once after the instance changes state (keepalived >= 2.3.3 logs once per state).
   */
  private intervalMismatch(p: RxPacket): void {
    const r = this.byHandle.get(this.core.receivedBy());
    if (!r) return;
    const suppressed = this.ivLog.pass(r.plan.handle);
    if (suppressed === null) return;
    const more = suppressed > 0 ? ` (${suppressed} more since the last report)` : '';
    const mine = Math.round(this.core.inspect(r.plan.handle).advertIntCs / 100);
    // Only v2 refuses a mismatch, so this is an IPv4 packet; decoded only when a line is due (rate limited above).
    const theirs = this.core.decodeAdvert(p.data.subarray(p.offset, p.offset + p.length), { family: 4, ipHeader: true }).interval;
    this.log.info(`(${r.plan.name}) advertisement interval mismatch mine=${mine} sec rcv'd=${theirs} sec${more}`);
  }

  /** The kernel dropped datagrams on `s` (its receive queue was full): say how many, at most once per 10 s. */
  private kernelDrops(s: OpenSocket, total: number): void {
    s.drops = total;
    // A numeric key: under a flood the drop count moves with nearly every batch, and a key string each time would
    // be garbage on the receive path.
    if (this.rxLog.pass(1_000_000 + s.plan.id) === null) return;
    this.log.warn(`${s.plan.ifname}: receive queue full: the kernel dropped ${total - s.dropsLogged} VRRP datagram(s) (${total} since the socket was opened)`);
    s.dropsLogged = total;
  }

  private socketById(id: number): OpenSocket | undefined {
    for (const s of this.sockets.values()) if (s.plan.id === id) return s;
    return undefined;
  }

  private transmit(_h: number, sockId: number, peer: number, msg: Uint8Array, addrs: Uint8Array): void {
    const s = this.socketById(sockId);
    // No socket while its interface is deleted: only a FAULTing master's last (priority 0) advert can come here.
    if (!s?.sock) return;
    if (s.batch.count >= s.batch.capacity) this.flushOne(s);
    const ttl = s.plan.multicast ? 255 : s.plan.ttl;
    const off = s.batch.reserve(msg.length, addrs.subarray(16, 32), s.plan.ifindex, ttl, addrs.subarray(0, 16));
    s.batch.data.set(msg, off);
    this.dirty.add(s);
    void peer;
  }

  private flush(): void {
    // Runs after every datagram: nothing to send is the usual case, and iterating an empty Set still makes an
    // iterator object (garbage on the receive path).
    if (this.dirty.size === 0) return;
    for (const s of this.dirty) this.flushOne(s);
    this.dirty.clear();
  }

  private flushOne(s: OpenSocket): void {
    if (s.batch.count === 0 || !s.sock) return;
    const r = s.sock.send(s.batch);
    s.batch.clear();
    // On a link that is down or being deleted, ENETUNREACH / ENODEV is the expected answer (the last priority-0
    // advert of a master going to FAULT), and the link going down was logged already; keepalived does not log it.
    const link = this.links.get(s.plan.ifindex);
    const expected = !(link?.up && link.running) && r.failed?.every((f) => f[1] === 'ENETUNREACH' || f[1] === 'ENODEV');
    if (r.failed && !this.stopping && !expected) {
      const suppressed = this.rxLog.pass(`tx|${s.plan.key}|${r.failed[0][1]}`);
      if (suppressed !== null) this.log.warn(`${s.plan.ifname}: sending adverts failed (${r.failed.map((f) => f[1]).join(', ')})`);
    }
  }

  private onEvent(e: CoreEvent, _now: number): void {
    const r = this.byHandle.get(e.handle);
    if (!r) return;
    const name = r.plan.name;
    switch (e.kind) {
      case 'state': {
        r.state = e.to;
        this.ivLog.forget(e.handle);
        r.lastTransition = Date.now();
        if (e.to === 'MASTER') {
          if (e.reason === 'master-down') this.log.info(`(${name}) Receive advertisement timeout`);
          if (e.reason === 'priority-zero') this.log.info(`(${name}) Backup received priority 0 advertisement`);
          this.log.info(`(${name}) Entering MASTER STATE`);
          r.masterAddress = r.plan.src;
          r.masterPriority = this.core.inspect(e.handle).effectivePriority;
        } else if (e.to === 'BACKUP') {
          if (e.reason === 'overslept') {
            this.log.warn(`(${name}) A thread timer expired more than Master_Down_Interval late (was the process paused?): another router may be master, going back to BACKUP`);
          }
          if (e.reason === 'higher-priority') {
            const i = this.core.inspect(e.handle);
            this.log.info(`(${name}) Master received advert from ${i.masterAddress} with higher priority ${i.masterPriority}, ours ${i.effectivePriority}`);
          }
          this.log.info(`(${name}) Entering BACKUP STATE${e.from === 'INIT' ? ' (init)' : ''}`);
        } else if (e.to === 'FAULT') {
          this.log.info(`(${name}) Entering FAULT STATE${e.from === 'INIT' ? ' (init)' : ''}`);
        } else if (e.to === 'INIT' && e.from === 'MASTER') {
          this.log.info(`(${name}) sent 0 priority`);
        }
        this.notifyState(r, e.to === 'INIT' ? 'STOP' : e.to);
        break;
      }
      case 'vip-add': this.effects.run(e.handle, () => this.installVips(r)); break;
      case 'vip-del': this.effects.run(e.handle, () => this.removeVips(r)); break;
      case 'announce': this.effects.run(e.handle, () => this.announce(r, e.rounds)); break;
      case 'priority':
        this.log.info(`(${name}) Changing effective priority from ${e.from} to ${e.to}`);
        this.tracking.priorityChange(e.handle, r.state, e.to);
        break;
      case 'rx-lower':
        this.log.info(`(${name}) Received advert from ${e.from} with lower priority ${e.priority}, ours ${this.core.inspect(e.handle).effectivePriority}, forcing new election`);
        this.tracking.rxLower(e.handle, e.priority);
        break;
      case 'new-master':
        r.masterAddress = e.address;
        r.masterPriority = e.priority;
        this.log.debug(`(${name}) following master ${e.address} (priority ${e.priority})`);
        break;
    }
  }

  private notifyState(r: Runtime, to: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'): void {
    const g = r.plan.model.syncGroup;
    const group = g === null ? null : {
      name: g,
      states: [...this.byHandle.values()].filter((x) => x.plan.model.syncGroup === g).map((x) => (x.state === 'INIT' ? 'STOP' : x.state)),
    };
    this.tracking.stateChange(r.plan.handle, to, this.core.inspect(r.plan.handle).effectivePriority, group);
  }

  /** Once per configuration loaded: the routes and rules that will never be installed, and why. */
  private logSkippedEntries(instances: InstancePlan[]): void {
    for (const p of instances) {
      const say = (what: string) => (e: { at: { file: string; line: number; col: number }; words: string[]; skip?: string }) =>
        this.log.warn(`(${p.name}) ${what} \`${e.words.join(' ')}\` (${e.at.file}:${e.at.line}:${e.at.col}) will NOT be installed: ${e.skip}`);
      installable(p.model.routes, say('virtual_routes entry'));
      installable(p.model.rules, say('virtual_rules entry'));
    }
  }

  private ifindexOf(name: string): number | undefined {
    for (const l of this.links.values()) if (l.name === name) return l.index;
    return undefined;
  }

  private allVips(p: InstancePlan): VipSpec[] {
    return [...p.model.vips, ...p.model.excludedVips];
  }

  private async installVips(r: Runtime): Promise<void> {
    const p = r.plan;
    // Each entry on its own, as keepalived does: one the kernel refuses (a gateway not reachable any more) is
    // logged and the rest still go in.
    for (const v of this.allVips(p)) {
      const ifindex = v.dev ? this.ifindexOf(v.dev) : p.ifindex;
      if (ifindex === undefined) { this.log.err(`(${p.name}) VIP ${v.addr}: interface ${v.dev} does not exist`); continue; }
      if (await this.step(p, () => this.nl.addAddress(addressSpec(v, ifindex)), 'EEXIST') && !r.installed.includes(v)) r.installed.push(v);
    }
    for (const rt of installable(p.model.routes)) await this.step(p, () => this.nl.addRoute(routeSpec(rt, (n) => this.ifindexOf(n), p.core.family)), 'EEXIST');
    for (const ru of installable(p.model.rules)) await this.step(p, () => this.nl.addRule(ruleSpec(ru, p.core.family)), 'EEXIST');
  }

  private async removeVips(r: Runtime): Promise<void> {
    const p = r.plan;
    // Each entry on its own: a rule or route that cannot be deleted must not leave the VIPs on a non-master.
    for (const ru of installable(p.model.rules)) await this.step(p, () => this.nl.delRule(ruleSpec(ru, p.core.family)), 'ENOENT');
    for (const rt of installable(p.model.routes)) {
      // A route over a deleted interface went with it.
      if (rt.dev && this.ifindexOf(rt.dev) === undefined) continue;
      await this.step(p, () => this.nl.delRoute(routeSpec(rt, (n) => this.ifindexOf(n), p.core.family)), 'ESRCH', 'ENODEV');
    }
    for (const v of [...r.installed]) {
      const ifindex = v.dev ? this.ifindexOf(v.dev) : p.ifindex;
      // An address on a deleted interface went with it (the kernel removes them); ENODEV: deleted meanwhile.
      // One that could not be deleted stays listed, so the next removal tries it again.
      if (ifindex !== undefined && this.links.has(ifindex)
        && !await this.removing(v.addr, ifindex, () => this.step(p, () => this.nl.delAddress({ address: v.addr, prefix: v.prefix, ifindex }), 'EADDRNOTAVAIL', 'ENODEV'))) continue;
      forget(r.installed, v);
    }
  }

  /** Runs a VIP deletion with the address marked as ours to remove (see onAddressEvent). */
  private async removing<T>(address: string, ifindex: number, del: () => Promise<T>): Promise<T> {
    const key = `${ifindex}|${address}`;
    this.beingRemoved.set(key, (this.beingRemoved.get(key) ?? 0) + 1);
    try {
      return await del();
    } finally {
      // The kernel's event may trail the answer a little: keep the mark until the event loop has read it.
      setTimeout(() => {
        const n = (this.beingRemoved.get(key) ?? 1) - 1;
        if (n > 0) this.beingRemoved.set(key, n); else this.beingRemoved.delete(key);
      }, 200).unref?.();
    }
  }

  /** One netlink change: true when done (or already so, `codes`); otherwise logged with the instance's name. */
  private async step(p: InstancePlan, change: () => Promise<void>, ...codes: string[]): Promise<boolean> {
    try {
      await this.tolerate(change, ...codes);
      return true;
    } catch (e) {
      this.log.err(`(${p.name}) ${(e as Error).message}`);
      return false;
    }
  }

  private async tolerate(step: () => Promise<void>, ...codes: string[]): Promise<void> {
    try {
      await step();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!code || !codes.includes(code)) throw e;
    }
  }

  private announce(r: Runtime, rounds: number): void {
    if (r.state !== 'MASTER' || this.stopping) return;
    const p = r.plan;
    const vips = this.allVips(p);
    const shown = new Set<string>();
    for (let k = 0; k < rounds; k++) {
      for (const v of vips) {
        const ifname = v.dev ?? p.ifname;
        const ifindex = this.ifindexOf(ifname);
        const link = ifindex === undefined ? undefined : this.links.get(ifindex);
        if (!link?.mac || link.noarp) continue;
        const a = parseIp(v.addr);
        if (a.family === 4) this.announcer.garp(link.index, link.mac, a.bytes.subarray(0, 4));
        else this.announcer.unsolicitedNa(link.index, link.mac, a.bytes, this.isForwarding(ifname));
        if (k === 0 && !shown.has(ifname)) shown.add(ifname);
      }
    }
    const res = this.announcer.flush();
    for (const ifname of shown) {
      const here = vips.filter((v) => (v.dev ?? p.ifname) === ifname);
      const v4 = here.filter((v) => v.family === 'inet').map((v) => v.addr);
      const v6 = here.filter((v) => v.family === 'inet6').map((v) => v.addr);
      if (v4.length) this.log.info(`(${p.name}) Sending/queueing gratuitous ARPs on ${ifname} for ${v4.join(', ')}`);
      if (v6.length) this.log.info(`(${p.name}) Sending/queueing Unsolicited Neighbour Adverts on ${ifname} for ${v6.join(', ')}`);
    }
    if (res.failed) this.log.warn(`(${p.name}) ${res.failed.length} announcement(s) failed: ${res.failed[0][1]}`);
  }

  private isForwarding(ifname: string): boolean {
    let f = this.forwarding.get(ifname);
    if (f === undefined) {
      try { f = ipv6Forwarding(ifname); } catch { f = false; }
      this.forwarding.set(ifname, f);
    }
    return f;
  }

  /** keepalived removes the VIPs an earlier run may have left on its interfaces before it starts. */
  private async removeLeftovers(addrs: AddressInfo[]): Promise<void> {
    for (const r of this.byHandle.values()) {
      const p = r.plan;
      let removed = false;
      for (const v of this.allVips(p)) {
        const ifindex = v.dev ? this.ifindexOf(v.dev) : p.ifindex;
        if (ifindex === undefined) continue;
        if (!addrs.some((a) => a.ifindex === ifindex && a.address === v.addr && a.prefix === v.prefix)) continue;
        await this.tolerate(() => this.nl.delAddress({ address: v.addr, prefix: v.prefix, ifindex }), 'EADDRNOTAVAIL');
        removed = true;
      }
      if (removed) this.log.info(`(${p.name}) removing VIPs left by an earlier run`);
    }
  }

  private onNetEvent(e: NetEvent): void {
    if (this.stopping) return;
    if (e.kind === 'address') return this.onAddressEvent(e);
    const before = this.links.get(e.ifindex);
    if (e.removed) this.links.delete(e.ifindex);
    else this.links.set(e.ifindex, { ...(before ?? { mac: undefined, mtu: 0, noarp: false }), index: e.ifindex, name: e.name, up: e.up, running: e.running });
    if (e.removed) this.interfaceDeleted(e.ifindex, e.name);
    else if (this.lostInterfaces.has(e.name)) this.interfaceAdded(e.ifindex, e.name);
    const wasUp = before ? before.up && before.running : false;
    const isUp = !e.removed && e.up && e.running;
    if (wasUp === isUp) return;
    this.log.info(`Netlink reports ${e.name} ${isUp ? 'up' : 'down'}`);
    this.forwarding.delete(e.name);
    this.tracking.setInterface(e.name, isUp);
  }

  /** track_src_ip: an instance whose source address is not on the host starts (or restarts) in FAULT. */
  private checkSources(instances: InstancePlan[], addrs: AddressInfo[]): void {
    for (const ip of instances) {
      if (!ip.model.trackSrcIp) continue;
      const here = addrs.some((a) => a.family === ip.core.family && sameAddress(a.address, ip.src));
      if (here) this.srcLost.delete(ip.handle);
      else {
        this.srcLost.add(ip.handle);
        this.log.warn(`(${ip.name}) source address ${ip.src} is not on this host: FAULT until it is added (track_src_ip)`);
      }
    }
  }

  private addressView(r: Runtime): InstanceAddressView {
    const p = r.plan;
    const m = p.model;
    const unicast = !p.socket.multicast;
    return {
      handle: p.handle, family: p.core.family, state: r.state, src: p.src, unicast, ifindex: p.ifindex,
      srcConfigured: (unicast ? m.unicastSrcIp : m.mcastSrcIp) !== null, trackSrcIp: m.trackSrcIp,
      installed: r.installed.map((v) => ({ addr: v.addr, ifindex: v.dev ? this.ifindexOf(v.dev) : p.ifindex })),
      srcLost: this.srcLost.has(p.handle),
    };
  }

  /** An address came or went (address-events.ts says what that means for each instance). */
  private onAddressEvent(e: AddressEvent): void {
    // An address added matters only to an instance whose source is missing. Without this, every VIP the daemon
    // installs (1 000 at a cold start) would build a view of every instance: quadratic work at start-up.
    if (e.action === 'added' && this.srcLost.size === 0) return;
    const views = [...this.byHandle.values()].map((r) => this.addressView(r));
    for (const a of addressActions(e, views)) {
      const r = this.byHandle.get(a.handle)!;
      const who = `(${r.plan.name})`;
      switch (a.kind) {
        case 'src-lost':
          this.srcLost.add(a.handle);
          this.log.warn(`${who} source address ${a.address} removed: entering FAULT until it is back (track_src_ip)`);
          this.reapplyVerdict(a.handle);
          break;
        case 'src-back':
          this.srcLost.delete(a.handle);
          this.log.info(`${who} source address ${a.address} is back`);
          this.reapplyVerdict(a.handle);
          break;
        case 'src-kept':
          this.log.warn(`${who} source address ${a.address} removed from its interface; adverts keep it as their source (${
            a.why === 'configured' ? 'it is configured; track_src_ip would put the instance in FAULT' : 'the unicast socket is bound to it; a reload picks another'})`);
          break;
        case 'src-rederive':
          void this.rederiveSource(r, a.address);
          break;
        case 'vip-gone': {
          // The kernel's event for an address the daemon is removing itself (a reload, a transition) can arrive
          // before the removal's own answer: that is not someone else.
          if (e.ifindex !== undefined && this.beingRemoved.has(`${e.ifindex}|${a.address}`)) break;
          const k = r.installed.findIndex((v) => sameAddress(v.addr, a.address));
          if (k >= 0) r.installed.splice(k, 1);
          this.log.warn(`${who} VIP ${a.address} was removed from its interface by someone else while MASTER; `
            + 'vipd does not add it back (keepalived neither) until the next transition to MASTER or a reload');
          break;
        }
      }
    }
  }

  /** The interface address an instance sent from went away: the interface's next one takes its place. */
  private async rederiveSource(r: Runtime, old: string): Promise<void> {
    let addrs: AddressInfo[];
    try {
      addrs = await this.nl.addresses();
    } catch (e) {
      this.log.err(`(${r.plan.name}) source address ${old} removed; listing addresses: ${(e as Error).message}`);
      return;
    }
    const p = r.plan;
    if (this.stopping || this.byHandle.get(p.handle) !== r || p.src !== old) return;
    const itf = this.lookup(addrs)(p.ifname);
    const next = itf ? (p.core.family === 4 ? itf.ipv4[0] : itf.ipv6LinkLocal) : undefined;
    if (!next) {
      this.log.warn(`(${p.name}) source address ${old} removed and ${p.ifname} has no other: adverts keep ${old} until one is added and the configuration reloaded`);
      return;
    }
    p.src = next;
    p.core = { ...p.core, src: next };
    this.driver.step(() => this.core.configure(p.handle, p.core));
    this.log.info(`(${p.name}) source address ${old} removed: adverts now from ${next}`);
  }

  private reapplyVerdict(h: number): void {
    if (this.awaitingTrackers.has(h)) return;
    this.driver.step((now) => this.applyVerdict(now, h, this.tracking.verdict(h), false));
  }

  /**
   * The interface of some instances was deleted (keepalived's cleanup_lost_interface): their sockets close (bound
   * to an ifindex that is gone, they would never hear anything again) and the instances go to FAULT, also with
   * dont_track_primary; their VIPs went with the interface.
   */
  private interfaceDeleted(ifindex: number, name: string): void {
    const mine = [...this.sockets.values()].filter((s) => s.sock && s.plan.ifindex === ifindex);
    if (mine.length === 0) return;
    for (const s of mine) this.closeSocket(s);
    this.lostInterfaces.add(name);
    this.log.warn(`Interface ${name} deleted: its instances are in FAULT until an interface of that name is back`);
    this.reapplyVerdicts(name);
  }

  /**
   * An interface of a deleted one's name appeared (keepalived re-opens the sockets, update_added_interface): the
   * sockets open on it and its instances follow their trackers again (FAULT until the link is up and running).
   * The source address stays the configured or the one found at start/reload; a SIGHUP picks up a new one.
   */
  private interfaceAdded(ifindex: number, name: string): void {
    this.lostInterfaces.delete(name);
    for (const s of this.sockets.values()) {
      if (s.sock || s.plan.ifname !== name) continue;
      s.plan.ifindex = ifindex;
      try {
        this.bindSocket(s);
      } catch (e) {
        this.log.err(`VRRP socket on ${name}: ${(e as Error).message}`);
        this.lostInterfaces.add(name);
      }
    }
    for (const r of this.byHandle.values()) {
      if (r.plan.ifname !== name) continue;
      r.plan.ifindex = ifindex;
      r.plan.socket.ifindex = ifindex;
    }
    this.log.info(`Interface ${name} added: VRRP sockets open on it again`);
    this.reapplyVerdicts(name);
  }

  private reapplyVerdicts(ifname: string): void {
    for (const r of this.byHandle.values()) if (r.plan.ifname === ifname) this.reapplyVerdict(r.plan.handle);
  }

  /**
   * SIGHUP: re-read the configuration. A broken one is refused and the running one kept. Instances are matched
   * as keepalived matches them (VRID + family + interface + unicast source or group), keep their state and
   * counters, and a matched master adds and announces new VIPs and drops removed ones. Unmatched old instances
   * resign (priority 0) and go; new ones start.
   */
  async reload(): Promise<void> {
    if (this.stopping) return;
    // The previous reload's (or transition's) address changes finish first, so the dumps below see them.
    await this.effects.idle(5000);
    // Loading and matching a configuration is a burst of work that must not cost realtime scheduling.
    this.priority.hold();
    try {
      await this.reloadHeld();
    } finally {
      this.priority.release('reload');
    }
  }

  private async reloadHeld(): Promise<void> {
    const r = loadConfig(this.opts.configFile, { configId: this.opts.configId, allConfig: this.opts.allConfig });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      for (const line of renderDiagnostics(errors).split('\n').filter(Boolean)) this.log.err(line);
      this.log.err(`Reload refused: ${errors.length} configuration error(s); keeping the running configuration`);
      return;
    }
    await this.refreshLinks();
    const addrs = await this.nl.addresses();
    const plan = buildPlan(r.config, this.lookup(addrs), this.policy);
    for (const p of plan.problems) this.log.err(`(${p.name}) ${p.why}: instance not started`);
    this.logSkippedEntries(plan.instances);
    // Socket ids stay stable across reloads: the core demultiplexes by them.
    for (const sp of plan.sockets) sp.id = this.sockets.get(sp.key)?.plan.id ?? this.nextSocketId++;
    for (const ip of plan.instances) ip.core.socket = ip.socket.id;
    // keepalived's vrrp_exist: VRID, family, interface and unicast source (the socket key) make an instance's
    // identity; a changed `version` is a reconfiguration of the same instance, which keeps its state.
    const identity = (p: InstancePlan) => `${p.socket.key}|${p.model.vrid}`;
    const old = new Map([...this.byHandle.values()].map((x) => [identity(x.plan), x]));
    const kept = new Set<Runtime>();
    const fresh: InstancePlan[] = [];
    for (const ip of plan.instances) {
      const prev = old.get(identity(ip));
      if (prev) {
        ip.handle = prev.plan.handle;
        kept.add(prev);
        this.retarget(prev, ip);
      } else {
        ip.handle = this.nextHandle++;
        fresh.push(ip);
      }
    }
    const gone = [...this.byHandle.values()].filter((x) => !kept.has(x));
    for (const g of gone) this.driver.step((now) => this.core.shutdown(now, g.plan.handle));
    for (const g of gone) {
      this.core.remove(g.plan.handle);
      this.byHandle.delete(g.plan.handle);
      this.srcLost.delete(g.plan.handle);
      this.log.info(`(${g.plan.name}) removed by reload`);
    }
    for (const ip of fresh) this.addInstance(ip);
    for (const ip of plan.instances) if (!ip.model.trackSrcIp) this.srcLost.delete(ip.handle);
    this.checkSources(plan.instances, addrs);
    // Trackers restart with the new configuration; kept instances keep their core state.
    const oldTracking = this.tracking;
    this.tracking = await this.startTracking(r.config, plan.instances);
    void oldTracking.stop();
    const freshSet = new Set(fresh.map((f) => f.handle));
    for (const ip of plan.instances) {
      this.driver.step((now) => this.applyVerdict(now, ip.handle, this.tracking.verdict(ip.handle), freshSet.has(ip.handle)));
    }
    const used = new Set(plan.sockets.map((s) => s.key));
    for (const [key, s] of this.sockets) {
      if (!used.has(key)) { this.closeSocket(s); this.sockets.delete(key); }
    }
    this.config = r.config;
    this.priority.apply(r.config.global.vrrpProcess);
    this.plan = plan;
    this.log.info(`Reloaded ${this.opts.configFile}: ${kept.size} kept, ${fresh.length} added, ${gone.length} removed`);
  }

  /** A matched instance takes its new configuration; a master reconciles its installed VIPs. */
  private retarget(r: Runtime, ip: InstancePlan): void {
    this.core.configure(ip.handle, ip.core);
    r.plan = ip;
    if (r.state !== 'MASTER') return;
    const want = this.allVips(ip);
    const key = (v: VipSpec) => `${v.addr}/${v.prefix}/${v.dev ?? ''}`;
    const wanted = new Set(want.map(key));
    const stale = r.installed.filter((v) => !wanted.has(key(v)));
    const had = new Set(r.installed.map(key));
    const added = want.filter((v) => !had.has(key(v)));
    this.effects.run(ip.handle, async () => {
      for (const v of stale) {
        const ifindex = v.dev ? this.ifindexOf(v.dev) : ip.ifindex;
        if (ifindex !== undefined) await this.removing(v.addr, ifindex, () => this.tolerate(() => this.nl.delAddress({ address: v.addr, prefix: v.prefix, ifindex }), 'EADDRNOTAVAIL'));
        forget(r.installed, v);
      }
      if (added.length > 0) {
        await this.installVips(r);
        this.announce(r, ip.model.garp.masterRepeat || 1);
      }
    });
  }

  /** SIGTERM / SIGINT: masters resign with priority 0 and remove their VIPs; then everything closes. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    if (!this.opts.dontReleaseVrrp) {
      for (const r of this.byHandle.values()) this.driver.step((now) => this.core.shutdown(now, r.plan.handle));
    }
    this.stopping = true;
    this.driver.stop();
    this.waker.close?.();
    const done = await this.effects.idle(5000);
    if (!done) this.log.err('timed out removing VIPs on exit');
    await this.tracking.stop();
    for (const s of this.sockets.values()) s.sock?.close();
    this.sockets.clear();
    this.announcer.close();
    this.events.close();
    this.nl.close();
    this.log.info('Stopped vipd');
  }

  status(): InstanceStatus[] {
    return [...this.byHandle.values()].map((r) => {
      const i = this.core.inspect(r.plan.handle);
      const p = r.plan;
      return {
        name: p.name, state: i.state, interface: p.ifname, vrid: p.model.vrid, version: p.model.version, family: p.core.family,
        basePriority: i.basePriority, effectivePriority: i.effectivePriority, advertIntCs: i.advertIntCs,
        masterAddress: i.state === 'MASTER' ? p.src : i.masterAddress, masterPriority: i.masterPriority,
        vips: this.allVips(p).map((v) => `${v.addr}/${v.prefix}`), vipsInstalled: r.installed.length > 0,
        lastTransition: new Date(r.lastTransition).toISOString(), stats: this.core.stats(p.handle),
      };
    });
  }

  engineStats(): EngineStats {
    let drops = this.closedDrops;
    for (const s of this.sockets.values()) drops += s.drops;
    return { ...this.core.globalStats(), truncated_reads: this.truncatedReads, kernel_drops: drops };
  }

  /** STATS_CLEAR: counters back to zero (after the stats file was written). */
  clearStats(): void {
    for (const r of this.byHandle.values()) this.core.clearStats(r.plan.handle);
  }

  /** Receive wake-ups, pacing pauses, datagrams and drains, over every VRRP socket (open now). */
  get rxStats(): RxStats {
    const t: RxStats = { wakeups: 0, pauses: 0, datagrams: 0, drains: 0 };
    for (const s of this.sockets.values()) {
      if (!s.sock) continue;
      const r = s.sock.rxStats();
      t.wakeups += r.wakeups;
      t.pauses += r.pauses;
      t.datagrams += r.datagrams;
      t.drains += r.drains;
    }
    return t;
  }

  get driverStats(): TimerStats {
    const spinUs = (this.waker as { spinUs?: number }).spinUs ?? 0;
    return { spinUs, ...this.driver.timing.report() };
  }
}

/** Removes `v` from a list if it is still there (an address event may have taken it out already). */
function forget<T>(list: T[], v: T): void {
  const k = list.indexOf(v);
  if (k >= 0) list.splice(k, 1);
}
