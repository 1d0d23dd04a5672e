// virtual_routes / virtual_rules (and static_routes / static_rules) lines in `ip route` / `ip rule` words.
// Every word keepalived 2.2.7 accepts is either understood here (and installed by host/daemon/addresses.ts) or
// reported as not supported yet, and then the whole entry is left out: a route or rule with a word dropped would
// be broader than the one configured, and a dropped `not` would invert it. A line with an error is left out too.
import type { Token } from '../lexer.ts';
import type { Stmt } from '../tree.ts';
import type { Family, RouteSpec, RuleSpec } from '../model.ts';
import { type Reader, parseIp } from '../values.ts';
import { trackGroupName } from './address.ts';
import { RT_TABLES_FILE, routeTables } from '../rt-tables.ts';

const U32 = 4294967295;
/** iproute2's stock rt_protos. */
const PROTOCOLS: Record<string, number> = {
  unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, gated: 8, ra: 9, mrt: 10, zebra: 11, bird: 12, dnrouted: 13,
  xorp: 14, ntk: 15, dhcp: 16, keepalived: 18, babel: 42, openr: 99, bgp: 186, isis: 187, ospf: 188, rip: 189, eigrp: 192,
};
const RTPROT_KEEPALIVED = 18;
const SCOPE_NAMES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** A table's own entry (a word like `constructor` must not find Object's). */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A number as keepalived reads one (decimal or 0x hex), within [min, max]. */
function num(text: string, min = 0, max = U32): number | null {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** `START-END` (keepalived 2.2.7 refuses a single number for uidrange, sport and dport). */
function range(text: string, max: number): [number, number] | null {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m) return null;
  const a = num(m[1], 0, max);
  const b = num(m[2], 0, max);
  return a === null || b === null ? null : [a, b];
}

/** `[FROM/]TO` realms, numbers only (names would come from /etc/iproute2/rt_realms). */
function realms(text: string): number | null {
  const [a, b] = text.includes('/') ? text.split('/') : ['0', text];
  const from = num(a, 0, 65535);
  const to = num(b, 0, 65535);
  return from === null || to === null ? null : ((from << 16) | to) >>> 0;
}

/** /etc/protocols names and aliases (netbase), as getprotobyname() finds them. */
const IP_PROTOCOLS: Record<string, number> = {
  ip: 0, IP: 0, hopopt: 0, HOPOPT: 0, icmp: 1, ICMP: 1, igmp: 2, IGMP: 2, ggp: 3, GGP: 3, ipencap: 4, 'IP-ENCAP': 4,
  st: 5, ST: 5, tcp: 6, TCP: 6, egp: 8, EGP: 8, igp: 9, IGP: 9, pup: 12, PUP: 12, udp: 17, UDP: 17, hmp: 20, HMP: 20,
  'xns-idp': 22, 'XNS-IDP': 22, rdp: 27, RDP: 27, 'iso-tp4': 29, 'ISO-TP4': 29, dccp: 33, DCCP: 33, xtp: 36, XTP: 36,
  ddp: 37, DDP: 37, 'idpr-cmtp': 38, 'IDPR-CMTP': 38, ipv6: 41, IPv6: 41, 'ipv6-route': 43, 'IPv6-Route': 43,
  'ipv6-frag': 44, 'IPv6-Frag': 44, idrp: 45, IDRP: 45, rsvp: 46, RSVP: 46, gre: 47, GRE: 47, esp: 50, 'IPSEC-ESP': 50,
  ah: 51, 'IPSEC-AH': 51, skip: 57, SKIP: 57, 'ipv6-icmp': 58, 'IPv6-ICMP': 58, 'ipv6-nonxt': 59, 'IPv6-NoNxt': 59,
  'ipv6-opts': 60, 'IPv6-Opts': 60, rspf: 73, RSPF: 73, vmtp: 81, VMTP: 81, eigrp: 88, EIGRP: 88, ospf: 89, OSPFIGP: 89,
  'ax.25': 93, 'AX.25': 93, ipip: 94, IPIP: 94, etherip: 97, ETHERIP: 97, encap: 98, ENCAP: 98, pim: 103, PIM: 103,
  ipcomp: 108, IPCOMP: 108, vrrp: 112, VRRP: 112, l2tp: 115, L2TP: 115, isis: 124, ISIS: 124, sctp: 132, SCTP: 132,
  fc: 133, FC: 133, 'mobility-header': 135, 'Mobility-Header': 135, udplite: 136, UDPLite: 136, 'mpls-in-ip': 137,
  'MPLS-in-IP': 137, manet: 138, hip: 139, HIP: 139, shim6: 140, Shim6: 140, wesp: 141, WESP: 141, rohc: 142, ROHC: 142,
  ethernet: 143, Ethernet: 143,
};

