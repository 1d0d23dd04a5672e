// What an instance's trackers add up to, exactly as keepalived's vrrp_track.c computes it. Pure: the trackers'
// current states in, {delta, fault} out; the core clamps base + delta to 1..254 and leaves an owner (255) alone.
//
// Rules (keepalived initialise_*_tracking_priorities and the process_*_update functions):
//   weight 0   the tracker failing puts the instance in FAULT; `reverse` makes success the failure.
//   weight w   m = reverse ? -1 : 1. OK: +w·m when w > 0. Failed: +w·m when w < 0. (So a positive weight is
//              added while OK, a negative one subtracted while failed; reverse flips the sign of the adjustment.)
//   track_file weight 0: a non-zero value is a failure (reverse: zero is). Otherwise value·w·m, clamped to
//              -254..253; -254 means FAULT, anything else is added.
//   a vrrp_script that has not reported yet adds nothing; with weight 0 it holds the instance back (`pending`,
//   keepalived keeps it in INIT until the first result).
import type { SyncGroup, TrackFile, TrackProcess, TrackRef, VrrpInstance, VrrpScript } from '../config/model.ts';

export type TrackerKind = 'interface' | 'script' | 'file' | 'process';
export type ScriptStatus = 'init' | 'up' | 'down';

/** One tracker as one instance sees it: the instance-level weight already applied over the tracker's default. */
export interface TrackEntry {
  kind: TrackerKind;
  name: string;
  weight: number;
  reverse: boolean;
}

/** The trackers' current states, by name. A name that is missing counts as failed (interface down, no quorum,
 * file value 0) except for scripts, which count as not reported yet. */
export interface TrackStates {
  interfaces: ReadonlyMap<string, boolean>;
  scripts: ReadonlyMap<string, ScriptStatus>;
  files: ReadonlyMap<string, number>;
  processes: ReadonlyMap<string, boolean>;
}

export interface PriorityVerdict {
  /** Sum of the weighted adjustments (before the core's clamp). */
  delta: number;
  /** A weight-0 tracker is failing, or a track_file reached -254. */
  fault: boolean;
  /** A weight-0 vrrp_script has not reported yet: keepalived does not start the instance until it has. */
  pending: boolean;
  /** "kind:name" of every tracker that causes the fault, for logs. */
  faultBy: string[];
}

/** Clamp of a track_file value as read (keepalived clamps to ±254 before weighting). */
export function clampFileValue(v: number): number {
  return Math.max(-254, Math.min(254, Math.trunc(v)));
}

/** The status a track_file contributes for one instance: -254 = FAULT, else an adjustment. */
export function fileStatus(value: number, weight: number, reverse: boolean): number {
  const v = clampFileValue(value);
  if (weight === 0) return (v !== 0) === !reverse ? -254 : 0;
  return Math.max(-254, Math.min(253, v * weight * (reverse ? -1 : 1)));
}

/** Adjustment of a boolean tracker (script, interface, process) with a non-zero weight. */
export function boolAdjust(ok: boolean, weight: number, reverse: boolean): number {
  const m = reverse ? -1 : 1;
  if (ok) return weight > 0 ? weight * m : 0;
  return weight < 0 ? weight * m : 0;
}

export function computePriority(entries: readonly TrackEntry[], s: TrackStates): PriorityVerdict {
  let delta = 0;
  let pending = false;
  const faultBy: string[] = [];
  for (const e of entries) {
    if (e.kind === 'file') {
      const st = fileStatus(s.files.get(e.name) ?? 0, e.weight, e.reverse);
      if (st <= -254) faultBy.push(`file:${e.name}`);
      else delta += st;
      continue;
    }
    let ok: boolean;
    if (e.kind === 'script') {
      const st = s.scripts.get(e.name) ?? 'init';
      if (st === 'init') {
        if (e.weight === 0) pending = true;
        continue;
      }
      ok = st === 'up';
    } else if (e.kind === 'interface') {
      ok = s.interfaces.get(e.name) ?? false;
    } else {
      ok = s.processes.get(e.name) ?? false;
    }
    if (e.weight === 0) {
      if (ok === e.reverse) faultBy.push(`${e.kind}:${e.name}`);
    } else {
      delta += boolAdjust(ok, e.weight, e.reverse);
    }
  }
  return { delta, fault: faultBy.length > 0, pending, faultBy };
}

