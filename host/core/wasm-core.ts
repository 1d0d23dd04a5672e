// The binding: loads the WebAssembly core, writes instance configurations, feeds datagrams and time, and drains
// outputs into typed objects. The only host code that touches the core's linear memory.
import { projectPath } from '../paths.ts';
import { readFileSync } from 'node:fs';
import * as v8 from 'node:v8';
import * as abi from './abi.ts';
import { type Family, familyOf, formatAddr, writeAddr } from './addr.ts';
import {
  ANNOUNCE_CAUSES, type AnnounceCause, CSUM_NAMES, RX_NAMES, type ChecksumForm, GSTAT_NAMES, type GlobalStats, REASON_NAMES,
  type ReasonName, STAT_NAMES, STATE_NAMES, type StateName, type Stats,
} from './names.ts';

/** What the core needs to run one virtual router. Times are µs; addresses are text. */
export interface InstanceConfig {
  /** The host's id for the socket this instance shares (family, interface, group or unicast source). */
  socket: number;
  version: 2 | 3;
  family: Family;
  vrid: number;
  /** 1..255; 255 is the address owner. */
  priority: number;
  /** advert_int as configured (µs); the core rounds it as the version requires. */
  advertIntUs: number;
  /** Our source address: the interface's primary IPv4 address, or its IPv6 link-local. */
  src: string;
  /** Multicast group (224.0.0.18 / ff02::12 by default). Ignored with unicast peers. */
  group?: string;
  /** Advertised virtual addresses (at most 255, all of `family`). */
  vips: string[];
  /** Unicast peers; a non-empty list makes the instance unicast. */
  peers?: { address: string; minTtl?: number; maxTtl?: number }[];
  nopreempt?: boolean;
  preemptDelayUs?: number;
  downTimerAdverts?: number;
  v3ChecksumAsV2?: boolean;
  checkUnicastSrc?: boolean;
  lowerPrioNoAdvert?: boolean;
  higherPrioSendAdvert?: boolean;
  ownerIgnoreAdverts?: boolean;
  skipCheckAdvAddr?: boolean;
  /** keepalived >= 2.3.3: an address-list mismatch is logged and the advert accepted (2.2.7 rejects it). */
  addrListAccept?: boolean;
  wantMaster?: boolean;
  /**
   * vipd's fast preemption: a backup that may preempt takes over on the first advert from a lower-priority master
   * instead of Master_Down_Interval later (RFC and keepalived). Off unless set.
   */
  fastPreempt?: boolean;
  /**
   * vipd's start-up claim: the first takeover after start advertises first and becomes MASTER (VIPs, GARP, notify)
   * only if no better router answers within min(advert_int / 2, 50 ms). Hosts started together never both hold the
   * VIP. Sync-group members never claim. Off unless set.
   */
  startupClaim?: boolean;
  /** vrrp_sync_group id (0..65534); members move together. */
  syncGroup?: number;
  /** v2 `authentication { auth_type PASS; auth_pass ... }`: at most 8 bytes are used. */
  authPass?: string;
  /**
   * v2 `auth_type AH` with its auth_pass (at most 8 bytes; IPv4 only): keepalived's IPsec AH. The core then builds
   * whole IPv4 packets for this instance (transmit bytes start with the IPv4 header): send them with IP_HDRINCL.
   */
  authAh?: string;
  /** TTL of the IPv4 header the core writes for AH (unicast_ttl); 255 when unset. */
  txTtl?: number;
  /**
   * vipd's AH sequence skip: on becoming master, jump 16 numbers ahead, so that adverts the old master counted but
   * we never heard (its priority-0 advert on a cut link) do not make our first adverts replays to it. Off unless set.
   */
  ahSeqSkip?: boolean;
  garpMasterDelayUs?: number;
  garpMasterRepeat?: number;
  garpMasterRefreshUs?: number;
  garpMasterRefreshRepeat?: number;
  garpLowerPrioDelayUs?: number;
  garpLowerPrioRepeat?: number;
}

