// virtual_ipaddress / static_ipaddress lines (routes and rules: route-rule.ts, re-exported here).
import type { Stmt } from '../tree.ts';
import type { Token } from '../lexer.ts';
import type { VipSpec } from '../model.ts';
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
      case 'track_group': {
        if (!kw.startsWith('static_')) { unknownOption(r, w, kw); break; }
        const v = trackGroupName(r, words, i, kw, first.text);
        if (v) { vip.trackGroup = v.text; i++; }
        break;
      }
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
        else unknownOption(r, w, kw);
    }
  }
  if (vip.brd !== null && vip.peer !== null) r.diags.error(first, kw, "'brd' cannot be used together with 'peer'");
  return vip;
}

function unknownOption(r: Reader, w: Token, kw: string): void {
  const statics = kw.startsWith('static_') ? ', track_group' : '';
  r.diags.error(w, kw, `unknown option '${w.text}' for an address; ignored`, { expected: `brd, dev, scope, label, peer, no_track, preferred_lft, home, -nodad, mngtmpaddr, noprefixroute, autojoin${statics}`, found: w.text });
}

/** `track_group NAME` in a static entry: a missing name is a config error in 2.2.7, not an abort. */
export function trackGroupName(r: Reader, words: readonly Token[], i: number, kw: string, entry: string): Token | null {
  const v = words[i + 1];
  if (!v) r.diags.error(words[i], kw, `no track_group name given for ${entry}`, { expected: 'track_group NAME' });
  return v ?? null;
}

// Routes and rules: host/config/sections/route-rule.ts.
export { parseRoute, parseRule } from './route-rule.ts';
