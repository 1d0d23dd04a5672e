// Addresses, routes, rules and link/address events over rtnetlink, through the
// `netlink` package (it encodes every message we need, routes and rules included).
// Two sockets: one for requests, one subscribed to notifications, so that replies
// and events never interleave. Both belong to the namespace they were opened in.
import { createRtNetlink, rt, FlagsNew, type RtNetlinkSocket, type NetlinkMessage } from 'netlink';
import { type Family, formatIp, parseIp } from './ip-address.ts';

/** Requests in flight on one socket at most (the rest queue), so a burst never overruns the reply buffer. */
const MAX_INFLIGHT = 64;
/** Every request is answered or rejected within this many ms. */
const REQUEST_TIMEOUT_MS = 3000;
/** rtm_protocol of the routes and rules we add: RTPROT_KEEPALIVED, so `ip route` shows "proto keepalived" as keepalived's do. */
export const RTPROT_KEEPALIVED = 18;

export type Scope = 'global' | 'site' | 'link' | 'host' | 'nowhere';
const SCOPES: Record<Scope, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const scopeName = (n: number): Scope | number =>
  (Object.keys(SCOPES) as Scope[]).find((k) => SCOPES[k] === n) ?? n;

const AF: Record<Family, number> = { 4: 2, 6: 10 };
const familyOfAf = (af: number | undefined): Family | undefined => (af === 2 ? 4 : af === 10 ? 6 : undefined);

export interface LinkInfo {
  index: number;
  name: string;
  /** Hardware address (6 bytes for Ethernet); absent on links without one. */
  mac: Buffer | undefined;
  mtu: number;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_RUNNING: operationally up (carrier). */
  running: boolean;
  noarp: boolean;
}

/** An address as added: IPv4 fields follow `ip addr add`; IPv6 defaults follow keepalived's VIPs. */
export interface AddressSpec {
  address: string;
  prefix: number;
  ifindex: number;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** IPv4 only; keepalived ignores scope for IPv6. Default global. A number for a scope without a name. */
  scope?: Scope | number;
  /** IPv4 only, e.g. "eth0:vip". */
  label?: string;
  /** IPv6: skip duplicate address detection. Default true, as keepalived (which offers "-nodad" to turn it off). */
  nodad?: boolean;
  /** IPv6 preferred lifetime in seconds. Default: 0 for a /128 (never picked as a source), forever otherwise. */
  preferredLifetime?: number | 'forever';
  noprefixroute?: boolean;
}

export interface AddressInfo {
  family: Family;
  address: string;
  prefix: number;
  ifindex: number;
  scope: Scope | number;
  label?: string;
  broadcast?: string;
  /** Flags the kernel reports (secondary, nodad, deprecated, tentative, permanent, ...). */
  flags: string[];
}

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit'
  | 'throw' | 'nat' | 'xresolve';
const ROUTE_TYPES: Record<RouteType, number> = {
  unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8, throw: 9, nat: 10, xresolve: 11,
};
/** RTA_METRICS members by iproute2's name (the package's attribute name, RTAX_* number for `lock`). */
const METRICS = {
  mtu: ['mtu', 2], window: ['window', 3], ssthresh: ['ssthresh', 6], cwnd: ['cwnd', 7], advmss: ['advmss', 8],
  reordering: ['reordering', 9], hoplimit: ['hoplimit', 10], initcwnd: ['initcwnd', 11], features: ['features', 12],
  initrwnd: ['initrwnd', 14], quickack: ['quickack', 15], fastopen_no_cookie: ['fastopenNoCookie', 17],
} as const satisfies Record<string, readonly [keyof rt.RouteMetrics, number]>;
export type MetricName = keyof typeof METRICS;
const RTAX_CC_ALGO = 16;
/** rtm_flags RTNH_F_ONLINK; the package names only the RTM_F_* flags. */
const RTNH_F_ONLINK = 4;