export type CoreOutput =
  | { kind: 'timeout'; deadline: number }
  | { kind: 'transmit'; handle: number; socket: number; family: Family; peer: number; src: string; dst: string; bytes: Uint8Array }
  | { kind: 'state'; handle: number; from: StateName; to: StateName; reason: ReasonName }
  | { kind: 'vip-add'; handle: number }
  | { kind: 'vip-del'; handle: number }
  | { kind: 'announce'; handle: number; rounds: number; cause: AnnounceCause }
  | { kind: 'priority'; handle: number; from: number; to: number }
  | { kind: 'rx-lower'; handle: number; priority: number; from: string }
  | { kind: 'new-master'; handle: number; priority: number; address: string };

export interface InstanceInfo {
  state: StateName;
  effectivePriority: number;
  basePriority: number;
  /** Priority of the master we follow (or our own while master); null when none is known. */
  masterPriority: number | null;
  masterAddress: string | null;
  advertIntCs: number;
  masterAdvertIntCs: number;
  version: number;
  family: Family;
  nextDeadline: number;
  masterDownDeadline: number;
  masterDownIntervalUs: number;
}

export interface DecodedAdvert {
  valid: boolean;
  reason: string;
  reasonCode: number;
  version: number;
  type: number;
  vrid: number;
  priority: number;
  count: number;
  /** v2: seconds; v3: centiseconds. */
  interval: number;
  intervalUnit: 's' | 'cs';
  authType: number;
  authData: string | null;
  checksum: number;
  checksumForm: ChecksumForm;
  ttl: number;
  src: string;
  dst: string;
  addresses: string[];
  length: number;
  expectedLength: number;
}

export class CoreAbort extends Error {}
export class CoreConfigError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

const CFG_ERRORS: Record<number, string> = {
  [abi.CFG_BAD_HANDLE]: 'bad handle', [abi.CFG_BAD_LENGTH]: 'configuration record too short',
  [abi.CFG_BAD_VERSION]: 'version must be 2 or 3 (3 for IPv6)', [abi.CFG_BAD_FAMILY]: 'family must be 4 or 6',
  [abi.CFG_BAD_VRID]: 'VRID must be 1..255', [abi.CFG_BAD_PRIORITY]: 'priority must be 1..255',
  [abi.CFG_DUPLICATE_VRID]: 'VRID already used on this socket', [abi.CFG_BAD_SOCKET]: 'socket id must be 0..65535',
  [abi.CFG_TOO_MANY_ADDRS]: 'at most 255 advertised addresses',
  [abi.CFG_IDENTITY_CHANGED]: 'socket, VRID and family of a running instance cannot change',
  [abi.CFG_GROUP_TOO_BIG]: `a sync group has at most ${abi.MAX_GROUP} members`,
  [abi.CFG_BAD_AUTH]: 'AH authentication needs VRRPv2 over IPv4, and the auth type is 0, 1 (PASS) or 2 (AH)',
};

/** The raw export surface (assembly/index.ts). */
export interface Exports {
  memory: WebAssembly.Memory;
  abiVersion(): number; rxPtr(): number; txPtr(): number; cfgPtr(): number; outPtr(): number; infoPtr(): number;
  configure(handle: number, len: number): number;
  remove(handle: number): void;
  start(now: number, handle: number): void;
  shutdown(now: number, handle: number): void;
  setFault(now: number, handle: number, fault: number): void;
  setPriorityAdjust(now: number, handle: number, delta: number): void;
  handleDatagram(now: number, sock: number, family: number, ttl: number, len: number): number;
  receivedBy(): number;
  handleTimeout(now: number, slackUs: number): void;
  pollOutput(): number;
  nextDeadline(): number;
  nextDeadlineIsTakeover(): number;
  inspect(handle: number): number;
  stats(handle: number): number;
  clearStats(handle: number): void;
  globalStats(): void;
  decodeAdvert(family: number, ttl: number, len: number, preferPlain: number): number;
  encodeAdvert(len: number): number;
  __collect(): void;
}

/** The names every build must export (test/host/abi.test.ts checks the module against it). */
export const CORE_EXPORTS: readonly string[] = [
  'memory', 'abiVersion', 'rxPtr', 'txPtr', 'cfgPtr', 'outPtr', 'infoPtr', 'configure', 'remove', 'start', 'shutdown',
  'setFault', 'setPriorityAdjust', 'handleDatagram', 'receivedBy', 'handleTimeout', 'pollOutput', 'nextDeadline', 'nextDeadlineIsTakeover', 'inspect',
  'stats', 'clearStats', 'globalStats', 'decodeAdvert', 'encodeAdvert',
];

