// static_ipaddress / static_routes / static_rules: set up at start, never moved; dev defaults to default_interface.
// Each entry may name a track_group (defined before it), whose instances go to FAULT if the entry is lost.
import type { Stmt } from '../tree.ts';
import type { StaticConfig, TrackGroup } from '../model.ts';
import type { Reader } from '../values.ts';
import { flat } from '../tree.ts';
import { parseRoute, parseRule, parseVip } from './address.ts';
import { unknownKeyword } from './common.ts';

export function parseStatic(s: Stmt, r: Reader, into: StaticConfig, groups: readonly TrackGroup[]): void {
  // Parsed and checked (keepalived's -t verdicts), but not applied: say so where the block starts, never silently.
  if ((s.block ?? []).length > 0) {
    r.diags.note(s.kw, s.kw.text, `'${s.kw.text}' is parsed and checked, but vipd does not install static entries yet: set them up outside vipd`);
  }
  for (const e of s.block ?? []) {
    const v = s.kw.text === 'static_ipaddress' ? parseVip(e, r, s.kw.text) : s.kw.text === 'static_routes' ? parseRoute(e, r, s.kw.text) : parseRule(e, r, s.kw.text);
    if (!v) continue;
    if (v.trackGroup !== undefined && !groups.some((g) => g.name === v.trackGroup)) {
      const at = [e.kw, ...e.args].find((t) => t.text === v.trackGroup) ?? e.kw;
      r.diags.error(at, 'track_group', `track_group ${v.trackGroup} not found (a track_group must be defined before the static entry that names it)`, { expected: 'a track_group defined above', found: v.trackGroup });
      delete v.trackGroup;
    }
    if (s.kw.text === 'static_ipaddress') into.addresses.push(v as StaticConfig['addresses'][number]);
    else if (s.kw.text === 'static_routes') into.routes.push(v as StaticConfig['routes'][number]);
    else {
      const rule = v as StaticConfig['rules'][number];
      if (rule.priority === null) r.diags.warn(rule.at, s.kw.text, 'rule has no preference specified; keepalived sets 16384, which is probably not what you want', { expected: 'priority N', found: 'nothing' });
      into.rules.push(rule);
    }
  }
}

/** `track_group NAME { group { VI_1 VI_2 } }`; members are not checked against the instances (as in 2.2.7). */
export function parseTrackGroup(s: Stmt, r: Reader): TrackGroup | null {
  // 2.2.7: "track_group must have a name - skipping", a config error (exit 5), not the exit-2 abort (measured).
  const name = s.args[0];
  if (!name) { r.diags.error(s.kw, s.kw.text, 'track_group must have a name - skipping', { expected: 'track_group NAME {', found: 'nothing' }); return null; }
  const tg: TrackGroup = { at: name, name: name.text, members: [] };
  for (const e of s.block ?? []) {
    if (e.kw.text === 'group') tg.members.push(...flat(e.block).map((t) => t.text));
    else unknownKeyword(e, r, 'track_group');
  }
  return tg;
}
