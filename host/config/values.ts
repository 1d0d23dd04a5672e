// Readers for keyword arguments with keepalived's ranges; each failure becomes a diagnostic at the token.
import { isIPv4, isIPv6 } from 'node:net';
import type { Diagnostics, Position } from './diagnostics.ts';
import type { Token } from './lexer.ts';
import type { Stmt } from './tree.ts';
import type { Family } from './model.ts';

export const TIMER_HZ = 1_000_000;

export class Reader {
  constructor(readonly diags: Diagnostics) {}

  /** The n-th argument (1-based like keepalived's strvec); a missing one is keepalived's abort (exit 2). */
  arg(s: Stmt, n = 1, what = 'a value'): Token | null {
    const t = s.args[n - 1];
    if (t) return t;
    this.diags.error(endOf(s), s.kw.text, `missing parameter after '${s.kw.text}'`, { expected: what, found: 'nothing', status: 'abort' });
    return null;
  }

  int(t: Token, kw: string, min: number, max: number): number | null {
    return this.numberIn(t, kw, min, max, /^[-+]?\d+$/, 'an integer');
  }

  /** keepalived's unsigned reader: a leading '-' is refused ("negative number") before the range check. */
  uint(t: Token, kw: string, min: number, max: number): number | null {
    if (t.text.startsWith('-')) {
      this.diags.error(t, kw, `negative number '${t.text}'`, { expected: `an unsigned integer in [${min}, ${max}]`, found: t.text });
      return null;
    }
    return this.int(t, kw, min, max);
  }

  decimal(t: Token, kw: string, min: number, max: number): number | null {
    return this.numberIn(t, kw, min, max, /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'a decimal number');
  }

  /** A number of the given form within [min, max], or null with the diagnostic. */
  private numberIn(t: Token, kw: string, min: number, max: number, form: RegExp, what: string): number | null {
    if (!form.test(t.text)) {
      this.diags.error(t, kw, `invalid number '${t.text}'`, { expected: `${what} in [${min}, ${max}]`, found: t.text });
      return null;
    }
    const v = Number(t.text);
    if (v < min || v > max) {
      this.diags.error(t, kw, `number '${t.text}' outside range [${min}, ${max}]`, { expected: `[${min}, ${max}]`, found: t.text });
      return null;
    }
    return v;
  }

  /** Seconds with µs resolution, returned in µs. */
  timerUs(t: Token, kw: string, minS: number, maxS: number): number | null {
    const v = this.decimal(t, kw, minS, maxS);
    return v === null ? null : Math.round(v * TIMER_HZ);
  }

  /** Optional BOOL after a flag keyword: none → true; on/off, true/false, yes/no. */
  flag(s: Stmt, strictBool = true): boolean {
    const t = s.args[0];
    if (!t) return true;
    const b = parseBool(t.text);
    if (b === null) {
      if (strictBool) this.diags.error(t, s.kw.text, `invalid boolean '${t.text}'`, { expected: 'on/off, true/false or yes/no', found: t.text });
      return true;
    }
    return b;
  }

  ip(t: Token, kw: string, what = 'an IPv4 or IPv6 address'): { family: Family; addr: string } | null {
    const a = parseIp(t.text);
    if (!a) this.diags.error(t, kw, `invalid IP address '${t.text}'`, { expected: what, found: t.text });
    return a;
  }
}

export function parseBool(s: string): boolean | null {
  const l = s.toLowerCase();
  if (l === 'on' || l === 'true' || l === 'yes') return true;
  if (l === 'off' || l === 'false' || l === 'no') return false;
  return null;
}

export function parseIp(s: string): { family: Family; addr: string } | null {
  if (isIPv4(s)) return { family: 'inet', addr: s };
  const bare = s.includes('%') ? s.slice(0, s.indexOf('%')) : s;
  if (isIPv6(bare)) return { family: 'inet6', addr: bare.toLowerCase() };
  return null;
}

export function endOf(s: Stmt): Position {
  const last = s.args[s.args.length - 1] ?? s.kw;
  return { file: last.file, line: last.line, col: last.col + last.text.length };
}