export type Build = 'release' | 'debug';
const modules = new Map<Build, WebAssembly.Module>();

export function wasmPath(build: Build): string {
  return projectPath('build', `${build}.wasm`);
}

/** The compiled module, cached: simulations instantiate it many times. */
export function coreModule(build: Build = 'release'): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(wasmPath(build));
    } catch {
      throw new Error(`core not built: ${wasmPath(build)} is missing (run: npm run build:core)`);
    }
    // Compile every function now: V8 otherwise compiles a wasm function on its first call, and a backup's
    // first call to the advert encoder is the moment it takes over — a millisecond it cannot spare.
    v8.setFlagsFromString('--no-wasm-lazy-compilation');
    m = new WebAssembly.Module(new Uint8Array(bytes));
    modules.set(build, m);
  }
  return m;
}

/** Reads an AssemblyScript string (UTF-16, byte length at ptr-4) from memory. */
function readAsString(mem: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(mem.buffer, ptr, len >>> 1));
}

export class Core {
  private readonly x: Exports;
  private buf!: ArrayBuffer;
  private u8!: Uint8Array;
  private dv!: DataView;
  private readonly rx: number;
  private readonly tx: number;
  private readonly cfg: number;
  private readonly out: number;
  private readonly info: number;
  /** Family per handle, so outputs can format addresses. */
  private readonly families = new Map<number, Family>();

  constructor(build: Build = 'release', module?: WebAssembly.Module) {
    let self: Core | undefined;
    const imports = {
      env: {
        abort: (msg: number, file: number, line: number, col: number) => {
          const mem = self?.x.memory;
          const text = mem ? `${readAsString(mem, msg)} at ${readAsString(mem, file)}:${line}:${col}` : 'abort';
          throw new CoreAbort(`vipd core aborted: ${text}`);
        },
      },
    };
    const inst = new WebAssembly.Instance(module ?? coreModule(build), imports);
    this.x = inst.exports as unknown as Exports;
    self = this;
    if (this.x.abiVersion() !== abi.ABI_VERSION) {
      throw new Error(`core ABI ${this.x.abiVersion()} does not match host ABI ${abi.ABI_VERSION}: rebuild`);
    }
    this.rx = this.x.rxPtr();
    this.tx = this.x.txPtr();
    this.cfg = this.x.cfgPtr();
    this.out = this.x.outPtr();
    this.info = this.x.infoPtr();
    this.views();
  }

  /** Views go stale when memory grows (only configure() allocates); re-made on demand. */
  private views(): void {
    if (this.buf === this.x.memory.buffer) return;
    this.buf = this.x.memory.buffer;
    this.u8 = new Uint8Array(this.buf);
    this.dv = new DataView(this.buf);
  }

  /** Adds or updates an instance. Throws CoreConfigError when the core refuses it. */
  configure(handle: number, c: InstanceConfig): void {
    this.views();
    const len = this.writeConfig(c);
    const r = this.x.configure(handle, len);
    this.views();
    if (r !== abi.CFG_OK) throw new CoreConfigError(r, `instance ${handle}: ${CFG_ERRORS[r] ?? `error ${r}`}`);
    this.families.set(handle, c.family);
  }

