// keepalived's virtual_ipaddress / virtual_routes / virtual_rules entries, as netlink requests. Pure.
import type { VipSpec } from '../config/index.ts';
import type { RouteSpec as CfgRoute, RuleSpec as CfgRule } from '../config/model.ts';
import type { AddressSpec, MetricName, RouteSpec, RouteType, RuleSpec, Scope } from '../net/netlink.ts';
import { RT_TABLES_FILE, routeTables } from '../config/rt-tables.ts';

export type IfIndex = (name: string) => number | undefined;

/** IPv4 host bits set (`brd +`) or cleared (`brd -`), or the address given. */
export function broadcastFor(v: VipSpec): string | undefined {
  if (v.family !== 'inet' || v.brd === null) return undefined;
  if (v.brd !== '+' && v.brd !== '-') return v.brd;
  const n = v.addr.split('.').reduce((a, p) => (a << 8) | Number(p), 0) >>> 0;
  const host = v.prefix >= 32 ? 0 : (0xffffffff >>> v.prefix);
  const b = (v.brd === '+' ? (n | host) : (n & ~host)) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.');
}

// The config takes `scope link` or a number 0..255 (the config check read it as C does, and turned a known one into
// its name); netlink takes the name, or the number itself for an address (keepalived installs any 0..255).
const SCOPE_NUMBERS: Record<string, Scope> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
const SCOPE_NAMES = new Set<string>(Object.values(SCOPE_NUMBERS));

function scopeName(text: string, what: string): Scope {
  const s = scopeOf(text, what);
  if (typeof s === 'number') throw new Error(`${what}: scope ${text} is not one of global (0), site (200), link (253), host (254), nowhere (255)`);
  return s;
}

function scopeOf(text: string, what: string): Scope | number {
  if (SCOPE_NAMES.has(text)) return text as Scope;
  const s = SCOPE_NUMBERS[text];
  if (s !== undefined) return s;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (n >= 0 && n <= 255) return n;
  throw new Error(`${what}: scope ${text} is neither a name (global, site, link, host, nowhere) nor a number 0..255`);
}

export function addressSpec(v: VipSpec, ifindex: number): AddressSpec {
  const s: AddressSpec = { address: v.addr, prefix: v.prefix, ifindex };
  const brd = broadcastFor(v);
  if (brd) s.broadcast = brd;
  if (v.family === 'inet') {
    if (v.scope) s.scope = scopeOf(v.scope, `VIP ${v.addr}`);
    if (v.label) s.label = v.label;
  } else {
    s.nodad = !v.flags.includes('-nodad');
    if (v.preferredLft !== null) s.preferredLifetime = v.preferredLft;
  }
  if (v.flags.includes('noprefixroute')) s.noprefixroute = true;
  return s;
}

/** A table as configured (a number, or a name the config check found in rt_tables) to its number. */
export function tableNumber(t: string | null): number | undefined {
  if (t === null) return undefined;
  const named = routeTables().get(t);
  if (named !== undefined) return named;
  const n = Number(t);
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t) || !Number.isInteger(n) || n < 0) throw new Error(`unknown routing table ${JSON.stringify(t)} (not a number, and not in ${RT_TABLES_FILE})`);
  return n;
}

function splitPrefix(text: string): { addr: string; prefix?: number } {
  const k = text.indexOf('/');
  return k < 0 ? { addr: text } : { addr: text.slice(0, k), prefix: Number(text.slice(k + 1)) };
}

const ROUTE_TYPES = new Set<string>(['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve']);

/**
 * The entries vipd installs: one the config loader marked (a word not supported yet, or an error in the line) is
 * left out whole, never installed reduced; `skipped` hands each left-out entry to the caller once, to log it.
 */
export function installable<T extends { skip?: string }>(list: readonly T[], skipped?: (e: T) => void): T[] {
  return list.filter((e) => {
    if (e.skip === undefined) return true;
    skipped?.(e);
    return false;
  });
}

