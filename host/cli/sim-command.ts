import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliDeps } from './program.ts';
import {
  formatSummary, formatTimeline, parseDuration, runScenario, ScenarioError, SimStepLimit, type Scenario, type SimEvent,
} from '../sim/index.ts';

interface SimFlags {
  nodes?: string; priorities?: string; version?: string; family?: string; interval?: string; vrids?: string;
  nopreempt?: string | true; preemptDelay?: string;
  loss?: string; delay?: string; jitter?: string; duplicate?: string; reorder?: string; impairUntil?: string;
  seed?: string; duration?: string;
  killMasterAt?: string; stopMasterAt?: string; partitionAt?: string; partition?: string; healAt?: string;
  join?: string[];
  scenario?: string; transmits?: boolean; json?: boolean; vipdDefaults?: boolean;
}

class BadInput extends Error {}

const collect = (v: string, all: string[] = []) => [...all, v];

/** `vipd sim`: N engines on a virtual LAN, a timeline of what they did, and how fast they failed over. */
export function registerSimCommand(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  program
    .command('sim')
    .description('simulate VRRP routers on a virtual LAN (seeded loss, delay, partitions) and print the timeline')
    .option('--nodes <n>', 'number of routers (default 3)')
    .option('--priorities <list>', 'priority per node, comma separated (default: 150 down to 50)')
    .option('--version <2|3>', 'VRRP version (default 3)')
    .option('--family <4|6>', 'address family (default 4)')
    .option('--interval <time>', 'advert_int (bare number: seconds; default 1)')
    .option('--vrids <list>', 'VRIDs every node runs (default 51)')
    .option('--nopreempt [nodes]', 'nopreempt on these nodes (1-based, comma separated), or on all')
    .option('--preempt-delay <time>', 'preempt_delay on every node')
    .option('--loss <p>', 'probability a copy of a packet is lost (0..1)')
    .option('--delay <time>', 'one-way LAN delay, e.g. 1ms')
    .option('--jitter <time>', 'delay varies by up to ± this much')
    .option('--duplicate <p>', 'probability a copy is duplicated')
    .option('--reorder <p>', 'probability a copy is held back so later packets overtake it')
    .option('--impair-until <time>', 'the LAN becomes clean (no loss, delay kept) at this time')
    .option('--seed <n>', 'PRNG seed (default 1)')
    .option('--duration <time>', 'simulated time (default 10s)')
    .option('--kill-master-at <time>', 'kill the master of the first VRID silently')
    .option('--stop-master-at <time>', 'stop the master gracefully (priority 0 advert)')
    .option('--partition-at <time>', 'partition the LAN (default: the master alone, see --partition)')
    .option('--partition <groups>', 'partition groups of 1-based nodes, e.g. "1|2,3"')
    .option('--heal-at <time>', 'heal the partition')
    .option('--join <node@time>', 'start a node late, e.g. 1@3s (repeatable)', collect)
    .option('--scenario <file>', 'a JSON scenario (host/sim/scenario.ts); --seed and --duration override it')
    .option('--vipd-defaults', "run the daemon's defaults (fast preemption, start-up claim) instead of RFC/keepalived timing")
    .option('--transmits', 'show every advert sent')
    .option('--json', 'machine-readable output')
    .action((o: SimFlags) => {
      let scenario: Scenario;
      try {
        scenario = o.scenario ? fromFile(o) : fromFlags(o);
        if (o.vipdDefaults) scenario = { ...scenario, vipdDefaults: true };
      } catch (e) {
        deps.stderr(`vipd sim: ${(e as Error).message}\n`);
        setExit(2);
        return;
      }
      try {
        const { sim, summary } = runScenario(scenario, { recordTransmits: o.transmits ?? false });
        if (o.json) {
          deps.stdout(`${JSON.stringify({ scenario: sim.scenario, timeline: sim.timeline, summary, lan: sim.lan.counters })}\n`);
        } else {
          const lines = [...formatTimeline(sim.scenario, sim.timeline), ...formatSummary(sim.scenario, summary, sim.lan.counters)];
          deps.stdout(`${lines.join('\n')}\n`);
        }
      } catch (e) {
        if (e instanceof ScenarioError) { deps.stderr(`vipd sim: ${e.message}\n`); setExit(2); return; }
        if (e instanceof SimStepLimit) { deps.stderr(`vipd sim: ${e.message}\n`); setExit(1); return; }
        throw e;
      }
    });
}

function fromFile(o: SimFlags): Scenario {
  let s: Scenario;
  try {
    s = JSON.parse(readFileSync(o.scenario!, 'utf8')) as Scenario;
  } catch (e) {
    throw new BadInput(`${o.scenario}: ${(e as Error).message}`);
  }
  if (o.seed !== undefined) s = { ...s, seed: count(o.seed, '--seed', 0, 0xffffffff) };
  if (o.duration !== undefined) s = { ...s, durationUs: time(o.duration, '--duration') };
  return s;
}