/** A virtual_routes entry. `dst` "default" means 0.0.0.0/0 or ::/0 (the family then comes from `via`/`src`/`family`). */
export interface RouteSpec {
  dst: string;
  prefix?: number;
  family?: Family;
  via?: string;
  ifindex?: number;
  /** Preferred source (`ip route ... src`). */
  src?: string;
  table?: number;
  metric?: number;
  scope?: Scope;
  type?: RouteType;
  protocol?: number;
  /** rtm_tos (`tos` / `dsfield`). */
  tos?: number;
  /** The gateway is on the link even when no prefix says so. */
  onlink?: boolean;
  /** RTA_METRICS: `mtu`, `advmss`, `hoplimit`, ...; `locked` ones the kernel must not change (`mtu lock N`). */
  metrics?: Partial<Record<MetricName, number>>;
  locked?: (MetricName | 'congctl')[];
  /** TCP congestion control algorithm (RTAX_CC_ALGO). */
  congctl?: string;
  /** RTA_FLOW: (from realm << 16) | to realm. */
  realms?: number;
  /** IPv6: source prefix (`from`), router preference (RTA_PREF), lifetime in seconds (RTA_EXPIRES). */
  from?: string;
  fromPrefix?: number;
  pref?: number;
  expires?: number;
}

export type RuleAction = 'table' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';
const RULE_ACTIONS: Record<RuleAction, number> = { table: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };

/** A virtual_rules entry. */
export interface RuleSpec {
  family: Family;
  from?: string;
  fromPrefix?: number;
  to?: string;
  toPrefix?: number;
  table?: number;
  priority?: number;
  action?: RuleAction;
  protocol?: number;
  /** `iif NAME` / `oif NAME`: by name, as the kernel keeps them (the interface need not exist yet). */
  iif?: string;
  oif?: string;
  /** `fwmark N[/MASK]`. */
  fwmark?: number;
  fwmask?: number;
  /** `not`: FIB_RULE_INVERT, the rule matches what its selectors do not. */
  invert?: boolean;
  tos?: number;
  /** Action `goto`: the priority to continue at. */
  goto?: number;
  /** `l3mdev`: the table is the l3mdev's (VRF) of the packet's interface; no table of its own. */
  l3mdev?: boolean;
  uidRange?: [number, number];
  sportRange?: [number, number];
  dportRange?: [number, number];
  ipProto?: number;
  suppressPrefixlen?: number;
  suppressIfgroup?: number;
  /** FRA_FLOW: (from realm << 16) | to realm. */
  realms?: number;
}

/** IFF_UP / IFF_RUNNING of a link after a change; `removed` when the link itself is gone. */
export interface LinkEvent { kind: 'link'; ifindex: number; name: string; up: boolean; running: boolean; removed: boolean }
export interface AddressEvent {
  kind: 'address'; action: 'added' | 'removed'; family: Family; ifindex: number; address: string; prefix: number; label?: string;
}
export type NetEvent = LinkEvent | AddressEvent;

/**
 * An rtnetlink error with the kernel's errno name in `code` (EEXIST, EADDRNOTAVAIL, ESRCH, ...).
 * The package only puts the name in its message ("Request rejected: EEXIST").
 */
function wrap(what: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? /\b(E[A-Z0-9]+)\b/.exec(err.message ?? '')?.[1];
  return Object.assign(new Error(`${what}: ${err.message}`), { code });
}

function addrBuf(text: string, want?: Family): Buffer {
  const a = parseIp(text);
  if (want && a.family !== want) throw new Error(`${text} is not IPv${want}`);
  return a.bytes.subarray(0, a.family === 4 ? 4 : 16);
}

const flagNames = (flags: object | undefined): string[] =>
  Object.entries(flags ?? {}).filter(([k, v]) => v === true && !k.startsWith('__')).map(([k]) => k);

export class Netlink {
  private readonly sock: RtNetlinkSocket;