/** `default` with neither via nor src takes `fallbackFamily`, the instance's. */
export function routeSpec(r: CfgRoute, ifindex: IfIndex, fallbackFamily: 4 | 6 = r.family === 'inet' ? 4 : 6): RouteSpec {
  if (r.skip !== undefined) throw new Error(`route ${r.dst}: not installed: ${r.skip}`);
  const v6 = r.familyFromInstance ? fallbackFamily === 6 : r.family === 'inet6';
  const d = splitPrefix(r.familyFromInstance ? (v6 ? '::/0' : '0.0.0.0/0') : r.dst);
  const s: RouteSpec = { dst: d.addr, family: v6 ? 6 : 4 };
  if (d.prefix !== undefined) s.prefix = d.prefix;
  if (r.via) s.via = r.via;
  if (r.src) s.src = r.src;
  if (r.dev) {
    const i = ifindex(r.dev);
    if (i === undefined) throw new Error(`route ${r.dst}: interface ${r.dev} does not exist`);
    s.ifindex = i;
  }
  const t = tableNumber(r.table);
  if (t !== undefined) s.table = t;
  if (r.metric !== null) s.metric = r.metric;
  if (r.scope) s.scope = scopeName(r.scope, `route ${r.dst}`);
  if (!ROUTE_TYPES.has(r.type)) throw new Error(`route ${r.dst}: unknown route type ${r.type}`);
  s.type = r.type as RouteType;
  if (r.tos !== undefined) s.tos = r.tos;
  if (r.onlink) s.onlink = true;
  if (r.metrics) s.metrics = r.metrics as Partial<Record<MetricName, number>>;
  if (r.locked) s.locked = r.locked as RouteSpec['locked'];
  if (r.congctl !== undefined) s.congctl = r.congctl;
  if (r.realms !== undefined) s.realms = r.realms;
  if (r.from !== undefined) { const f = splitPrefix(r.from); s.from = f.addr; if (f.prefix !== undefined) s.fromPrefix = f.prefix; }
  if (r.pref !== undefined) s.pref = r.pref;
  if (r.expires !== undefined) s.expires = r.expires;
  return s;
}

export function ruleSpec(r: CfgRule, fallbackFamily: 4 | 6): RuleSpec {
  if (r.skip !== undefined) throw new Error(`rule ${r.words.join(' ')}: not installed: ${r.skip}`);
  const s: RuleSpec = { family: r.family === null ? fallbackFamily : r.family === 'inet' ? 4 : 6 };
  if (r.from && r.from !== 'all') { const f = splitPrefix(r.from); s.from = f.addr; if (f.prefix !== undefined) s.fromPrefix = f.prefix; }
  if (r.to && r.to !== 'all') { const t = splitPrefix(r.to); s.to = t.addr; if (t.prefix !== undefined) s.toPrefix = t.prefix; }
  const t = tableNumber(r.table);
  if (t !== undefined) s.table = t;
  if (r.priority !== null) s.priority = r.priority;
  if (r.action && ['goto', 'nop', 'blackhole', 'unreachable', 'prohibit'].includes(r.action)) s.action = r.action as RuleSpec['action'];
  else if (r.action !== 'table') throw new Error(`rule ${r.words.join(' ')}: no action (table, goto, nop, l3mdev, blackhole, unreachable, prohibit)`);
  if (r.goto !== undefined) s.goto = r.goto;
  if (r.l3mdev) s.l3mdev = true;
  if (r.not) s.invert = true;
  if (r.tos !== undefined) s.tos = r.tos;
  if (r.uidrange) s.uidRange = r.uidrange;
  if (r.sport) s.sportRange = r.sport;
  if (r.dport) s.dportRange = r.dport;
  if (r.ipproto !== undefined) s.ipProto = r.ipproto;
  if (r.suppressPrefixlength !== undefined) s.suppressPrefixlen = r.suppressPrefixlength;
  if (r.suppressIfgroup !== undefined) s.suppressIfgroup = r.suppressIfgroup;
  if (r.realms !== undefined) s.realms = r.realms;
  // Every selector the line names goes in: dropping one would install a broader rule than the one configured.
  if (r.iif) s.iif = r.iif;
  if (r.oif) s.oif = r.oif;
  if (r.fwmark) {
    const [mark, mask] = r.fwmark.split('/').map((x) => (x === '' ? NaN : Number(x)));
    if (!(mark >= 0 && mark <= 0xffffffff) || (mask !== undefined && !(mask >= 0 && mask <= 0xffffffff))) {
      throw new Error(`rule fwmark ${JSON.stringify(r.fwmark)}: expected MARK[/MASK], numbers up to 0xffffffff`);
    }
    s.fwmark = mark;
    if (mask !== undefined) s.fwmask = mask;
  }
  return s;
}
