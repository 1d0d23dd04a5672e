// virtual_ipaddress / static_ipaddress lines, and virtual_routes / virtual_rules in `ip route` / `ip rule` words.
import type { Stmt } from '../tree.ts';
import type { Token } from '../lexer.ts';
import type { Family, RouteSpec, RuleSpec, VipSpec } from '../model.ts';
import { type Reader, parseIp } from '../values.ts';

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere']);
const VIP_FLAGS = new Set(['home', '-nodad', 'nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'use_vmac']);

/** `ADDR[/PREFIX] [brd X] [dev IF] [scope S] [label L] [peer P] [no_track] [preferred_lft N|forever] [flags]`. */
export function parseVip(s: Stmt, r: Reader, kw: string): VipSpec | null {
  const words = [s.kw, ...s.args];
  const first = words[0];
  const slash = first.text.indexOf('/');
  const addrText = slash >= 0 ? first.text.slice(0, slash) : first.text;
  const a = parseIp(addrText);
  if (!a) {
    r.diags.error(first, kw, `invalid address '${first.text}'`, { expected: 'ADDR[/PREFIX]', found: first.text });
    return null;
  }
  const max = a.family === 'inet' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = first.text.slice(slash + 1);
    if (!/^\d+$/.test(p) || Number(p) > max) {
      r.diags.error(first, kw, `invalid prefix length '${p}' for ${addrText}; using /${max}`, { expected: `0..${max}`, found: p });
    } else prefix = Number(p);
  }
  const vip: VipSpec = {
    at: first, family: a.family, addr: a.addr, prefix, brd: null, dev: null, scope: null, label: null,
    peer: null, noTrack: false, preferredLft: null, flags: [],
  };
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const next = (): Token | null => {
      const t = words[i + 1];
      if (!t) r.diags.error(w, kw, `'${w.text}' needs a value`, { expected: 'a value', found: undefined, status: 'abort' });
      else i++;
      return t ?? null;
    };
    switch (w.text) {
      case 'brd': case 'broadcast': {
        const v = next();
        if (!v) break;
        if (v.text === '+' || v.text === '-') vip.brd = v.text;
        else if (parseIp(v.text)?.family === a.family) vip.brd = v.text;
        else r.diags.error(v, kw, `invalid broadcast address '${v.text}'`, { expected: "'+', '-' or an address", found: v.text });
        break;
      }
      case 'dev': { const v = next(); if (v) vip.dev = v.text; break; }
      case 'scope': {
        const v = next();
        if (!v) break;
        if (SCOPES.has(v.text) || /^\d+$/.test(v.text)) vip.scope = v.text as VipSpec['scope'];
        else r.diags.error(v, kw, `invalid scope '${v.text}'`, { expected: [...SCOPES].join('|'), found: v.text });
        break;
      }
      case 'label': { const v = next(); if (v) vip.label = v.text; break; }
      case 'peer': {
        const v = next();
        if (!v) break;
        const p = parseIp(v.text.split('/')[0]);
        if (p && p.family === a.family) vip.peer = v.text;
        else r.diags.error(v, kw, `invalid peer address '${v.text}'`, { expected: `an ${a.family === 'inet' ? 'IPv4' : 'IPv6'} address`, found: v.text });
        break;
      }
      case 'no_track': vip.noTrack = true; break;
      case 'preferred_lft': {
        const v = next();
        if (!v) break;
        if (v.text === 'forever') vip.preferredLft = 'forever';
        else {
          const n = r.int(v, 'preferred_lft', 0, 4294967295);
          if (n !== null) vip.preferredLft = n;
        }
        break;
      }
      default:
        if (VIP_FLAGS.has(w.text)) vip.flags.push(w.text === 'nodad' ? '-nodad' : w.text);
        else r.diags.error(w, kw, `unknown option '${w.text}' for an address; ignored`, { expected: 'brd, dev, scope, label, peer, no_track, preferred_lft, home, -nodad, mngtmpaddr, noprefixroute, autojoin', found: w.text });
    }
  }
  if (vip.brd !== null && vip.peer !== null) r.diags.error(first, kw, "'brd' cannot be used together with 'peer'");
  return vip;
}

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat']);
const ROUTE_VALUE_OPTS = new Set([
  'table', 'metric', 'priority', 'preference', 'scope', 'protocol', 'proto', 'mtu', 'advmss', 'realm', 'realms',
  'expires', 'tos', 'dsfield', 'initcwnd', 'initrwnd', 'features', 'quickack', 'congctl', 'rto_min', 'ttl-propagate',
  'pref', 'window', 'rtt', 'rttvar', 'reordering', 'hoplimit', 'ssthresh', 'cwnd', 'fastopen_no_cookie', 'weight',
  'oif', 'encap', 'nexthop', 'lock',
]);
const ROUTE_FLAGS = new Set(['onlink', 'no_track', 'pervasive']);

