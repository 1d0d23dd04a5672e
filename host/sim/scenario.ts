// A simulation described as a plain object (what the CLI builds from flags, what a test writes inline, what a
// --scenario JSON file holds), and its validation into a fully defaulted form the simulator runs.
// Times are µs; nodes are referred to by their 0-based index.
import { isIPv4, isIPv6 } from 'node:net';
import type { Family } from '../core/addr.ts';
import type { Version } from './timing.ts';

export interface Impairments {
  /** Probability (0..1) that one copy of a packet to one receiver is lost. */
  loss?: number;
  /** One-way delay, µs. */
  delayUs?: number;
  /** Each delivery's delay is delayUs ± a uniform draw in [0, jitterUs] (never below zero). */
  jitterUs?: number;
  /** Probability that a receiver gets a second copy (with its own delay). */
  duplicate?: number;
  /** Probability that a copy is held back by reorderUs, so later packets overtake it. */
  reorder?: number;
  /** How long a reordered copy is held back; default 2 x (delay + jitter), at least 1 ms. */
  reorderUs?: number;
}

export interface NodeSpec {
  name?: string;
  /** Primary address (the VRRP source); default 192.0.2.<k+1> or fe80::<k+1>. */
  address?: string;
  /** Base priority for every VRID, or one per VRID ({ 51: 150, 52: 100 }). 255 makes the node an owner. */
  priority: number | Readonly<Record<number, number>>;
  nopreempt?: boolean;
  preemptDelayUs?: number;
  /** This node's advert_int, when it differs from the scenario's. */
  intervalUs?: number;
  /** When the node starts (default 0); null: only a 'start' event starts it. */
  startAtUs?: number | null;
}

/** Things that happen to nodes and to the LAN at a given time. */
export type SimEvent =
  | { atUs: number; kind: 'kill' | 'stop' | 'start' | 'restart' | 'cut' | 'uncut'; node: number }
  | { atUs: number; kind: 'kill-master' | 'stop-master' | 'isolate-master'; vrid?: number }
  | { atUs: number; kind: 'partition'; groups: number[][] }
  | { atUs: number; kind: 'heal' }
  | { atUs: number; kind: 'fault'; node: number; on: boolean; vrid?: number }
  | { atUs: number; kind: 'adjust'; node: number; delta: number; vrid?: number }
  | { atUs: number; kind: 'impair'; lan: Impairments };

export interface Scenario {
  seed?: number;
  version?: Version;
  family?: Family;
  /** advert_int, µs (default 1 s). */
  intervalUs?: number;
  /** VRIDs every node runs (default [51]). */
  vrids?: number[];
  nodes: NodeSpec[];
  lan?: Impairments;
  /** How long `run()` goes by default (default 10 s). */
  durationUs?: number;
  events?: SimEvent[];
  /**
   * Run the cores as the daemon does by default (docs/compat.md): fast preemption and the start-up claim. Default
   * false: RFC 5798 / keepalived 2.2.7 behaviour, what `vipd --keepalived-compat` runs.
   */
  vipdDefaults?: boolean;
}

export interface ResolvedNode {
  index: number;
  name: string;
  address: string;
  /** Base priority per VRID, in the order of `vrids`. */
  priorities: number[];
  nopreempt: boolean;
  preemptDelayUs: number;
  intervalUs: number;
  startAtUs: number | null;
}

export interface ResolvedScenario {
  seed: number;
  version: Version;
  family: Family;
  intervalUs: number;
  vrids: number[];
  nodes: ResolvedNode[];
  lan: Required<Impairments>;
  durationUs: number;
  events: SimEvent[];
  vipdDefaults: boolean;
}

export class ScenarioError extends Error {}

function fail(path: string, msg: string): never {
  throw new ScenarioError(`${path}: ${msg}`);
}

function int(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(path, `must be an integer ${lo}..${hi}`);
  return v;
}

function time(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, 'must be a time in µs >= 0');
  return Math.round(v);
}

function rate(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(path, 'must be a probability 0..1');
  return v;
}

export function resolveImpairments(l: Impairments, path: string): Required<Impairments> {
  const delayUs = time(l.delayUs ?? 0, `${path}.delayUs`);
  const jitterUs = time(l.jitterUs ?? 0, `${path}.jitterUs`);
  return {
    loss: rate(l.loss ?? 0, `${path}.loss`),
    delayUs,
    jitterUs,
    duplicate: rate(l.duplicate ?? 0, `${path}.duplicate`),
    reorder: rate(l.reorder ?? 0, `${path}.reorder`),
    reorderUs: time(l.reorderUs ?? Math.max(1000, 2 * (delayUs + jitterUs)), `${path}.reorderUs`),
  };
}

function defaultAddress(family: Family, k: number): string {
  return family === 4 ? `192.0.2.${k + 1}` : `fe80::${(k + 1).toString(16)}`;
}

/** The addresses an instance advertises: one VIP per VRID, the same on every node. */
export function vipOf(family: Family, vrid: number): string {
  return family === 4 ? `198.51.100.${vrid}` : `2001:db8::${vrid.toString(16)}`;
}