  private inflight = 0;
  private dumping = false;
  private readonly waiting: (() => void)[] = [];
  /** Errors the socket reports outside any request (e.g. ENOBUFS); they must not go unheard. */
  onError: (e: Error) => void = () => {};

  /** Opens a request socket in the calling thread's network namespace. */
  constructor() {
    // Replies to a burst of requests (1 000 VIPs at once) must fit, and an 'error' event without a listener would
    // be thrown inside the package's native callback and abort the process.
    this.sock = createRtNetlink({ recvBufferSize: 4 << 20, sendBufferSize: 0 });
    this.sock.socket.on('error', (e: Error) => this.onError(e));
  }

  /**
   * At most MAX_INFLIGHT requests wait for the kernel at once; the rest queue here, in order. A dump (links,
   * addresses) runs alone: the package mixes up a multipart reply with other replies on the same socket.
   */
  private async limit<T>(f: () => Promise<T>, exclusive = false): Promise<T> {
    const cap = exclusive ? 1 : MAX_INFLIGHT;
    while (this.inflight >= cap || this.dumping) await new Promise<void>((r) => this.waiting.push(r));
    this.inflight++;
    if (exclusive) this.dumping = true;
    try {
      return await f();
    } finally {
      this.inflight--;
      if (exclusive) this.dumping = false;
      for (const w of this.waiting.splice(0)) w();
    }
  }

  close(): void {
    this.sock.socket.close();
  }

  // ---- links ----

  async link(name: string): Promise<LinkInfo> {
    try {
      const [m] = await this.sock.getLink({}, { ifname: name }, { timeout: REQUEST_TIMEOUT_MS });
      return toLink(m);
    } catch (e) {
      throw wrap(`link ${name}`, e);
    }
  }

  async links(): Promise<LinkInfo[]> {
    return (await this.limit(() => this.sock.getLinks(undefined, undefined, { timeout: REQUEST_TIMEOUT_MS }), true)).map(toLink);
  }

  // ---- addresses ----