/** The tracked objects' own definitions, for default weights. */
export interface TrackDefinitions {
  scripts: readonly Pick<VrrpScript, 'name' | 'weight' | 'weightReverse'>[];
  files: readonly Pick<TrackFile, 'name' | 'weight' | 'reverse'>[];
  processes: readonly Pick<TrackProcess, 'name' | 'weight' | 'reverse'>[];
}

export interface ResolvedTracking {
  entries: TrackEntry[];
  /** Config warnings keepalived reports while finalising (weights dropped for sync groups and owners). */
  warnings: string[];
}

type InstanceTracks = Pick<VrrpInstance, 'name' | 'priority' | 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses'>;
type GroupTracks = Pick<SyncGroup, 'name' | 'trackInterfaces' | 'trackScripts' | 'trackFiles' | 'trackProcesses' | 'trackingWeight'>;

/**
 * The effective track list of one instance: its own trackers plus its sync group's (group trackers apply to every
 * member; an instance-level entry for the same tracker wins), weights resolved (instance weight overrides the
 * tracker's default), then keepalived's restrictions: in a sync group without sync_group_tracking_weight, and on a
 * priority-255 owner, weights are not allowed - weighted scripts and processes are removed, a weighted interface
 * becomes unweighted (removed on an owner), a track_file with the default weight 1 becomes 0 and any other weight
 * is removed.
 */
export function resolveTracking(inst: InstanceTracks, group: GroupTracks | null, defs: TrackDefinitions): ResolvedTracking {
  const warnings: string[] = [];
  const entries: TrackEntry[] = [];
  const seen = new Set<string>();
  const add = (e: TrackEntry) => {
    const key = `${e.kind}:${e.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    entries.push(e);
  };
  const ref = (kind: 'script' | 'file' | 'process', r: TrackRef) => {
    const def = kind === 'script'
      ? defs.scripts.find((d) => d.name === r.name)
      : (kind === 'file' ? defs.files : defs.processes).find((d) => d.name === r.name);
    if (!def) {
      warnings.push(`(${inst.name}) track ${kind} ${r.name} not found, ignoring...`);
      return;
    }
    const defWeight = def.weight;
    const defReverse = 'weightReverse' in def ? def.weightReverse : def.reverse;
    add({ kind, name: r.name, weight: r.weight ?? defWeight, reverse: r.weight === null ? defReverse : r.reverse });
  };
  for (const src of group ? [inst, group] : [inst]) {
    for (const t of src.trackInterfaces) add({ kind: 'interface', name: t.name, weight: t.weight, reverse: t.reverse });
    for (const r of src.trackScripts) ref('script', r);
    for (const r of src.trackFiles) ref('file', r);
    for (const r of src.trackProcesses) ref('process', r);
  }
  const owner = inst.priority === 255;
  const restricted = owner || (group !== null && !group.trackingWeight);
  if (!restricted) return { entries, warnings };
  const why = owner ? 'address owner' : `sync group ${group!.name}`;
  const kept: TrackEntry[] = [];
  for (const e of entries) {
    if (e.weight === 0) { kept.push(e); continue; }
    if (e.kind === 'interface') {
      if (owner) warnings.push(`(${inst.name}) ignoring tracked interface ${e.name} due to ${why}`);
      else { warnings.push(`(${inst.name}) ${e.name} weight ${e.weight} ignored (${why}) - tracking as unweighted`); kept.push({ ...e, weight: 0 }); }
    } else if (e.kind === 'file' && e.weight === 1) {
      warnings.push(`(${inst.name}) track file ${e.name} weight 1 ignored (${why}) - tracking as unweighted`);
      kept.push({ ...e, weight: 0 });
    } else {
      warnings.push(`(${inst.name}) ignoring weighted track ${e.kind} ${e.name} due to ${why}`);
    }
  }
  return { entries: kept, warnings };
}