  private writeConfig(c: InstanceConfig): number {
    const b = this.cfg;
    const u8 = this.u8;
    const dv = this.dv;
    const peers = c.peers ?? [];
    const len = abi.CFG_ADDRS + c.vips.length * 16 + peers.length * abi.CFG_PEER_SIZE;
    if (len > abi.CFG_CAP) throw new CoreConfigError(abi.CFG_BAD_LENGTH, 'too many addresses for one instance');
    u8.fill(0, b, b + len);
    u8[b + abi.CFG_VERSION] = c.version;
    u8[b + abi.CFG_FAMILY] = c.family;
    u8[b + abi.CFG_VRID] = c.vrid;
    u8[b + abi.CFG_PRIORITY] = c.priority;
    dv.setUint32(b + abi.CFG_ADVERT_US, Math.round(c.advertIntUs), true);
    let f = 0;
    if (c.nopreempt) f |= abi.F_NOPREEMPT;
    if (c.v3ChecksumAsV2) f |= abi.F_V3_CHECKSUM_AS_V2;
    if (peers.length > 0) f |= abi.F_UNICAST;
    if (c.checkUnicastSrc) f |= abi.F_CHECK_UNICAST_SRC;
    if (c.lowerPrioNoAdvert) f |= abi.F_LOWER_PRIO_NO_ADVERT;
    if (c.higherPrioSendAdvert) f |= abi.F_HIGHER_PRIO_SEND_ADVERT;
    if (c.ownerIgnoreAdverts) f |= abi.F_OWNER_IGNORE_ADVERTS;
    if (c.skipCheckAdvAddr) f |= abi.F_SKIP_CHECK_ADV_ADDR;
    if (c.wantMaster) f |= abi.F_WANT_MASTER;
    if (c.addrListAccept) f |= abi.F_ADDR_LIST_ACCEPT;
    if (c.fastPreempt) f |= abi.F_FAST_PREEMPT;
    if (c.startupClaim) f |= abi.F_STARTUP_CLAIM;
    if (c.ahSeqSkip) f |= abi.F_AH_SEQ_SKIP;
    // Only a bound that narrows 0..255 turns the peer check on: the config always fills in the defaults, and
    // keepalived checks the source of a unicast advert only with check_unicast_src or a min_ttl/max_ttl.
    if (peers.some((p) => (p.minTtl ?? 0) !== 0 || (p.maxTtl ?? 255) !== 255)) f |= abi.F_PEER_TTL_LIMITS;
    dv.setUint32(b + abi.CFG_FLAGS, f >>> 0, true);
    dv.setUint32(b + abi.CFG_PREEMPT_DELAY_US, Math.round(c.preemptDelayUs ?? 0), true);
    u8[b + abi.CFG_DOWN_ADVERTS] = c.downTimerAdverts ?? 3;
    u8[b + abi.CFG_GARP_REPEAT] = c.garpMasterRepeat ?? 5;
    u8[b + abi.CFG_GARP_LOWER_REPEAT] = c.garpLowerPrioRepeat ?? c.garpMasterRepeat ?? 5;
    u8[b + abi.CFG_GARP_REFRESH_REPEAT] = c.garpMasterRefreshRepeat ?? 1;
    dv.setUint32(b + abi.CFG_GARP_DELAY_US, Math.round(c.garpMasterDelayUs ?? 5_000_000), true);
    dv.setUint32(b + abi.CFG_GARP_LOWER_DELAY_US, Math.round(c.garpLowerPrioDelayUs ?? c.garpMasterDelayUs ?? 5_000_000), true);
    dv.setUint32(b + abi.CFG_GARP_REFRESH_US, Math.round(c.garpMasterRefreshUs ?? 0), true);
    dv.setInt32(b + abi.CFG_SOCKET, c.socket, true);
    dv.setUint16(b + abi.CFG_NADDR, c.vips.length, true);
    dv.setUint16(b + abi.CFG_NPEERS, peers.length, true);
    dv.setUint16(b + abi.CFG_SYNC_GROUP, c.syncGroup === undefined ? 0 : c.syncGroup + 1, true);
    // AH takes any password (the configuration refuses an empty one); PASS with an empty one means no authentication.
    const [authType, pw] = c.authAh !== undefined ? [2, c.authAh] : c.authPass ? [1, c.authPass] : [0, ''];
    u8[b + abi.CFG_AUTH_TYPE] = authType;
    u8.set(Buffer.from(pw, 'latin1').subarray(0, 8), b + abi.CFG_AUTH_PASS);
    u8[b + abi.CFG_TX_TTL] = c.txTtl ?? 255;
    this.addr(c.src, c.family, b + abi.CFG_SRC, 'source');
    this.addr(c.group ?? (c.family === 4 ? '224.0.0.18' : 'ff02::12'), c.family, b + abi.CFG_GROUP, 'group');
    c.vips.forEach((v, k) => this.addr(v, c.family, b + abi.CFG_ADDRS + 16 * k, 'virtual address'));
    const pb = b + abi.CFG_ADDRS + c.vips.length * 16;
    peers.forEach((p, k) => {
      const e = pb + k * abi.CFG_PEER_SIZE;
      this.addr(p.address, c.family, e, 'unicast peer');
      u8[e + 16] = p.minTtl ?? 0;
      u8[e + 17] = p.maxTtl ?? 255;
    });
    return len;
  }