  async addAddress(spec: AddressSpec): Promise<void> {
    const [data, attrs] = addressMessage(spec, true);
    try {
      await this.limit(() => this.sock.newAddress(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL, timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`add address ${spec.address}/${spec.prefix}`, e);
    }
  }

  async delAddress(spec: Pick<AddressSpec, 'address' | 'prefix' | 'ifindex'>): Promise<void> {
    const [data, attrs] = addressMessage(spec, false);
    try {
      await this.limit(() => this.sock.delAddress(data, attrs, { timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`delete address ${spec.address}/${spec.prefix}`, e);
    }
  }

  /** Addresses of one interface (or all, with ifindex 0), both families unless one is given. */
  async addresses(ifindex = 0, family?: Family): Promise<AddressInfo[]> {
    const msgs = await this.limit(() => this.sock.getAddresses(family ? { family: AF[family] } : undefined, undefined, { timeout: REQUEST_TIMEOUT_MS }), true);
    const out: AddressInfo[] = [];
    for (const m of msgs) {
      const info = toAddress(m);
      if (info && (ifindex === 0 || info.ifindex === ifindex)) out.push(info);
    }
    return out;
  }

  // ---- routes and rules ----

  async addRoute(spec: RouteSpec): Promise<void> {
    const [data, attrs] = routeMessage(spec, 'add');
    try {
      await this.limit(() => this.sock.newRoute(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL, timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`add route ${routeName(spec)}`, e);
    }
  }

  async delRoute(spec: RouteSpec): Promise<void> {
    const [data, attrs] = routeMessage(spec, 'del');
    try {
      await this.limit(() => this.sock.delRoute(data, attrs, { timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`delete route ${routeName(spec)}`, e);
    }
  }

  async addRule(spec: RuleSpec): Promise<void> {
    const [data, attrs] = ruleMessage(spec);
    try {
      await this.limit(() => this.sock.newRule(data, attrs, { flags: FlagsNew.CREATE | FlagsNew.EXCL, timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`add rule ${ruleName(spec)}`, e);
    }
  }

  async delRule(spec: RuleSpec): Promise<void> {
    const [data, attrs] = ruleMessage(spec);
    try {
      await this.limit(() => this.sock.delRule(data, attrs, { timeout: REQUEST_TIMEOUT_MS }));
    } catch (e) {
      throw wrap(`delete rule ${ruleName(spec)}`, e);
    }
  }
}

/**
 * Link and address notifications as typed events, from a socket joined to the LINK,
 * IPV4_IFADDR and IPV6_IFADDR groups. Opened in the calling thread's namespace.
 * `ref: false` lets the process exit while only this is open.
 */
export class NetEvents {
  private readonly sock: RtNetlinkSocket;

  constructor(onEvent: (e: NetEvent) => void, opts: { ref?: boolean; onError?: (e: Error) => void } = {}) {
    // A large buffer: a burst of link/address changes (many VIPs at once) must not overrun it.
    this.sock = createRtNetlink({ ref: opts.ref ?? false, recvBufferSize: 1 << 20, sendBufferSize: 0 });
    for (const g of ['LINK', 'IPV4_IFADDR', 'IPV6_IFADDR'] as const) this.sock.addMembership(g);
    // The raw socket keeps each message's type; RtNetlinkSocket's own event drops
    // it, and without it an address added cannot be told from one removed.
    this.sock.socket.on('message', (msgs: NetlinkMessage[]) => {
      // This runs inside the netlink package's native callback: anything thrown here would abort the process.
      for (const m of msgs) {
        try {
          const ev = toEvent(m);
          if (ev) onEvent(ev);
        } catch (e) {
          opts.onError?.(e as Error);
        }
      }
    });
    this.sock.socket.on('error', (e: Error) => opts.onError?.(e));
  }

  close(): void {
    this.sock.socket.close();
  }
}

function toEvent(m: NetlinkMessage): NetEvent | undefined {
  const T = rt.MessageType;
  if (m.type !== T.NEWLINK && m.type !== T.DELLINK && m.type !== T.NEWADDR && m.type !== T.DELADDR) return undefined;
  const msg = rt.parseMessage(m.type, m.data);
  if (msg.kind === 'link') {
    const l = toLink(msg);
    return { kind: 'link', ifindex: l.index, name: l.name, up: l.up, running: l.running, removed: m.type === T.DELLINK };
  }
  if (msg.kind === 'address') {
    const a = toAddress(msg);
    if (!a) return undefined;
    return {
      kind: 'address', action: m.type === T.NEWADDR ? 'added' : 'removed', family: a.family,
      ifindex: a.ifindex, address: a.address, prefix: a.prefix, ...(a.label ? { label: a.label } : {}),
    };
  }
  return undefined;
}

function toLink(m: rt.LinkMessage): LinkInfo {
  return {
    index: m.data.index ?? 0,
    name: m.attrs.ifname ?? '',
    mac: m.attrs.address,
    mtu: m.attrs.mtu ?? 0,
    up: m.data.flags?.up === true,
    running: m.data.flags?.running === true,
    noarp: m.data.flags?.noarp === true,
  };
}

function toAddress(m: rt.AddressMessage): AddressInfo | undefined {
  const family = familyOfAf(m.data.family);
  const raw = m.attrs.local ?? m.attrs.address;
  if (!family || !raw) return undefined;
  const info: AddressInfo = {
    family,
    address: formatIp(family, raw),
    prefix: m.data.prefixlen ?? 0,
    ifindex: m.data.index ?? 0,
    scope: scopeName(m.data.scope ?? 0),
    flags: flagNames(m.attrs.flags ?? m.data.flags),
  };
  if (m.attrs.label) info.label = m.attrs.label;
  if (m.attrs.broadcast) info.broadcast = formatIp(4, m.attrs.broadcast);
  return info;
}

function addressMessage(spec: AddressSpec, add: boolean): [rt.Address, rt.AddressAttrs] {
  const a = parseIp(spec.address);
  const bytes = a.bytes.subarray(0, a.family === 4 ? 4 : 16);
  const data: rt.Address = { family: AF[a.family], prefixlen: spec.prefix, index: spec.ifindex };
  const attrs: rt.AddressAttrs = { local: bytes, address: bytes };
  if (!add) return [data, attrs];
  const flags: rt.AddressFlags = {};
  if (a.family === 4) {
    data.scope = typeof spec.scope === 'number' ? spec.scope : SCOPES[spec.scope ?? 'global'];
    if (spec.broadcast) attrs.broadcast = addrBuf(spec.broadcast, 4);
    if (spec.label) attrs.label = spec.label;
  } else {
    if (spec.nodad ?? true) flags.nodad = true;
    const preferred = spec.preferredLifetime ?? (spec.prefix === 128 ? 0 : 'forever');
    if (preferred !== 'forever') attrs.cacheInfo = { ifaPrefered: preferred, ifaValid: 0xffffffff };
  }
  if (spec.noprefixroute) flags.noprefixroute = true;
  if (Object.keys(flags).length) attrs.flags = flags;
  return [data, attrs];
}

function routeMessage(spec: RouteSpec, op: 'add' | 'del'): [rt.Route, rt.RouteAttrs] {
  const isDefault = spec.dst === 'default';
  const family: Family = spec.family
    ?? (isDefault ? (spec.via ?? spec.src ?? '0.0.0.0').includes(':') ? 6 : 4 : parseIp(spec.dst).family);
  const type = spec.type ?? 'unicast';
  const table = spec.table ?? 254; // main
  const data: rt.Route = {
    family: AF[family],
    dstLen: isDefault ? 0 : spec.prefix ?? (family === 4 ? 32 : 128),
    // Tables above 255 only fit the RTA_TABLE attribute; the header then says RT_TABLE_UNSPEC.
    table: table < 256 ? table : 0,
    protocol: op === 'add' ? spec.protocol ?? RTPROT_KEEPALIVED : 0,
    type: ROUTE_TYPES[type],
    scope: spec.scope ? SCOPES[spec.scope] : op === 'del' ? SCOPES.nowhere : defaultScope(type, spec.via !== undefined),
  };
  if (spec.tos) data.tos = spec.tos;
  if (spec.onlink) data.flags = { __unknown: RTNH_F_ONLINK };
  const attrs: rt.RouteAttrs = { table };
  if (!isDefault) attrs.dst = addrBuf(spec.dst, family);
  if (spec.from) {
    data.srcLen = spec.fromPrefix ?? 128;
    attrs.src = addrBuf(spec.from, family);
  }
  if (spec.via) attrs.gateway = addrBuf(spec.via, family);
  if (spec.ifindex) attrs.oif = spec.ifindex;
  if (spec.src) attrs.prefsrc = addrBuf(spec.src, family);
  if (spec.metric !== undefined) attrs.priority = spec.metric;
  if (spec.realms !== undefined) attrs.flow = spec.realms;
  // What the route carries rather than what identifies it: only on add.
  if (op === 'add') {
    const metrics = routeMetrics(spec);
    if (metrics) attrs.metrics = metrics;
    if (spec.pref !== undefined) attrs.pref = Buffer.of(spec.pref);
    if (spec.expires !== undefined) attrs.expires = u32(spec.expires);
  }
  return [data, attrs];
}

/** iproute2's scope when none is given: local and nat are host, broadcast/multicast/anycast and a unicast with no gateway link. */
function defaultScope(type: RouteType, gateway: boolean): number {
  if (type === 'local' || type === 'nat') return SCOPES.host;
  if (type === 'broadcast' || type === 'multicast' || type === 'anycast') return SCOPES.link;
  return type === 'unicast' && !gateway ? SCOPES.link : SCOPES.global;
}

/** A u32 attribute payload in host byte order, as netlink wants it. */
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  if (HOST_LE) b.writeUInt32LE(n >>> 0); else b.writeUInt32BE(n >>> 0);
  return b;
}
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function routeMetrics(spec: RouteSpec): rt.RouteMetrics | undefined {
  const m: rt.RouteMetrics = {};
  let lock = 0;
  for (const [name, value] of Object.entries(spec.metrics ?? {}) as [MetricName, number][]) m[METRICS[name][0]] = u32(value);
  if (spec.congctl !== undefined) m.ccAlgo = Buffer.from(`${spec.congctl}\0`);
  for (const name of spec.locked ?? []) lock |= 1 << (name === 'congctl' ? RTAX_CC_ALGO : METRICS[name][1]);
  if (lock) m.lock = u32(lock);
  return Object.keys(m).length ? m : undefined;
}

/** For error messages: which entry of virtual_routes / virtual_rules failed. */
function routeName(spec: RouteSpec): string {
  return spec.prefix === undefined ? spec.dst : `${spec.dst}/${spec.prefix}`;
}
function ruleName(spec: RuleSpec): string {
  const at = (a: string | undefined, len: number | undefined) => (a === undefined ? 'all' : len === undefined ? a : `${a}/${len}`);
  return `${spec.priority ?? '(no priority)'} from ${at(spec.from, spec.fromPrefix)} to ${at(spec.to, spec.toPrefix)}`;
}

function ruleMessage(spec: RuleSpec): [rt.Rule, rt.RuleAttrs] {
  const table = spec.table ?? 0;
  const action = spec.action ?? 'table';
  const data: rt.Rule = {
    family: AF[spec.family],
    srcLen: spec.from ? spec.fromPrefix ?? (spec.family === 4 ? 32 : 128) : 0,
    dstLen: spec.to ? spec.toPrefix ?? (spec.family === 4 ? 32 : 128) : 0,
    table: table < 256 ? table : 0,
    action: RULE_ACTIONS[action],
  };
  if (spec.invert) data.flags = { invert: true };
  if (spec.tos) data.tos = spec.tos;
  const attrs: rt.RuleAttrs = {};
  if (spec.from) attrs.src = addrBuf(spec.from, spec.family);
  if (spec.to) attrs.dst = addrBuf(spec.to, spec.family);
  if (action === 'table' && !spec.l3mdev) attrs.table = table;
  if (spec.l3mdev) attrs.l3Mdev = 1;
  if (action === 'goto' && spec.goto !== undefined) attrs.goto = spec.goto;
  if (spec.uidRange) attrs.uidRange = { start: spec.uidRange[0], end: spec.uidRange[1] };
  if (spec.sportRange) attrs.sportRange = { start: spec.sportRange[0], end: spec.sportRange[1] };
  if (spec.dportRange) attrs.dportRange = { start: spec.dportRange[0], end: spec.dportRange[1] };
  if (spec.ipProto !== undefined) attrs.ipProto = spec.ipProto;
  if (spec.suppressPrefixlen !== undefined) attrs.suppressPrefixlen = u32(spec.suppressPrefixlen);
  if (spec.suppressIfgroup !== undefined) attrs.suppressIfgroup = u32(spec.suppressIfgroup);
  if (spec.realms !== undefined) attrs.flow = spec.realms;
  if (spec.priority !== undefined) attrs.priority = spec.priority;
  if (spec.iif) attrs.iifname = spec.iif;
  if (spec.oif) attrs.oifname = spec.oif;
  if (spec.fwmark !== undefined) attrs.fwmark = spec.fwmark;
  if (spec.fwmask !== undefined) attrs.fwmask = spec.fwmask;
  attrs.protocol = spec.protocol ?? RTPROT_KEEPALIVED;
  return [data, attrs];
}
