// virtual_ipaddress / static_ipaddress lines (routes and rules: route-rule.ts, re-exported here).
import type { Stmt } from '../tree.ts';
import type { Token } from '../lexer.ts';
import type { VipSpec } from '../model.ts';
import { type Reader, parseIp } from '../values.ts';

// iproute2's rt_scopes names; keepalived 2.2.7 also takes a number 0..255 (strtoul base 0: 0x.. hex, 0.. octal).
const SCOPE_NUMBERS: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const SCOPE_NAMES = new Map(Object.entries(SCOPE_NUMBERS).map(([k, v]) => [v, k]));
const VIP_FLAGS = new Set(['home', '-nodad', 'mngtmpaddr', 'noprefixroute', 'autojoin']);
/** Options that take a value; 2.2.7 drops the whole address when the value is missing (exit 5, not an abort). */
const VIP_PARAMS = new Set(['dev', 'scope', 'brd', 'broadcast', 'label', 'peer', 'preferred_lft']);
/** IFNAMSIZ - 1: the longest label the kernel keeps. */
const LABEL_MAX = 15;

/**
 * `ADDR[/PREFIX] [brd X] [dev IF] [scope S] [label L] [peer P] [no_track] [preferred_lft N|forever] [flags]`, with
 * keepalived 2.2.7's verdicts (alloc_ipaddress, measured against `keepalived -t`): null when 2.2.7 drops the address.
 */
export function parseVip(s: Stmt, r: Reader, kw: string): VipSpec | null {
  const words = [s.kw, ...s.args];
  const first = words[0];
  const isStatic = kw.startsWith('static_');
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
    // read_unsigned, base 10: a leading '+' is fine, and an empty length reads as 0.
    const p = first.text.slice(slash + 1);
    if (!/^\+?\d*$/.test(p) || Number(p) > max) {
      r.diags.error(first, kw, `invalid prefix length '${p}' for ${addrText}; using /${max}`, { expected: `0..${max}`, found: p });
    } else {
      prefix = Number(p.replace('+', '') || '0');
      if (p === '') r.diags.add({ ...at(first), severity: 'warning', status: null, keyword: kw, message: `'${first.text}' has an empty prefix length, which keepalived 2.2.7 reads as /0; write the length or drop the '/'`, expected: 'ADDR/LEN or ADDR', found: first.text });
    }
  }
  const vip: VipSpec = {
    at: first, family: a.family, addr: a.addr, prefix, brd: null, dev: null, scope: null, label: null,
    peer: null, noTrack: false, preferredLft: null, flags: [],
  };
  let brdSign: '+' | '-' | null = null;
  let haveBroadcast = false;
  let scopeNumber = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if ((VIP_PARAMS.has(w.text) || (isStatic && w.text === 'track_group')) && i + 1 >= words.length) {
      r.diags.error(w, kw, `no ${w.text} parameter specified for ${first.text}; the address is ignored`, { expected: `${w.text} VALUE`, found: undefined });
      return null;
    }
    switch (w.text) {
      case 'brd': case 'broadcast': {
        const v = words[++i];
        if (a.family === 'inet6') {
          r.diags.error(w, kw, `a broadcast address cannot be given for the IPv6 address ${first.text}; the address is ignored`, { expected: 'no brd for an IPv6 address', found: `${w.text} ${v.text}` });
          return null;
        }
        haveBroadcast = true;
        if (v.text === '+' || v.text === '-') brdSign = v.text;
        else if (parseIp(v.text)?.family === 'inet') vip.brd = v.text;
        else {
          r.diags.error(v, kw, `invalid broadcast address '${v.text}'; the address is ignored`, { expected: "'+', '-' or an IPv4 address", found: v.text });
          return null;
        }
        break;
      }
      case 'dev': {
        const v = words[++i];
        if (vip.dev !== null) {
          r.diags.error(w, kw, `the device can be given only once for ${first.text}; the address is ignored`, { expected: 'one dev', found: v.text });
          return null;
        }
        vip.dev = v.text;
        break;
      }
      case 'scope': {
        const v = words[++i];
        const n = scopeNumberOf(v.text);
        if (n === null) r.diags.error(v, kw, `invalid scope '${v.text}' for ${first.text}; ignored`, { expected: `${Object.keys(SCOPE_NUMBERS).join('|')} or 0..255`, found: v.text });
        else {
          scopeNumber = n;
          vip.scope = (SCOPE_NAMES.get(n) ?? String(n)) as VipSpec['scope'];
        }
        break;
      }
      case 'label': {
        const v = words[++i];
        if (v.text.length > LABEL_MAX) {
          r.diags.error(v, kw, `address label ${v.text} is longer than ${LABEL_MAX} characters; the address is ignored`, { expected: `at most ${LABEL_MAX} characters`, found: v.text });
          return null;
        }
        vip.label = v.text;
        break;
      }
      case 'peer': {
        const v = words[++i];
        if (vip.peer !== null) {
          r.diags.error(v, kw, `peer ${v.text}: a peer is already given for ${first.text}; ignored`, { expected: 'one peer per address', found: v.text });
          break;
        }
        // The peer takes no prefix length (2.2.7 parses it as a plain address).
        const p = v.text.includes('/') ? null : parseIp(v.text);
        if (!p) r.diags.error(v, kw, `invalid peer address '${v.text}'; ignored`, { expected: `an ${a.family === 'inet' ? 'IPv4' : 'IPv6'} address without a prefix length`, found: v.text });
        else if (p.family !== a.family) r.diags.error(v, kw, `peer address ${v.text} is not of the address's family; ignored`, { expected: `an ${a.family === 'inet' ? 'IPv4' : 'IPv6'} address`, found: v.text });
        else {
          if (vip.prefix !== max) {
            r.diags.error(first, kw, `a prefix length cannot be given together with a peer address; using /${max}`, { expected: `${addrText} peer ${v.text}`, found: first.text });
            vip.prefix = max;
          }
          vip.peer = v.text;
        }
        break;
      }
      case 'no_track': vip.noTrack = true; break;
      case 'track_group': {
        if (!isStatic) { unknownOption(r, w, kw); break; }
        const v = words[++i];
        if (vip.trackGroup !== undefined) {
          // 2.2.7 stops reading the line here.
          r.diags.error(v, kw, `track_group ${v.text} is a duplicate; the rest of the line is ignored`, { expected: 'one track_group per address', found: v.text });
          i = words.length;
          break;
        }
        vip.trackGroup = v.text;
        break;
      }
      case 'preferred_lft': {
        const v = words[++i];
        if (v.text === 'forever') vip.preferredLft = 'forever';
        else {
          const n = r.int(v, 'preferred_lft', 0, 4294967295);
          if (n !== null) vip.preferredLft = n;
        }
        break;
      }
      case 'use_vmac':
        if (isStatic) unknownOption(r, w, kw);
        else vip.flags.push(w.text);
        break;
      default:
        if (VIP_FLAGS.has(w.text)) vip.flags.push(w.text);
        else unknownOption(r, w, kw);
    }
  }
  if (haveBroadcast && vip.peer !== null) {
    r.diags.error(first, kw, "'brd' cannot be used together with 'peer'; the broadcast address is ignored", { expected: 'either brd or peer', found: `brd with peer ${vip.peer}` });
    vip.brd = null;
  } else if (brdSign !== null) {
    if (vip.prefix <= 30) vip.brd = brdSign;
    else {
      r.diags.error(first, kw, `prefix length ${vip.prefix} is too long for 'brd ${brdSign}' (at most 30); the broadcast address is ignored`, { expected: '/0../30 with brd + or brd -', found: first.text });
      vip.brd = null;
    }
  }
  if (a.family === 'inet6') {
    if (scopeNumber !== 0) {
      r.diags.error(first, kw, `a scope cannot be given for the IPv6 address ${first.text}; ignored`, { expected: 'no scope for an IPv6 address', found: vip.scope ?? String(scopeNumber) });
      vip.scope = null;
    }
    if (vip.label !== null) {
      r.diags.error(first, kw, `a label cannot be given for the IPv6 address ${first.text}; ignored`, { expected: 'no label for an IPv6 address', found: vip.label });
      vip.label = null;
    }
  }
  return vip;
}

