// Shared pieces of the simulator tests: scenario generators for fast-check and the RFC bounds the properties check.
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { effectiveIntervalUs, masterDownUs, skewUs, type Scenario, type Simulator, type TimelineEntry } from '../../host/sim/index.ts';

export type Version = 2 | 3;

/** Interval choices: v3 from 10 ms (the fastest RFC 5798 allows) to 1 s; v2 whole seconds. */
export const arbVersionInterval: fc.Arbitrary<{ version: Version; intervalUs: number }> = fc.oneof(
  fc.record({ version: fc.constant<Version>(3), intervalUs: fc.constantFrom(10_000, 20_000, 50_000, 100_000, 250_000, 1_000_000) }),
  fc.record({ version: fc.constant<Version>(2), intervalUs: fc.constantFrom(1_000_000, 2_000_000) }),
);

// One seed per run, so CI explores new scenarios each time; SIM_FC_SEED=<n> replays a run (fast-check's failure
// message shows the seed too, with the shrunk counterexample), SIM_RUNS=n runs more cases per property.
const FC_SEED = process.env.SIM_FC_SEED !== undefined && process.env.SIM_FC_SEED !== 'random'
  ? Number(process.env.SIM_FC_SEED) : randomInt(-(2 ** 31), 2 ** 31);
console.log(`# fast-check seed ${FC_SEED} (SIM_FC_SEED=${FC_SEED} replays this run)`);

/** fast-check parameters: the run's seed for every property, and SIM_RUNS or `defaultRuns` cases. */
export function fcParams(defaultRuns = 100): fc.Parameters<unknown> {
  return { numRuns: Number(process.env.SIM_RUNS ?? defaultRuns), seed: FC_SEED };
}

export const arbPriority = fc.integer({ min: 1, max: 254 });
export const arbSeed = fc.integer({ min: 0, max: 0xffffffff });
export const arbDelay = fc.integer({ min: 0, max: 1000 });

/** Master_Down_Interval of a node with priority `p`, following a master that sends every `intervalUs`. */
export function mdi(version: Version, p: number, intervalUs: number): number {
  return masterDownUs(version, p, effectiveIntervalUs(version, intervalUs));
}

export function skew(version: Version, p: number, intervalUs: number): number {
  return skewUs(version, p, effectiveIntervalUs(version, intervalUs));
}

/** The first state entry after `fromUs` (inclusive) in which some node enters MASTER of `vrid`. */
export function firstMaster(tl: readonly TimelineEntry[], vrid: number, fromUs: number): Extract<TimelineEntry, { kind: 'state' }> | undefined {
  return tl.find((e): e is Extract<TimelineEntry, { kind: 'state' }> =>
    e.kind === 'state' && e.vrid === vrid && e.to === 'MASTER' && e.t >= fromUs);
}

/** Priority of node k for a VRID in a scenario written with a number or a per-VRID map. */
export function prioOf(s: Scenario, k: number, vrid: number): number {
  const p = s.nodes[k].priority;
  return typeof p === 'number' ? p : p[vrid];
}

/** A compact description of the run for an assertion message. */
export function describe(sim: Simulator, vrid = sim.vrids[0]): string {
  const lines = sim.timeline.flatMap((e) => {
    if (e.kind === 'state' && e.vrid === vrid) return [`${e.t} ${sim.nodeName(e.node)} ${e.from}->${e.to} ${e.reason}`];
    if (e.kind === 'event') return [`${e.t} event ${JSON.stringify(e.event)}`];
    return [];
  });
  return `seed ${sim.scenario.seed}\n${lines.slice(-40).join('\n')}`;
}