/** An `ip route`-style line; `or` and `gw` are keepalived's deprecated spellings of `nexthop` and `via`. */
export function parseRoute(s: Stmt, r: Reader, kw: string): RouteSpec | null {
  const words = [s.kw, ...s.args];
  const spec: RouteSpec = {
    at: s.kw, family: 'inet', type: 'unicast', dst: '', src: null, via: null, dev: null, table: null, metric: null,
    scope: null, noTrack: false, words: words.map((w) => w.text),
  };
  let haveDst = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const next = (): Token | null => {
      const t = words[i + 1];
      if (!t) r.diags.error(w, kw, `'${w.text}' needs a value`, { expected: 'a value', status: 'abort' });
      else i++;
      return t ?? null;
    };
    const t = w.text;
    if (t === 'src') {
      const v = next();
      if (v) { if (parseIp(v.text)) spec.src = v.text; else r.diags.error(v, kw, `invalid route source '${v.text}'`, { expected: 'an address', found: v.text }); }
    } else if (t === 'via' || t === 'gw') {
      if (t === 'gw') r.diags.warn(w, kw, '"gw" for routes is deprecated; use "via"');
      let v = next();
      if (v && (v.text === 'inet' || v.text === 'inet6')) v = next();
      if (v) { if (parseIp(v.text)) spec.via = v.text; else r.diags.error(v, kw, `invalid gateway '${v.text}'`, { expected: 'an address', found: v.text }); }
    } else if (t === 'or') {
      r.diags.warn(w, kw, '"or" for routes is deprecated; use "nexthop"');
      const v = next();
      if (v && !parseIp(v.text)) r.diags.error(v, kw, `invalid gateway '${v.text}'`, { expected: 'an address', found: v.text });
    } else if (t === 'dev') {
      const v = next(); if (v) spec.dev = v.text;
    } else if (t === 'table') {
      const v = next(); if (v) spec.table = v.text;
    } else if (t === 'metric' || t === 'priority' || t === 'preference') {
      const v = next(); if (v) spec.metric = r.int(v, t, 0, 4294967295);
    } else if (t === 'scope') {
      const v = next(); if (v) spec.scope = v.text;
    } else if (ROUTE_FLAGS.has(t)) {
      if (t === 'no_track') spec.noTrack = true;
    } else if (ROUTE_VALUE_OPTS.has(t)) {
      next();
    } else if (!haveDst && ROUTE_TYPES.has(t)) {
      spec.type = t;
    } else if (!haveDst && (t === 'to')) {
      // optional keyword before the destination
    } else if (!haveDst) {
      const d = t === 'default' ? { family: 'inet' as Family, addr: '0.0.0.0' } : parseIp(t.split('/')[0]);
      const plen = t.includes('/') ? t.slice(t.indexOf('/') + 1) : null;
      if (!d || (plen !== null && (!/^\d+$/.test(plen) || Number(plen) > (d.family === 'inet' ? 32 : 128)))) {
        r.diags.error(w, kw, `invalid route destination '${t}'`, { expected: 'PREFIX or default', found: t });
        return null;
      }
      spec.dst = t === 'default' ? '0.0.0.0/0' : t;
      spec.family = d.family;
      haveDst = true;
    } else {
      r.diags.error(w, kw, `unknown route option '${t}'`, { expected: 'an ip route option (via, dev, src, table, metric, scope, ...)', found: t });
    }
  }
  if (!haveDst) {
    r.diags.error(s.kw, kw, 'route has no destination', { expected: 'PREFIX or default' });
    return null;
  }
  return spec;
}

const RULE_VALUE = new Set(['tos', 'dsfield', 'realms', 'goto', 'suppress_prefixlength', 'suppress_ifgroup', 'uidrange', 'sport', 'dport', 'ipproto', 'protocol', 'tun_id']);
const RULE_FLAGS = new Set(['not', 'l3mdev', 'no_track', 'blackhole', 'unreachable', 'prohibit', 'nop', 'inet', 'inet6']);

export function parseRule(s: Stmt, r: Reader, kw: string): RuleSpec | null {
  const words = [s.kw, ...s.args];
  const spec: RuleSpec = {
    at: s.kw, family: null, from: null, to: null, table: null, priority: null, iif: null, oif: null, fwmark: null,
    action: null, noTrack: false, words: words.map((w) => w.text),
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const t = w.text;
    const next = (): Token | null => {
      const v = words[i + 1];
      if (!v) r.diags.error(w, kw, `'${t}' needs a value`, { expected: 'a value', status: 'abort' });
      else i++;
      return v ?? null;
    };
    if (t === 'from' || t === 'to') {
      const v = next();
      if (!v) continue;
      const a = v.text === 'all' ? { family: spec.family ?? 'inet' } : parseIp(v.text.split('/')[0]);
      const plen = v.text.includes('/') ? v.text.slice(v.text.indexOf('/') + 1) : null;
      if (!a || (plen !== null && (!/^\d+$/.test(plen) || Number(plen) > (a.family === 'inet' ? 32 : 128)))) {
        r.diags.error(v, kw, `invalid rule ${t} address '${v.text}'`, { expected: 'an address or prefix', found: v.text });
        return null;
      }
      if (spec.family && a.family !== spec.family) {
        r.diags.error(v, kw, `rule mixes address families at '${v.text}'`, { found: v.text });
        return null;
      }
      spec.family = a.family as Family;
      if (t === 'from') spec.from = v.text; else spec.to = v.text;
    } else if (t === 'table' || t === 'lookup') {
      const v = next(); if (v) { spec.table = v.text; spec.action = 'table'; }
    } else if (t === 'priority' || t === 'preference' || t === 'pref' || t === 'prio') {
      const v = next(); if (v) spec.priority = r.int(v, t, 0, 4294967295);
    } else if (t === 'iif' || t === 'dev') {
      const v = next(); if (v) spec.iif = v.text;
    } else if (t === 'oif') {
      const v = next(); if (v) spec.oif = v.text;
    } else if (t === 'fwmark') {
      const v = next(); if (v) spec.fwmark = v.text;
    } else if (RULE_VALUE.has(t)) {
      next();
    } else if (RULE_FLAGS.has(t)) {
      if (t === 'no_track') spec.noTrack = true;
      else if (t === 'inet' || t === 'inet6') spec.family = t;
      else if (t !== 'not' && t !== 'l3mdev') spec.action = t;
    } else {
      r.diags.error(w, kw, `unknown rule option '${t}'`, { expected: 'an ip rule option (from, to, table, priority, iif, oif, fwmark, ...)', found: t });
    }
  }
  return spec;
}
