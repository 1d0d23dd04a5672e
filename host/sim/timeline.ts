// What a simulation records, and the questions tests ask of it ("who was master when", "who held the VIP when").
// Every entry is plain data (JSON-safe), in the order it happened; times are µs.
import type { AnnounceCause, ReasonName, StateName } from '../core/names.ts';
import type { SimEvent } from './scenario.ts';

/** A core state, or DOWN while the node has no running core (never started, killed, stopped). */
export type SimState = StateName | 'DOWN';
export type SimReason = ReasonName | 'killed' | 'stopped';

export type TimelineEntry =
  | { t: number; kind: 'state'; node: number; vrid: number; from: SimState; to: SimState; reason: SimReason }
  /** cause 'killed': the node died holding the VIP, so the address left the LAN with it. */
  | { t: number; kind: 'vip-add' | 'vip-del'; node: number; vrid: number; cause: 'core' | 'killed' }
  | { t: number; kind: 'announce'; node: number; vrid: number; rounds: number; cause: AnnounceCause }
  | { t: number; kind: 'priority'; node: number; vrid: number; from: number; to: number }
  | { t: number; kind: 'new-master'; node: number; vrid: number; priority: number; address: string }
  | { t: number; kind: 'rx-lower'; node: number; vrid: number; priority: number; address: string }
  | { t: number; kind: 'transmit'; node: number; vrid: number; priority: number; bytes: number }
  /** A scenario event as applied; `node` is set once a *-master event has been resolved to a node (or null). */
  | { t: number; kind: 'event'; event: SimEvent; node: number | null };

export type StateEntry = Extract<TimelineEntry, { kind: 'state' }>;

/** Interval during which `node` was MASTER of `vrid`; `toUs` is null while it still is. */
export interface Tenure { node: number; vrid: number; fromUs: number; toUs: number | null }

/** Replays state entries up to and including `limit` entries; returns the MASTER set per VRID. */
function replayMasters(tl: readonly TimelineEntry[], vrid: number, accept: (e: TimelineEntry, k: number) => boolean): Set<number> {
  const m = new Set<number>();
  for (let k = 0; k < tl.length; k++) {
    const e = tl[k];
    if (!accept(e, k)) break;
    if (e.kind !== 'state' || e.vrid !== vrid) continue;
    if (e.to === 'MASTER') m.add(e.node);
    else m.delete(e.node);
  }
  return m;
}

/** Nodes in MASTER state for `vrid` once everything at time <= t has happened. */
export function mastersAt(tl: readonly TimelineEntry[], vrid: number, t: number): number[] {
  return [...replayMasters(tl, vrid, (e) => e.t <= t)].sort((a, b) => a - b);
}

/** Masters just before timeline entry `index` (the state the entry found). */
export function mastersBeforeEntry(tl: readonly TimelineEntry[], vrid: number, index: number): number[] {
  return [...replayMasters(tl, vrid, (_e, k) => k < index)].sort((a, b) => a - b);
}

/** Nodes that have the VIPs of `vrid` configured once everything at time <= t has happened. */
export function vipHoldersAt(tl: readonly TimelineEntry[], vrid: number, t: number): number[] {
  const h = new Set<number>();
  for (const e of tl) {
    if (e.t > t) break;
    if (e.kind === 'vip-add' && e.vrid === vrid) h.add(e.node);
    else if (e.kind === 'vip-del' && e.vrid === vrid) h.delete(e.node);
  }
  return [...h].sort((a, b) => a - b);
}

/** Every MASTER tenure for `vrid`, in order of start. */
export function tenures(tl: readonly TimelineEntry[], vrid: number): Tenure[] {
  const open = new Map<number, Tenure>();
  const all: Tenure[] = [];
  for (const e of tl) {
    if (e.kind !== 'state' || e.vrid !== vrid) continue;
    if (e.to === 'MASTER' && !open.has(e.node)) {
      const t: Tenure = { node: e.node, vrid, fromUs: e.t, toUs: null };
      open.set(e.node, t);
      all.push(t);
    } else if (e.to !== 'MASTER' && open.has(e.node)) {
      open.get(e.node)!.toUs = e.t;
      open.delete(e.node);
    }
  }
  return all;
}

/** State entries for `vrid` with from <= t < to. */
export function stateChanges(tl: readonly TimelineEntry[], vrid: number, fromUs = 0, toUs = Infinity): StateEntry[] {
  return tl.filter((e): e is StateEntry => e.kind === 'state' && e.vrid === vrid && e.t >= fromUs && e.t < toUs);
}

/**
 * Periods when the number of masters of `vrid` was not exactly one, within [fromUs, toUs]: the split-brain and
 * no-master windows a test may want to bound.
 */
export function badWindows(tl: readonly TimelineEntry[], vrid: number, fromUs: number, toUs: number):
  { fromUs: number; toUs: number; masters: number[] }[] {
  const out: { fromUs: number; toUs: number; masters: number[] }[] = [];
  const m = new Set<number>();
  let k = 0;
  for (; k < tl.length && tl[k].t <= fromUs; k++) apply(tl[k]);
  let open: { fromUs: number; toUs: number; masters: number[] } | null = m.size === 1 ? null : { fromUs, toUs, masters: [...m] };
  for (; k < tl.length && tl[k].t <= toUs; k++) {
    const e = tl[k];
    apply(e);
    // Several entries share one instant (one drain); judge the count once all of them are applied.
    if (k + 1 < tl.length && tl[k + 1].t === e.t) continue;
    if (m.size !== 1 && !open) open = { fromUs: e.t, toUs, masters: [...m] };
    else if (m.size !== 1 && open) open.masters = [...new Set([...open.masters, ...m])].sort((a, b) => a - b);
    else if (m.size === 1 && open) { open.toUs = e.t; out.push(open); open = null; }
  }
  if (open) out.push(open);
  return out;

  function apply(e: TimelineEntry): void {
    if (e.kind !== 'state' || e.vrid !== vrid) return;
    if (e.to === 'MASTER') m.add(e.node);
    else m.delete(e.node);
  }
}