/** find_rttables_scope: a known name, or a number 0..255 as strtoul (base 0) reads it; null when invalid. */
function scopeNumberOf(text: string): number | null {
  if (Object.hasOwn(SCOPE_NUMBERS, text)) return SCOPE_NUMBERS[text];
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9]\d*))$/.exec(text);
  if (!m) return null;
  const n = m[2] !== undefined ? parseInt(m[2], 16) : m[3] !== undefined ? parseInt(m[3], 8) : Number(m[4]);
  // strtoul negates after reading: only -0 stays in range.
  if (m[1] === '-' && n !== 0) return null;
  return n <= 255 ? n : null;
}

function at(t: Token): { file: string; line: number; col: number } {
  return { file: t.file, line: t.line, col: t.col };
}

function unknownOption(r: Reader, w: Token, kw: string): void {
  const statics = kw.startsWith('static_') ? ', track_group' : '';
  r.diags.error(w, kw, `unknown option '${w.text}' for an address; ignored`, { expected: `brd, dev, scope, label, peer, no_track, preferred_lft, home, -nodad, mngtmpaddr, noprefixroute, autojoin${statics}`, found: w.text });
}

/** `track_group NAME` in a static entry: a missing name is a config error in 2.2.7, not an abort. */
export function trackGroupName(r: Reader, words: readonly Token[], i: number, kw: string, entry: string): Token | null {
  const v = words[i + 1];
  if (!v) r.diags.error(words[i], kw, `no track_group name given for ${entry}`, { expected: 'track_group NAME', found: 'nothing' });
  return v ?? null;
}

// Routes and rules: host/config/sections/route-rule.ts.
export { parseRoute, parseRule } from './route-rule.ts';
