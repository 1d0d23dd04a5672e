// What a finished run means: for each disruptive event, who took over and how long it took compared with the
// RFC's timers, and who is master at the end. Computed from the timeline alone (plus the scenario).
import type { ResolvedScenario, SimEvent } from './scenario.ts';
import { mastersBeforeEntry, type TimelineEntry } from './timeline.ts';
import { effectiveIntervalUs, masterDownUs, skewUs } from './timing.ts';

export interface Outcome {
  /** The event, as the timeline recorded it; null for the initial election. */
  event: SimEvent | null;
  /** The node a *-master event resolved to, or the node an event names. */
  node: number | null;
  atUs: number;
  vrid: number;
  mastersBefore: number[];
  /** The first node not master before the event that became master after it (before the next event). */
  takeover: { node: number; atUs: number; afterUs: number; reason: string } | null;
  /** The RFC timer the takeover should match: Master_Down_Interval after a silent loss, Skew_Time after a resign. */
  expected: { timer: 'Master_Down_Interval' | 'Skew_Time'; us: number } | null;
  /** When exactly one master remained for good (until the next event or the end); null if that never happened. */
  settledAtUs: number | null;
  mastersAfter: number[];
}

export interface Summary {
  seed: number;
  durationUs: number;
  outcomes: Outcome[];
  /** Masters per VRID at the end. */
  masters: Record<number, number[]>;
}

/** Events that can move mastership; 'impair' and the initial starts are not measured on their own. */
function measured(e: SimEvent): boolean {
  return e.kind !== 'impair' && !(e.kind === 'start' && e.atUs === 0);
}

export function summarise(s: ResolvedScenario, tl: readonly TimelineEntry[], endUs: number): Summary {
  const marks: { index: number; entry: Extract<TimelineEntry, { kind: 'event' }> | null }[] = [{ index: 0, entry: null }];
  tl.forEach((e, k) => { if (e.kind === 'event' && measured(e.event)) marks.push({ index: k, entry: e }); });
  const outcomes: Outcome[] = [];
  for (let m = 0; m < marks.length; m++) {
    const from = marks[m].index;
    const to = m + 1 < marks.length ? marks[m + 1].index : tl.length;
    const windowEnd = m + 1 < marks.length ? tl[to].t : endUs;
    for (const vrid of s.vrids) outcomes.push(outcome(s, tl, vrid, from, to, windowEnd, marks[m].entry));
  }
  const masters: Record<number, number[]> = {};
  for (const vrid of s.vrids) masters[vrid] = mastersBeforeEntry(tl, vrid, tl.length);
  return { seed: s.seed, durationUs: endUs, outcomes, masters };
}

function outcome(s: ResolvedScenario, tl: readonly TimelineEntry[], vrid: number, from: number, to: number,
  windowEnd: number, mark: Extract<TimelineEntry, { kind: 'event' }> | null): Outcome {
  const atUs = mark ? mark.t : 0;
  const before = mark ? mastersBeforeEntry(tl, vrid, from) : [];
  const current = new Set(before);
  let takeover: Outcome['takeover'] = null;
  let settledAtUs: number | null = current.size === 1 ? atUs : null;
  for (let k = from; k < to; k++) {
    const e = tl[k];
    if (e.kind !== 'state' || e.vrid !== vrid) continue;
    if (e.to === 'MASTER') {
      current.add(e.node);
      if (!takeover && !before.includes(e.node)) takeover = { node: e.node, atUs: e.t, afterUs: e.t - atUs, reason: e.reason };
    } else current.delete(e.node);
    settledAtUs = current.size === 1 ? (settledAtUs ?? e.t) : null;
  }
  return {
    event: mark?.event ?? null, node: mark?.node ?? null, atUs, vrid, mastersBefore: before, takeover,
    expected: takeover ? expectedTimer(s, tl, vrid, takeover.node, before[0], takeover.reason, to) : null,
    settledAtUs: settledAtUs !== null && settledAtUs <= windowEnd ? settledAtUs : null,
    mastersAfter: [...current].sort((a, b) => a - b),
  };
}

/** Effective priority of `node` for `vrid` as of entry `upTo` (base plus tracker changes the core reported). */
function priorityAt(s: ResolvedScenario, tl: readonly TimelineEntry[], vrid: number, node: number, upTo: number): number {
  let p = s.nodes[node].priorities[s.vrids.indexOf(vrid)];
  for (let k = 0; k < upTo; k++) {
    const e = tl[k];
    if (e.kind === 'priority' && e.vrid === vrid && e.node === node) p = e.to;
  }
  return p;
}

function expectedTimer(s: ResolvedScenario, tl: readonly TimelineEntry[], vrid: number, node: number,
  oldMaster: number | undefined, reason: string, upTo: number): Outcome['expected'] {
  const p = priorityAt(s, tl, vrid, node, upTo);
  const skewP = s.nodes[node].priorities[s.vrids.indexOf(vrid)] === 255 ? 255 : p;
  // A v3 backup counts in the interval it learned from the master it followed; v2 only knows its own.
  const followed = s.version === 3 && oldMaster !== undefined ? s.nodes[oldMaster].intervalUs : s.nodes[node].intervalUs;
  const iv = effectiveIntervalUs(s.version, followed);
  if (reason === 'priority-zero') return { timer: 'Skew_Time', us: skewUs(s.version, skewP, iv) };
  if (reason === 'master-down') return { timer: 'Master_Down_Interval', us: masterDownUs(s.version, skewP, iv) };
  return null;
}