/** One entry's words, the cursor over them, and what makes the entry uninstallable. */
class Line {
  i = 0;
  /** An error was reported: the entry is kept in the model (for -d) but never installed. */
  bad = false;
  readonly notYet: { at: Token; what: string; why?: string }[] = [];

  constructor(readonly words: Token[], readonly r: Reader, readonly kw: string, readonly what: 'route' | 'rule') {}

  get word(): Token { return this.words[this.i]; }

  /** The word after the current one; a missing value is keepalived's abort (exit 2). */
  value(): Token | null {
    const w = this.words[this.i];
    const v = this.words[this.i + 1];
    if (!v) {
      this.r.diags.error(w, this.kw, `'${w.text}' needs a value`, { expected: 'a value', found: 'nothing', status: 'abort' });
      this.bad = true;
      return null;
    }
    this.i++;
    return v;
  }

  peek(): Token | undefined { return this.words[this.i + 1]; }

  error(at: Token, message: string, expected?: string, found: string | null = at.text): void {
    this.r.diags.error(at, this.kw, message, { expected, found: found ?? undefined });
    this.bad = true;
  }

  /** A number in [min, max] after the current word, or null with the error. */
  number(name: string, min = 0, max = U32): number | null {
    const v = this.value();
    if (!v) return null;
    const n = num(v.text, min, max);
    if (n === null) this.error(v, `invalid ${name} '${v.text}' for ${this.what}`, `a number in [${min}, ${max}]`);
    return n;
  }

  /**
   * `protocol X`: keepalived tracks only its own protocol and resets any other to it, with a config warning.
   * keepalived 2.2.7 takes rt_protos names for a route, only a number for a rule.
   */
  protocol(): void {
    const v = this.value();
    if (!v) return;
    const p = (this.what === 'route' ? own(PROTOCOLS, v.text) : undefined) ?? num(v.text, 0, 255);
    if (p === null) this.error(v, `protocol ${v.text} not found or invalid for ${this.what}`, this.what === 'route' ? 'a number or an rt_protos name' : 'a number');
    else if (p !== RTPROT_KEEPALIVED) {
      this.r.diags.warn(v, this.kw, `a ${this.what} with protocol ${v.text} cannot be tracked; it is installed with protocol keepalived (18), as keepalived does`, { expected: 'protocol keepalived (18) or no protocol', found: v.text });
    }
  }

  /** `table X`: a number, or a name from /etc/iproute2/rt_tables (iproute2's stock names without one). */
  table(): string | null {
    const v = this.value();
    if (!v) return null;
    if (this.what === 'rule' && (v.text === 'unspec' || num(v.text) === 0)) this.error(v, 'table 0 is not valid for a rule', 'a table number above 0 or a table name');
    else if (num(v.text) === null && !routeTables().has(v.text)) {
      // keepalived 2.2.7's words, and its verdict (exit 5).
      this.error(v, `Routing table ${v.text} not found for ${this.what}`, `a number or a name in ${RT_TABLES_FILE}`);
    }
    return v.text;
  }