  private addr(text: string, family: Family, at: number, what: string): void {
    if (familyOf(text) !== family) {
      throw new CoreConfigError(abi.CFG_BAD_FAMILY, `${what} ${text} is not an IPv${family} address`);
    }
    writeAddr(text, this.u8, at);
  }

  remove(handle: number): void {
    this.x.remove(handle);
    this.families.delete(handle);
  }

  start(now: number, handle: number): void { this.x.start(now, handle); }
  shutdown(now: number, handle: number): void { this.x.shutdown(now, handle); }
  setFault(now: number, handle: number, fault: boolean): void { this.x.setFault(now, handle, fault ? 1 : 0); }
  setPriorityAdjust(now: number, handle: number, delta: number): void { this.x.setPriorityAdjust(now, handle, delta | 0); }
  /** `slackUs`: masters' adverts due that much later go out now too (see assembly/index.ts). */
  handleTimeout(now: number, slackUs = 0): void { this.x.handleTimeout(now, slackUs); }
  /** The instance the last datagram reached, whatever its verdict (-1: none, e.g. an unknown VRID). */
  receivedBy(): number { return this.x.receivedBy(); }
  nextDeadline(): number { return this.x.nextDeadline(); }

  /** The earliest deadline is a backup's: a takeover may be due then (the host wakes for it more carefully). */
  nextDeadlineIsTakeover(): boolean { return this.x.nextDeadlineIsTakeover() !== 0; }
  /** Asks the core's runtime to free what reconfiguration left behind. */
  collect(): void { this.x.__collect(); }

  /**
   * Feeds one received datagram. IPv4: the whole packet with its IP header (addresses and TTL come from it).
   * IPv6: the VRRP payload, with `src`, `dst` and the hop limit as `ttl`. Returns the RX_* verdict.
   */
  handleDatagram(now: number, socket: number, family: Family, ttl: number, bytes: Uint8Array, src?: string, dst?: string): number {
    this.views();
    const n = Math.min(bytes.length, abi.RX_CAP);
    if (family === 6) {
      writeAddr(src ?? '::', this.u8, this.rx);
      writeAddr(dst ?? 'ff02::12', this.u8, this.rx + 16);
    }
    this.u8.set(bytes.subarray(0, n), this.rx + abi.ADDR_OFF);
    return this.x.handleDatagram(now, socket, family, ttl, bytes.length > abi.RX_CAP ? bytes.length : n);
  }

  /**
   * Fast path for a daemon: feeds a datagram straight from a receive buffer. `addrs` holds the 16-byte source
   * at addrOff and destination at addrOff + 16 (IPv6; ignored for IPv4, whose header carries them).
   */
  feed(now: number, socket: number, family: Family, ttl: number, data: Uint8Array, off: number, len: number,
       addrs?: Uint8Array, addrOff = 0): number {
    this.views();
    // Byte loops, not set(subarray()): a subarray is an object per datagram, and a flood of datagrams would
    // become a stream of garbage collections competing with the adverts for the CPU.
    const u8 = this.u8;
    if (family === 6 && addrs) {
      const at = this.rx;
      for (let i = 0; i < 32; i++) u8[at + i] = addrs[addrOff + i];
    }
    const n = Math.min(len, abi.RX_CAP);
    const at = this.rx + abi.ADDR_OFF;
    for (let i = 0; i < n; i++) u8[at + i] = data[off + i];
    return this.x.handleDatagram(now, socket, family, ttl, len > abi.RX_CAP ? len : n);
  }

  /** Fast path: the next output's kind (abi.OUT_*); read it with outInt/txMessage/txAddrs, or decodeOutput(). */
  pollKind(): number {
    const k = this.x.pollOutput();
    this.views();
    return k;
  }

  /** Field k of the current output record: 0 handle, 1 a, 2 b, 3 c, 4 d. */
  outInt(k: number): number { return this.dv.getInt32(this.out + 4 + 4 * k, true); }

  /** The current transmit's message (a view, valid until the next poll). */
  txMessage(len: number): Uint8Array { return this.u8.subarray(this.tx + abi.ADDR_OFF, this.tx + abi.ADDR_OFF + len); }

  /** The current transmit's source [0,16) and destination [16,32) (a view). */
  txAddrs(): Uint8Array { return this.u8.subarray(this.tx, this.tx + 32); }