function count(text: string, flag: string, lo: number, hi: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < lo || n > hi) throw new BadInput(`${flag} must be an integer ${lo}..${hi}, not ${JSON.stringify(text)}`);
  return n;
}

function prob(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n <= 1)) throw new BadInput(`${flag} must be a probability 0..1, not ${JSON.stringify(text)}`);
  return n;
}

function time(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new BadInput(`${flag}: ${(e as Error).message}`);
  }
}

function list(text: string, flag: string, lo: number, hi: number): number[] {
  return text.split(',').map((x) => count(x, flag, lo, hi));
}

/** 1-based node numbers on the command line, 0-based in the scenario. */
function nodeRef(text: string, flag: string, n: number): number {
  return count(text, flag, 1, n) - 1;
}

function fromFlags(o: SimFlags): Scenario {
  const n = o.nodes === undefined ? 3 : count(o.nodes, '--nodes', 1, 64);
  const prios = o.priorities === undefined
    ? Array.from({ length: n }, (_x, k) => (n === 1 ? 100 : Math.round(150 - (k * 100) / (n - 1))))
    : list(o.priorities, '--priorities', 1, 255);
  if (prios.length !== n) throw new BadInput(`--priorities lists ${prios.length} values for ${n} nodes`);
  const version = o.version === undefined ? 3 : count(o.version, '--version', 2, 3);
  const family = o.family === undefined ? 4 : Number(o.family);
  if (family !== 4 && family !== 6) throw new BadInput('--family must be 4 or 6');
  const nopre = new Set<number>();
  if (o.nopreempt === true) for (let k = 0; k < n; k++) nopre.add(k);
  else if (typeof o.nopreempt === 'string') for (const x of o.nopreempt.split(',')) nopre.add(nodeRef(x, '--nopreempt', n));
  const preemptDelayUs = o.preemptDelay === undefined ? undefined : time(o.preemptDelay, '--preempt-delay');
  const startAt = new Map<number, number>();
  for (const j of o.join ?? []) {
    const m = /^([^@]+)@(.+)$/.exec(j);
    if (!m) throw new BadInput(`--join wants NODE@TIME (e.g. 1@3s), not ${JSON.stringify(j)}`);
    startAt.set(nodeRef(m[1], '--join', n), time(m[2], '--join'));
  }
  const lan = {
    loss: o.loss === undefined ? 0 : prob(o.loss, '--loss'),
    delayUs: o.delay === undefined ? 0 : time(o.delay, '--delay'),
    jitterUs: o.jitter === undefined ? 0 : time(o.jitter, '--jitter'),
    duplicate: o.duplicate === undefined ? 0 : prob(o.duplicate, '--duplicate'),
    reorder: o.reorder === undefined ? 0 : prob(o.reorder, '--reorder'),
  };
  const events: SimEvent[] = [];
  if (o.impairUntil !== undefined) {
    events.push({ atUs: time(o.impairUntil, '--impair-until'), kind: 'impair', lan: { delayUs: lan.delayUs, jitterUs: lan.jitterUs } });
  }
  if (o.killMasterAt !== undefined) events.push({ atUs: time(o.killMasterAt, '--kill-master-at'), kind: 'kill-master' });
  if (o.stopMasterAt !== undefined) events.push({ atUs: time(o.stopMasterAt, '--stop-master-at'), kind: 'stop-master' });
  if (o.partition !== undefined && o.partitionAt === undefined) throw new BadInput('--partition needs --partition-at');
  if (o.partitionAt !== undefined) {
    const atUs = time(o.partitionAt, '--partition-at');
    if (o.partition === undefined) events.push({ atUs, kind: 'isolate-master' });
    else events.push({ atUs, kind: 'partition', groups: o.partition.split('|').map((g) => g.split(',').map((x) => nodeRef(x, '--partition', n))) });
  }
  if (o.healAt !== undefined) events.push({ atUs: time(o.healAt, '--heal-at'), kind: 'heal' });
  return {
    seed: o.seed === undefined ? 1 : count(o.seed, '--seed', 0, 0xffffffff),
    version: version as 2 | 3,
    family,
    intervalUs: o.interval === undefined ? 1_000_000 : time(o.interval, '--interval'),
    vrids: o.vrids === undefined ? [51] : list(o.vrids, '--vrids', 1, 255),
    nodes: prios.map((priority, k) => ({
      priority, nopreempt: nopre.has(k), preemptDelayUs, startAtUs: startAt.get(k) ?? 0,
    })),
    lan,
    durationUs: o.duration === undefined ? 10_000_000 : time(o.duration, '--duration'),
    events,
  };
}