  /** The entry's verdict: a warning per word not supported yet; why it will not be installed, if so. */
  finish(): string | undefined {
    for (const n of this.notYet) {
      this.r.diags.add({
        file: n.at.file, line: n.at.line, col: n.at.col, severity: 'warning', status: null, keyword: this.kw,
        message: `${n.what} is not supported by vipd yet${n.why ? ` (${n.why})` : ''}: this ${this.what} will NOT be installed (vipd installs an entry as written or not at all)`,
      });
    }
    const why: string[] = [];
    if (this.notYet.length) why.push(`${this.notYet.map((n) => n.what).join(', ')} not supported by vipd yet`);
    if (this.bad) {
      const at = this.words[0];
      this.r.diags.add({ file: at.file, line: at.line, col: at.col, severity: 'warning', status: null, keyword: this.kw, message: `this ${this.what} has errors and will NOT be installed` });
      why.push('it has configuration errors');
    }
    return why.length ? why.join('; ') : undefined;
  }
}

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat', 'xresolve']);
/** Metrics that are a plain number: name → its maximum. */
const METRICS: Record<string, number> = {
  mtu: U32, advmss: U32, hoplimit: 255, window: U32, ssthresh: U32, cwnd: U32, initcwnd: U32, initrwnd: U32, reordering: U32,
  quickack: 1, fastopen_no_cookie: 1,
};
/** keepalived 2.2.7 takes `lock` only after these (`window lock 5` is "invalid number 'lock'"). */
const LOCKABLE = new Set(['mtu', 'advmss', 'congctl']);
/** Words a nexthop takes (`nexthop via ADDR dev IF weight N onlink`). */
const NEXTHOP_WORDS = new Set(['via', 'dev', 'weight', 'onlink', 'nexthop']);
/** Route words that end an `encap` type's own arguments. */
const ROUTE_WORDS = new Set([
  'src', 'via', 'gw', 'or', 'dev', 'oif', 'table', 'metric', 'priority', 'preference', 'scope', 'protocol', 'onlink', 'no_track',
  'tos', 'dsfield', 'realms', 'expires', 'pref', 'from', 'nexthop', 'congctl', 'features', 'rtt', 'rttvar', 'rto_min',
  'ttl-propagate', 'track_group', ...Object.keys(METRICS),
]);