  /** The next output; a 'timeout' ends the drain. Transmit bytes are a copy. */
  poll(): CoreOutput {
    return this.decodeOutput(this.pollKind());
  }

  /** The current output record as a typed object. */
  decodeOutput(kind: number): CoreOutput {
    const dv = this.dv;
    const o = this.out;
    const handle = dv.getInt32(o + 4, true);
    const a = dv.getInt32(o + 8, true);
    const b = dv.getInt32(o + 12, true);
    const c = dv.getInt32(o + 16, true);
    const d = dv.getInt32(o + 20, true);
    const family = (this.families.get(handle) ?? 4) as Family;
    switch (kind) {
      case abi.OUT_TIMEOUT: return { kind: 'timeout', deadline: dv.getFloat64(o + 24, true) };
      case abi.OUT_TRANSMIT: {
        const t = this.tx;
        return {
          kind: 'transmit', handle, socket: c, family: b as Family, peer: d,
          src: formatAddr(this.u8, t, b as Family), dst: formatAddr(this.u8, t + 16, b as Family),
          bytes: this.u8.slice(t + abi.ADDR_OFF, t + abi.ADDR_OFF + a),
        };
      }
      case abi.OUT_STATE: return { kind: 'state', handle, from: STATE_NAMES[a], to: STATE_NAMES[b], reason: REASON_NAMES[c] };
      case abi.OUT_VIP_ADD: return { kind: 'vip-add', handle };
      case abi.OUT_VIP_DEL: return { kind: 'vip-del', handle };
      case abi.OUT_ANNOUNCE: return { kind: 'announce', handle, rounds: a, cause: ANNOUNCE_CAUSES[b] };
      case abi.OUT_PRIORITY: return { kind: 'priority', handle, from: a, to: b };
      case abi.OUT_RX_LOWER: return { kind: 'rx-lower', handle, priority: a, from: formatAddr(this.u8, o + 32, family) };
      case abi.OUT_NEW_MASTER: return { kind: 'new-master', handle, priority: a, address: formatAddr(this.u8, o + 32, family) };
      default: throw new CoreAbort(`unknown output kind ${kind}`);
    }
  }

  /** Drains every output up to and excluding the final timeout, whose deadline is returned in `deadline`. */
  drain(): { outputs: CoreOutput[]; deadline: number } {
    const outputs: CoreOutput[] = [];
    for (let guard = 0; guard < 1_000_000; guard++) {
      const o = this.poll();
      if (o.kind === 'timeout') return { outputs, deadline: o.deadline };
      outputs.push(o);
    }
    throw new CoreAbort('core produced more than a million outputs in one drain');
  }

  inspect(handle: number): InstanceInfo {
    if (this.x.inspect(handle) !== 0) throw new Error(`no instance ${handle}`);
    this.views();
    const dv = this.dv;
    const i = this.info;
    const family = dv.getInt32(i + 28, true) as Family;
    const mp = dv.getInt32(i + 12, true);
    return {
      state: STATE_NAMES[dv.getInt32(i, true)],
      effectivePriority: dv.getInt32(i + 4, true),
      basePriority: dv.getInt32(i + 8, true),
      masterPriority: mp < 0 ? null : mp,
      masterAddress: mp < 0 ? null : formatAddr(this.u8, i + abi.INFO_MASTER_ADDR, family),
      advertIntCs: dv.getInt32(i + 16, true),
      masterAdvertIntCs: dv.getInt32(i + 20, true),
      version: dv.getInt32(i + 24, true),
      family,
      nextDeadline: dv.getFloat64(i + 32, true),
      masterDownDeadline: dv.getFloat64(i + 40, true),
      masterDownIntervalUs: dv.getFloat64(i + 48, true),
    };
  }

  stats(handle: number): Stats {
    if (this.x.stats(handle) !== 0) throw new Error(`no instance ${handle}`);
    this.views();
    const s = {} as Stats;
    STAT_NAMES.forEach((n, k) => { s[n] = this.dv.getFloat64(this.info + 8 * k, true); });
    return s;
  }

  clearStats(handle: number): void { this.x.clearStats(handle); }

  globalStats(): GlobalStats {
    this.x.globalStats();
    this.views();
    const s = {} as GlobalStats;
    GSTAT_NAMES.forEach((n, k) => { s[n] = this.dv.getFloat64(this.info + 8 * k, true); });
    return s;
  }