/** Validates a scenario and fills every default. Throws ScenarioError naming the offending field. */
export function resolveScenario(s: Scenario): ResolvedScenario {
  if (typeof s !== 'object' || s === null) fail('scenario', 'must be an object');
  const version = s.version ?? 3;
  if (version !== 2 && version !== 3) fail('version', 'must be 2 or 3');
  const family = s.family ?? 4;
  if (family !== 4 && family !== 6) fail('family', 'must be 4 or 6');
  if (family === 6 && version === 2) fail('version', 'IPv6 needs VRRP version 3');
  const intervalUs = time(s.intervalUs ?? 1_000_000, 'intervalUs');
  if (intervalUs < 10_000 || intervalUs > 255_000_000) fail('intervalUs', 'advert_int must be 10 ms..255 s');
  const vrids = s.vrids ?? [51];
  if (!Array.isArray(vrids) || vrids.length === 0) fail('vrids', 'must list at least one VRID');
  vrids.forEach((v, k) => int(v, `vrids[${k}]`, 1, 255));
  if (new Set(vrids).size !== vrids.length) fail('vrids', 'VRIDs must differ');
  if (!Array.isArray(s.nodes) || s.nodes.length < 1 || s.nodes.length > 64) fail('nodes', 'must have 1..64 nodes');
  const nodes = s.nodes.map((n, k): ResolvedNode => {
    const p = `nodes[${k}]`;
    if (typeof n !== 'object' || n === null) fail(p, 'must be an object with a priority');
    const address = n.address ?? defaultAddress(family, k);
    if (family === 4 ? !isIPv4(address) : !isIPv6(address)) fail(`${p}.address`, `not an IPv${family} address`);
    const priorities = vrids.map((v) => {
      const pr = typeof n.priority === 'number' ? n.priority : n.priority?.[v];
      return int(pr, typeof n.priority === 'number' ? `${p}.priority` : `${p}.priority[${v}]`, 1, 255);
    });
    const iv = n.intervalUs === undefined ? intervalUs : time(n.intervalUs, `${p}.intervalUs`);
    if (iv < 10_000 || iv > 255_000_000) fail(`${p}.intervalUs`, 'advert_int must be 10 ms..255 s');
    return {
      index: k,
      name: n.name ?? `node${k + 1}`,
      address,
      priorities,
      nopreempt: n.nopreempt ?? false,
      preemptDelayUs: time(n.preemptDelayUs ?? 0, `${p}.preemptDelayUs`),
      intervalUs: iv,
      startAtUs: n.startAtUs === null ? null : time(n.startAtUs ?? 0, `${p}.startAtUs`),
    };
  });
  if (new Set(nodes.map((n) => n.address)).size !== nodes.length) fail('nodes', 'addresses must differ');
  if (new Set(nodes.map((n) => n.name)).size !== nodes.length) fail('nodes', 'names must differ');
  if (s.events !== undefined && !Array.isArray(s.events)) fail('events', 'must be a list');
  const events = (s.events ?? []).map((e, k) => checkEvent(e, `events[${k}]`, nodes.length, vrids));
  return {
    seed: s.seed === undefined ? 1 : int(s.seed, 'seed', 0, 0xffffffff),
    version, family, intervalUs, vrids, nodes,
    lan: resolveImpairments(s.lan ?? {}, 'lan'),
    durationUs: time(s.durationUs ?? 10_000_000, 'durationUs'),
    events,
    vipdDefaults: s.vipdDefaults === true,
  };
}

/** Checks one event against a scenario with `n` nodes and these VRIDs; throws ScenarioError. */
export function checkEvent(e: SimEvent, p: string, n: number, vrids: number[]): SimEvent {
  if (typeof e !== 'object' || e === null) fail(p, 'must be an object with atUs and kind');
  time(e.atUs, `${p}.atUs`);
  const node = (v: unknown) => int(v, `${p}.node`, 0, n - 1);
  const vrid = (v: unknown) => {
    if (v !== undefined && !vrids.includes(v as number)) fail(`${p}.vrid`, `${String(v)} is not one of the scenario's VRIDs`);
  };
  switch (e.kind) {
    case 'kill': case 'stop': case 'start': case 'restart': case 'cut': case 'uncut':
      node(e.node);
      break;
    case 'kill-master': case 'stop-master': case 'isolate-master':
      vrid(e.vrid);
      break;
    case 'partition': {
      if (!Array.isArray(e.groups) || e.groups.length < 1) fail(`${p}.groups`, 'must list at least one group of nodes');
      const seen = new Set<number>();
      e.groups.forEach((g, gi) => g.forEach((x, xi) => {
        int(x, `${p}.groups[${gi}][${xi}]`, 0, n - 1);
        if (seen.has(x)) fail(`${p}.groups`, `node ${x} is in two groups`);
        seen.add(x);
      }));
      break;
    }
    case 'heal':
      break;
    case 'fault':
      node(e.node);
      if (typeof e.on !== 'boolean') fail(`${p}.on`, 'must be true or false');
      vrid(e.vrid);
      break;
    case 'adjust':
      node(e.node);
      int(e.delta, `${p}.delta`, -254, 254);
      vrid(e.vrid);
      break;
    case 'impair':
      resolveImpairments(e.lan ?? {}, `${p}.lan`);
      break;
    default:
      fail(`${p}.kind`, `unknown event ${JSON.stringify((e as { kind: unknown }).kind)}`);
  }
  return e;
}