/** An `ip route`-style line; `or` and `gw` are keepalived's deprecated spellings of `nexthop` and `via`. */
export function parseRoute(s: Stmt, r: Reader, kw: string): RouteSpec | null {
  const words = [s.kw, ...s.args];
  const L = new Line(words, r, kw, 'route');
  const spec: RouteSpec = {
    at: s.kw, family: 'inet', type: 'unicast', dst: '', src: null, via: null, dev: null, table: null, metric: null,
    scope: null, noTrack: false, words: words.map((w) => w.text),
  };
  let dst: Token | null = null;
  /** Addresses whose family must be the destination's. */
  const addrs: { at: Token; family: Family }[] = [];
  const v6only: Token[] = [];
  const addr = (what: string, prefix = false): string | null => {
    const v = L.value();
    if (!v) return null;
    const a = parseIp(prefix ? v.text.split('/')[0] : v.text);
    const plen = prefix && v.text.includes('/') ? num(v.text.slice(v.text.indexOf('/') + 1), 0, a?.family === 'inet' ? 32 : 128) : 0;
    if (!a || plen === null) { L.error(v, `invalid ${what} '${v.text}'`, prefix ? 'an address or prefix' : 'an address'); return null; }
    addrs.push({ at: v, family: a.family });
    return v.text;
  };
  const metric = (name: string, value: number) => { (spec.metrics ??= {})[name] = value; };
  const lock = (name: string) => {
    if (L.peek()?.text !== 'lock') return;
    L.i++;
    (spec.locked ??= []).push(name);
  };

  for (L.i = 0; L.i < words.length; L.i++) {
    const w = L.word;
    const t = w.text;
    if (t === 'src') {
      const a = addr('route source'); if (a) spec.src = a;
    } else if (t === 'via' || t === 'gw') {
      if (t === 'gw') r.diags.warn(w, kw, '"gw" for routes is deprecated; use "via"', { expected: 'via', found: 'gw' });
      if (L.peek()?.text === 'inet' || L.peek()?.text === 'inet6') L.i++;
      const a = addr('gateway'); if (a) spec.via = a;
    } else if (t === 'or') {
      r.diags.warn(w, kw, '"or" for routes is deprecated; use "nexthop"', { expected: 'nexthop', found: 'or' });
      addr('gateway');
      L.notYet.push({ at: w, what: "'or'", why: 'a second nexthop: multipath routes' });
    } else if (t === 'dev' || t === 'oif') {
      const v = L.value(); if (v) spec.dev = v.text;
    } else if (t === 'table') {
      spec.table = L.table();
    } else if (t === 'metric' || t === 'priority' || t === 'preference') {
      spec.metric = L.number(t);
    } else if (t === 'scope') {
      const v = L.value();
      if (v) {
        spec.scope = v.text;
        const n = own(SCOPE_NAMES, v.text) ?? num(v.text, 0, 255);
        if (n === null) L.error(v, `invalid scope '${v.text}'`, 'global, site, link, host, nowhere or a number');
        else if (![0, 200, 253, 254, 255].includes(n)) L.notYet.push({ at: v, what: `scope ${v.text}`, why: 'only global, site, link, host and nowhere' });
      }
    } else if (t === 'protocol') {
      L.protocol();
    } else if (own(METRICS, t) !== undefined) {
      if (LOCKABLE.has(t)) lock(t);
      const n = L.number(t, 0, METRICS[t]); if (n !== null) metric(t, n);
    } else if (t === 'features') {
      const v = L.value();
      if (v && v.text === 'ecn') metric('features', 1);
      else if (v) L.error(v, `feature ${v.text} not supported`, 'ecn');
    } else if (t === 'congctl') {
      lock(t);
      const v = L.value(); if (v) spec.congctl = v.text;
    } else if (t === 'rtt' || t === 'rttvar' || t === 'rto_min') {
      // Their units (a bare number, or with s/ms/us) are not pinned down against keepalived yet.
      if (L.value()) L.notYet.push({ at: w, what: `'${t}'`, why: 'its time units are not settled yet' });
    } else if (t === 'tos' || t === 'dsfield') {
      const v = L.value();
      if (v) { const n = num(v.text, 0, 255); if (n === null) L.error(v, `TOS value ${v.text} is invalid`, 'a number in [0, 255]'); else spec.tos = n; }
    } else if (t === 'realms') {
      const v = L.value();
      if (v) { const n = realms(v.text); if (n === null) L.error(v, `invalid realms ${v.text} for route`, '[FROM/]TO, numbers up to 65535'); else spec.realms = n; }
    } else if (t === 'expires') {
      v6only.push(w);
      const n = L.number(t); if (n !== null) spec.expires = n;
    } else if (t === 'pref') {
      v6only.push(w);
      const v = L.value();
      if (v) {
        const n = own({ medium: 0, high: 1, low: 3 }, v.text) ?? num(v.text, 0, 255);
        if (n === null) L.error(v, `invalid pref value ${v.text} for route`, 'low, medium, high or a number'); else spec.pref = n;
      }
    } else if (t === 'from') {
      v6only.push(w);
      const a = addr('route source prefix', true); if (a) spec.from = a;
    } else if (t === 'onlink') {
      spec.onlink = true;
    } else if (t === 'no_track') {
      spec.noTrack = true;
    } else if (t === 'ttl-propagate') {
      if (L.value()) L.notYet.push({ at: w, what: "'ttl-propagate'" });
    } else if (t === 'encap') {
      L.notYet.push({ at: w, what: "'encap'" });
      while (L.peek() && !ROUTE_WORDS.has(L.peek()!.text)) L.i++;
    } else if (t === 'nexthop') {
      L.notYet.push({ at: w, what: "'nexthop'", why: 'multipath routes' });
      nexthops(L);
    } else if (t === 'track_group' && kw.startsWith('static_')) {
      const v = trackGroupName(r, words, L.i, kw, spec.dst || s.kw.text);
      if (v) { spec.trackGroup = v.text; L.i++; }
    } else if (!dst && ROUTE_TYPES.has(t)) {
      spec.type = t;
    } else if (!dst && t === 'to') {
      // optional keyword before the destination
    } else if (!dst) {
      const d = t === 'default' ? { family: 'inet' as Family } : parseIp(t.split('/')[0]);
      const plen = t.includes('/') ? t.slice(t.indexOf('/') + 1) : null;
      if (!d || (plen !== null && (!/^\d+$/.test(plen) || Number(plen) > (d.family === 'inet' ? 32 : 128)))) {
        r.diags.error(w, kw, `invalid route destination '${t}'`, { expected: 'PREFIX or default', found: t });
        return null;
      }
      dst = w;
      spec.dst = t;
      spec.family = d.family;
    } else {
      L.error(w, `unknown route option '${t}'`, 'an ip route option (via, dev, src, table, metric, scope, mtu, onlink, ...)');
    }
  }
  if (!dst) {
    r.diags.error(s.kw, kw, 'route has no destination', { expected: 'PREFIX or default', found: 'nothing' });
    return null;
  }
  if (dst.text === 'default') {
    // `default` is 0.0.0.0/0 or ::/0: the gateway or source says which; with neither, the instance's family.
    const fam = addrs[0]?.family ?? (v6only.length ? 'inet6' : undefined);
    spec.family = fam ?? 'inet';
    spec.dst = spec.family === 'inet' ? '0.0.0.0/0' : '::/0';
    if (!fam) spec.familyFromInstance = true;
  }
  const mixed = addrs.find((a) => a.family !== spec.family);
  if (mixed) L.error(mixed.at, `cannot mix IPv4 and IPv6 addresses for route (${mixed.at.text} with ${dst.text})`, `an ${spec.family === 'inet' ? 'IPv4' : 'IPv6'} address`);
  if (spec.family === 'inet') for (const w of v6only) L.error(w, `${w.text} is only valid for IPv6 routes`, 'an IPv6 destination for this option');
  const skip = L.finish();
  if (skip) spec.skip = skip;
  return spec;
}