  /**
   * Decodes an advert without any instance. IPv4 input may be a whole IP packet (ipHeader true) or the bare
   * VRRP message, in which case src/dst/ttl describe the IP header it came with.
   */
  decodeAdvert(bytes: Uint8Array, opts: { family: Family; ipHeader?: boolean; src?: string; dst?: string; ttl?: number; preferPlain?: boolean }): DecodedAdvert {
    this.views();
    const family = opts.family;
    let data = bytes;
    if (family === 4 && !opts.ipHeader) data = ipv4Wrap(bytes, opts.src ?? '0.0.0.0', opts.dst ?? '224.0.0.18', opts.ttl ?? 255);
    if (family === 6) {
      writeAddr(opts.src ?? '::', this.u8, this.rx);
      writeAddr(opts.dst ?? 'ff02::12', this.u8, this.rx + 16);
    }
    const n = Math.min(data.length, abi.RX_CAP);
    this.u8.set(data.subarray(0, n), this.rx + abi.ADDR_OFF);
    const r = this.x.decodeAdvert(family, opts.ttl ?? 255, data.length > abi.RX_CAP ? data.length : n, opts.preferPlain ? 1 : 0);
    const dv = this.dv;
    const i = this.info;
    const g = (k: number) => dv.getInt32(i + k, true);
    const version = g(0);
    const msgOff = this.rx + abi.ADDR_OFF + g(40);
    const count = g(16);
    const alen = family === 4 ? 4 : 16;
    const msgLen = g(44);
    const addresses: string[] = [];
    for (let k = 0; k < count && 8 + (k + 1) * alen <= msgLen; k++) addresses.push(formatAddr(this.u8, msgOff + 8 + k * alen, family));
    let authData: string | null = null;
    if (version === 2 && msgLen >= 8 + count * alen + 8) {
      const raw = this.u8.subarray(msgOff + 8 + count * alen, msgOff + 8 + count * alen + 8);
      authData = Buffer.from(raw).toString('latin1').replace(/\0+$/, '');
    }
    return {
      valid: r === abi.RX_OK,
      reason: RX_REASON(r),
      reasonCode: r,
      version, type: g(4), vrid: g(8), priority: g(12), count,
      interval: g(20), intervalUnit: version === 2 ? 's' : 'cs',
      authType: g(24), authData,
      checksum: g(28), checksumForm: CSUM_NAMES[g(32)] ?? 'none',
      ttl: g(36),
      src: formatAddr(this.u8, i + abi.INFO_SRC, family),
      dst: formatAddr(this.u8, i + abi.INFO_DST, family),
      addresses, length: msgLen, expectedLength: g(48),
    };
  }

  /** The advert (VRRP message only; with `authAh` the whole IPv4 packet) that `c` would send with priority `priority` (0 allowed). */
  encodeAdvert(c: InstanceConfig & { priority: number }): Uint8Array {
    this.views();
    const len = this.writeConfig(c);
    const r = this.x.encodeAdvert(len);
    this.views();
    if (r < 0) throw new CoreConfigError(r, CFG_ERRORS[r] ?? `error ${r}`);
    return this.u8.slice(this.tx + abi.ADDR_OFF, this.tx + abi.ADDR_OFF + r);
  }
}

function RX_REASON(code: number): string { return RX_NAMES[code] ?? `code ${code}`; }

/** A minimal IPv4 header around a VRRP message (protocol 112, no options, checksum filled). */
export function ipv4Wrap(msg: Uint8Array, src: string, dst: string, ttl: number): Uint8Array {
  const p = new Uint8Array(20 + msg.length);
  p[0] = 0x45;
  p[1] = 0xc0;
  p[2] = p.length >> 8; p[3] = p.length & 0xff;
  p[8] = ttl; p[9] = 112;
  const a = new Uint8Array(16);
  writeAddr(src, a); p.set(a.subarray(0, 4), 12);
  writeAddr(dst, a); p.set(a.subarray(0, 4), 16);
  let s = 0;
  for (let k = 0; k < 20; k += 2) s += (p[k] << 8) | p[k + 1];
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  const ck = ~s & 0xffff;
  p[10] = ck >> 8; p[11] = ck & 0xff;
  p.set(msg, 20);
  return p;
}
