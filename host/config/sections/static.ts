// static_ipaddress / static_routes / static_rules: set up at start, never moved; dev defaults to default_interface.
import type { Stmt } from '../tree.ts';
import type { StaticConfig } from '../model.ts';
import type { Reader } from '../values.ts';
import { parseRoute, parseRule, parseVip } from './address.ts';

export function parseStatic(s: Stmt, r: Reader, into: StaticConfig): void {
  for (const e of s.block ?? []) {
    if (s.kw.text === 'static_ipaddress') { const v = parseVip(e, r, s.kw.text); if (v) into.addresses.push(v); }
    else if (s.kw.text === 'static_routes') { const v = parseRoute(e, r, s.kw.text); if (v) into.routes.push(v); }
    else { const v = parseRule(e, r, s.kw.text); if (v) into.rules.push(v); }
  }
}