/** The words of `nexthop via ADDR dev IF weight N onlink [nexthop ...]`, checked as keepalived does, not kept. */
function nexthops(L: Line): void {
  while (L.peek() && NEXTHOP_WORDS.has(L.peek()!.text)) {
    L.i++;
    const t = L.word.text;
    if (t === 'via') {
      if (L.peek()?.text === 'inet' || L.peek()?.text === 'inet6') L.i++;
      const v = L.value();
      if (v && !parseIp(v.text)) L.error(v, `invalid gateway '${v.text}'`, 'an address');
    } else if (t === 'dev') L.value();
    else if (t === 'weight') L.number('weight', 0, 256);
  }
}

const RULE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit', 'nop']);

/** An `ip rule`-style line. */
export function parseRule(s: Stmt, r: Reader, kw: string): RuleSpec | null {
  const words = [s.kw, ...s.args];
  const L = new Line(words, r, kw, 'rule');
  const spec: RuleSpec = {
    at: s.kw, family: null, from: null, to: null, table: null, priority: null, iif: null, oif: null, fwmark: null,
    action: null, noTrack: false, words: words.map((w) => w.text),
  };
  /** The words that name what the rule does: exactly one is needed. */
  const actions: Token[] = [];
  let gotoAt: Token | null = null;
  for (L.i = 0; L.i < words.length; L.i++) {
    const w = L.word;
    const t = w.text;
    if (t === 'from' || t === 'to') {
      const v = L.value();
      if (!v) continue;
      // `all` says nothing about the family: the other address's, an `inet`/`inet6` word's, or the instance's.
      if (v.text === 'all') { if (t === 'from') spec.from = 'all'; else spec.to = 'all'; continue; }
      const a = parseIp(v.text.split('/')[0]);
      const plen = v.text.includes('/') ? v.text.slice(v.text.indexOf('/') + 1) : null;
      if (!a || (plen !== null && (!/^\d+$/.test(plen) || Number(plen) > (a.family === 'inet' ? 32 : 128)))) {
        r.diags.error(v, kw, `invalid rule ${t} address '${v.text}'`, { expected: 'an address or prefix', found: v.text });
        return null;
      }
      if (spec.family && a.family !== spec.family) {
        r.diags.error(v, kw, `rule mixes address families at '${v.text}'`, { expected: `an ${spec.family === 'inet' ? 'IPv4' : 'IPv6'} address like the rest of the rule`, found: v.text });
        return null;
      }
      spec.family = a.family;
      if (t === 'from') spec.from = v.text; else spec.to = v.text;
    } else if (t === 'not') {
      spec.not = true;
    } else if (t === 'table' || t === 'lookup') {
      actions.push(w);
      spec.table = L.table();
      spec.action = 'table';
    } else if (t === 'goto') {
      actions.push(w);
      gotoAt = w;
      const n = L.number('goto target');
      if (n !== null) spec.goto = n;
      spec.action = 'goto';
    } else if (t === 'l3mdev') {
      actions.push(w);
      spec.l3mdev = true;
      spec.action = 'table';
    } else if (RULE_ACTIONS.has(t)) {
      actions.push(w);
      spec.action = t;
    } else if (t === 'priority' || t === 'preference' || t === 'pref' || t === 'prio') {
      spec.priority = L.number(t);
    } else if (t === 'iif' || t === 'dev') {
      const v = L.value(); if (v) spec.iif = v.text;
    } else if (t === 'oif') {
      const v = L.value(); if (v) spec.oif = v.text;
    } else if (t === 'fwmark') {
      const v = L.value();
      if (v) {
        const [mark, mask, extra] = v.text.split('/');
        if (num(mark) === null || (mask !== undefined && num(mask) === null) || extra !== undefined) L.error(v, `invalid fwmark '${v.text}'`, 'MARK[/MASK], numbers up to 0xffffffff');
        spec.fwmark = v.text;
      }
    } else if (t === 'tos' || t === 'dsfield') {
      const v = L.value();
      if (v) { const n = num(v.text, 0, 255); if (n === null) L.error(v, `TOS value ${v.text} is invalid`, 'a number in [0, 255]'); else spec.tos = n; }
    } else if (t === 'uidrange') {
      const v = L.value();
      if (v) { const u = range(v.text, U32); if (!u) L.error(v, `invalid uidrange '${v.text}'`, 'START-END'); else spec.uidrange = u; }
    } else if (t === 'sport' || t === 'dport') {
      const v = L.value();
      if (v) {
        const p = range(v.text, 65535);
        if (!p) L.error(v, `invalid ${t} range ${v.text}`, 'START-END (keepalived 2.2.7 refuses a single port: write 80-80)');
        else spec[t] = p;
      }
    } else if (t === 'ipproto') {
      const v = L.value();
      if (v) {
        const p = own(IP_PROTOCOLS, v.text) ?? num(v.text, 0, 255);
        if (p === null) L.error(v, `invalid ipproto ${v.text}`, 'a number in [0, 255] or an /etc/protocols name'); else spec.ipproto = p;
      }
    } else if (t === 'suppress_prefixlength') {
      const n = L.number(t, 0, 2147483647); if (n !== null) spec.suppressPrefixlength = n;
    } else if (t === 'suppress_ifgroup') {
      const v = L.value();
      if (v) {
        const n = v.text === 'default' ? 0 : num(v.text, 0, 2147483647);
        if (n === null) L.error(v, `suppress_ifgroup ${v.text} is invalid`, 'a number or default'); else spec.suppressIfgroup = n;
      }
    } else if (t === 'realms') {
      const v = L.value();
      if (v) { const n = realms(v.text); if (n === null) L.error(v, `invalid realms ${v.text} for rule`, '[FROM/]TO, numbers up to 65535'); else spec.realms = n; }
    } else if (t === 'protocol') {
      L.protocol();
    } else if (t === 'no_track') {
      spec.noTrack = true;
    } else if (t === 'tun_id') {
      // iproute2 has it; keepalived 2.2.7 does not.
      L.value();
      L.error(w, "unknown rule option 'tun_id'", 'an ip rule option keepalived 2.2.7 knows');
    } else if (t === 'inet' || t === 'inet6') {
      spec.family = t;
    } else if (t === 'track_group' && kw.startsWith('static_')) {
      const v = trackGroupName(r, words, L.i, kw, 'the rule');
      if (v) { spec.trackGroup = v.text; L.i++; }
    } else {
      L.error(w, `unknown rule option '${t}'`, 'an ip rule option (from, to, not, table, goto, priority, iif, oif, fwmark, tos, ...)');
    }
  }
  if (actions.length === 0) L.error(s.kw, 'no action specified for rule', 'table, goto, nop, l3mdev, blackhole, unreachable or prohibit', 'nothing');
  else if (actions.length > 1) L.error(actions[1], 'cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for a rule', 'one action per rule');
  if (gotoAt && spec.goto !== undefined) {
    if (spec.priority === null) L.error(gotoAt, `goto target ${spec.goto} specified without a preference`, 'priority N, below the target');
    else if (spec.priority >= spec.goto) L.error(gotoAt, `preference ${spec.priority} >= goto target ${spec.goto}`, 'a goto target above the preference');
  }
  const skip = L.finish();
  if (skip) spec.skip = skip;
  return spec;
}
