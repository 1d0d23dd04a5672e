// Hosts started together (anchor-figures.md: keepalived had two masters in 8 of 19 sub-second starts, and VIP
// add/delete churn on the backup). With the daemon's defaults — the start-up claim and fast preemption — routers
// that all start before anyone's first Master_Down_Interval ends never hold a VIP together, and only the
// top-priority router ever installs it. Without them (RFC 5798 / keepalived, --keepalived-compat) the same start
// does hold it twice, which is what makes the property worth checking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runScenario, type NodeSpec, type TimelineEntry } from '../../host/sim/index.ts';
import { arbSeed, arbVersionInterval, describe, fcParams, mdi } from './helpers.ts';

/** The most routers that held the VIP of `vrid` at once, replaying adds and deletes in the order they happened. */
function maxHolders(tl: readonly TimelineEntry[], vrid: number): number {
  const held = new Set<number>();
  let most = 0;
  for (const e of tl) {
    if (e.kind === 'vip-add' && e.vrid === vrid) held.add(e.node);
    else if (e.kind === 'vip-del' && e.vrid === vrid) held.delete(e.node);
    most = Math.max(most, held.size);
  }
  return most;
}

const vipAdders = (tl: readonly TimelineEntry[], vrid: number) =>
  [...new Set(tl.filter((e) => e.kind === 'vip-add' && e.vrid === vrid).map((e) => e.node))].sort();

test('keepalived behaviour: the lower router starting first takes the VIP, and both hold it when the higher one preempts', () => {
  // v3 0.1 s: the low one (100) times out at 360.9 ms; the high one (150), started 100 ms later, at 441.4 ms.
  const { sim } = runScenario({
    seed: 7, version: 3, intervalUs: 100_000, lan: { delayUs: 500 }, durationUs: 1_000_000,
    nodes: [{ priority: 100 }, { priority: 150, startAtUs: 100_000 }],
  });
  assert.deepEqual(vipAdders(sim.timeline, 51), [0, 1], describe(sim));
  assert.equal(maxHolders(sim.timeline, 51), 2, describe(sim));
  assert.deepEqual(sim.masters(), [1]);
});

test('the daemon\'s defaults: the same start never holds the VIP twice, and the low router never touches it', () => {
  const { sim } = runScenario({
    seed: 7, version: 3, intervalUs: 100_000, lan: { delayUs: 500 }, durationUs: 1_000_000, vipdDefaults: true,
    nodes: [{ priority: 100 }, { priority: 150, startAtUs: 100_000 }],
  });
  assert.deepEqual(vipAdders(sim.timeline, 51), [1], describe(sim));
  assert.equal(maxHolders(sim.timeline, 51), 1, describe(sim));
  assert.deepEqual(sim.masters(), [1]);
  assert.equal(sim.stats(0)?.claim_yielded, 1, 'the low router claimed and yielded');
  assert.ok(!sim.timeline.some((e) => e.kind === 'state' && e.node === 0 && e.to === 'MASTER'), 'the low router never reported MASTER');
});

test('routers started within one Master_Down_Interval: one VIP holder at every moment, only the top one installs it', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 }),
    fc.uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 4 }),
    fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 4, maxLength: 4 }),
    ({ version, intervalUs }, seed, delayUs, jitterUs, prios, phases) => {
      // Everyone is up before the first Master_Down_Interval anywhere can end.
      const window = Math.min(...prios.map((p) => mdi(version, p, intervalUs)));
      const nodes: NodeSpec[] = prios.map((priority, k) => ({ priority, startAtUs: Math.floor(phases[k] * window) }));
      const top = prios.indexOf(Math.max(...prios));
      const end = window + Math.max(...prios.map((p) => mdi(version, p, intervalUs))) + 5 * intervalUs;
      const { sim } = runScenario({ seed, version, intervalUs, lan: { delayUs, jitterUs }, durationUs: end, nodes, vipdDefaults: true });
      assert.equal(maxHolders(sim.timeline, 51), 1, describe(sim));
      assert.deepEqual(vipAdders(sim.timeline, 51), [top], describe(sim));
      assert.deepEqual(sim.masters(), [top], describe(sim));
    }), fcParams());
});
