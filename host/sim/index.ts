// The simulator's public face: run a scenario, get the simulator (timeline, state) and its summary.
import { Simulator, type SimOptions } from './simulator.ts';
import { summarise, type Summary } from './summary.ts';
import type { Scenario } from './scenario.ts';

export { Simulator, SimStepLimit, type SimOptions } from './simulator.ts';
export { resolveScenario, ScenarioError, vipOf, type Scenario, type SimEvent, type NodeSpec, type Impairments } from './scenario.ts';
export { mastersAt, vipHoldersAt, tenures, stateChanges, badWindows, type TimelineEntry, type SimState } from './timeline.ts';
export { summarise, type Summary, type Outcome } from './summary.ts';
export { formatTimeline, formatSummary } from './format.ts';
export { effectiveIntervalUs, masterDownUs, skewUs } from './timing.ts';
export { ms, sec, us, parseDuration } from './units.ts';

/** Runs a scenario for its duration (or `untilUs`) and summarises it. */
export function runScenario(s: Scenario, opts: SimOptions & { untilUs?: number } = {}): { sim: Simulator; summary: Summary } {
  const sim = new Simulator(s, opts);
  sim.run(opts.untilUs);
  return { sim, summary: summarise(sim.scenario, sim.timeline, sim.now) };
}
