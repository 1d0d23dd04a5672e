// Properties of failover over the simulator: a dead master, a resigning master, a healed partition and a lossy LAN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { badWindows, runScenario, Simulator, type NodeSpec } from '../../host/sim/index.ts';
import { arbDelay, arbPriority, arbSeed, arbVersionInterval, describe, fcParams, firstMaster, mdi, skew } from './helpers.ts';

const arbNodes = fc.array(arbPriority, { minLength: 2, maxLength: 5 }).map((ps) => ps.map((priority): NodeSpec => ({ priority })));

/** Everyone has timed out at least once and the election is over (no impairment). */
function settledUs(version: 2 | 3, nodes: NodeSpec[], intervalUs: number, delayUs: number): number {
  const lowest = Math.min(...nodes.map((n) => n.priority as number));
  return mdi(version, lowest, intervalUs) + intervalUs + 4 * delayUs;
}

/** The priority the next master must have: the best among the nodes still up. */
const best = (nodes: NodeSpec[], except: number) => Math.max(...nodes.filter((_n, k) => k !== except).map((n) => n.priority as number));

test('after the master dies, a backup is master within Master_Down_Interval (+ the LAN delay)', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, arbNodes, fc.integer({ min: 0, max: 999 }),
    ({ version, intervalUs }, seed, delayUs, nodes, phase) => {
      const killUs = settledUs(version, nodes, intervalUs, delayUs) + Math.floor((phase * intervalUs) / 1000);
      const sim = new Simulator({ seed, version, intervalUs, nodes, lan: { delayUs }, events: [{ atUs: killUs, kind: 'kill-master' }] });
      sim.run(killUs - 1);
      const [old] = sim.masters();
      const top = best(nodes, old);
      const down = mdi(version, top, intervalUs);
      sim.run(killUs + down + 2 * intervalUs + 4 * delayUs);
      const t = firstMaster(sim.timeline, 51, killUs);
      assert.ok(t, describe(sim));
      assert.equal(nodes[t.node].priority, top, describe(sim));
      // The backup's timer started at the last advert it heard: at most one interval before the kill, at most one
      // delay after it (an advert still on the wire).
      assert.ok(t.t <= killUs + delayUs + down + 2, `took over ${t.t - killUs} µs after the kill (Master_Down_Interval ${down})\n${describe(sim)}`);
      assert.ok(t.t >= killUs + down - intervalUs - 2, `took over ${t.t - killUs} µs after the kill\n${describe(sim)}`);
      assert.equal(t.reason, 'master-down');
      assert.deepEqual(badWindows(sim.timeline, 51, t.t + 3 * delayUs + 1, sim.now), [], describe(sim));
      assert.equal(sim.masters().length, 1);
    }), fcParams());
});

test('after the master resigns (priority 0), a backup is master within Skew_Time (+ the LAN delay)', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, arbNodes, fc.integer({ min: 0, max: 999 }),
    ({ version, intervalUs }, seed, delayUs, nodes, phase) => {
      const stopUs = settledUs(version, nodes, intervalUs, delayUs) + Math.floor((phase * intervalUs) / 1000);
      const sim = new Simulator({ seed, version, intervalUs, nodes, lan: { delayUs }, events: [{ atUs: stopUs, kind: 'stop-master' }] });
      sim.run(stopUs - 1);
      const [old] = sim.masters();
      const top = best(nodes, old);
      const sk = skew(version, top, intervalUs);
      sim.run(stopUs + mdi(version, top, intervalUs) + 2 * intervalUs);
      const t = firstMaster(sim.timeline, 51, stopUs);
      assert.ok(t, describe(sim));
      assert.equal(nodes[t.node].priority, top, describe(sim));
      assert.equal(t.reason, 'priority-zero', describe(sim));
      // The priority-0 advert lands one delay after the stop; the backup waits Skew_Time, not Master_Down_Interval.
      assert.ok(Math.abs(t.t - (stopUs + delayUs + sk)) <= 2, `took over ${t.t - stopUs} µs after the stop (Skew_Time ${sk})\n${describe(sim)}`);
      assert.deepEqual(badWindows(sim.timeline, 51, t.t + 3 * delayUs + 1, sim.now), [], describe(sim));
    }), fcParams());
});

test('a healed partition ends with one master within one advert interval (+ the LAN delay) of the heal', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, fc.array(arbPriority, { minLength: 2, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    fc.integer({ min: 0, max: 999 }),
    ({ version, intervalUs }, seed, delayUs, prios, side, phase) => {
      const nodes = prios.map((priority): NodeSpec => ({ priority }));
      const groupA = nodes.map((_n, k) => k).filter((k) => side[k]);
      fc.pre(groupA.length > 0 && groupA.length < nodes.length);
      const splitUs = settledUs(version, nodes, intervalUs, delayUs);
      const healUs = splitUs + settledUs(version, nodes, intervalUs, delayUs) + Math.floor((phase * intervalUs) / 1000);
      // The winner's next regular advert leaves within one interval of the heal and the loser yields on it (RFC
      // 9568's re-advert on a lower advert only makes that sooner): one interval + one delay.
      const boundUs = healUs + intervalUs + delayUs + 2;
      const { sim } = runScenario({
        seed, version, intervalUs, nodes, lan: { delayUs }, durationUs: boundUs + 3 * intervalUs,
        events: [{ atUs: splitUs, kind: 'partition', groups: [groupA] }, { atUs: healUs, kind: 'heal' }],
      });
      const split = badWindows(sim.timeline, 51, healUs - 1, healUs - 1);
      assert.equal(split.length, 1, `both sides have a master before the heal\n${describe(sim)}`);
      assert.equal(split[0].masters.length, 2);
      assert.deepEqual(badWindows(sim.timeline, 51, boundUs, sim.now), [], describe(sim));
      const [m] = sim.masters();
      assert.equal(nodes[m].priority, Math.max(...prios), describe(sim));
    }), fcParams());
});

test('a lossy LAN (10 %, 30 %) never ends with zero or two masters once the loss stops', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, fc.constantFrom(0.1, 0.3), arbNodes, fc.integer({ min: 0, max: 500 }), fc.constantFrom(0, 0.02), fc.constantFrom(0, 0.05),
    ({ version, intervalUs }, seed, loss, nodes, jitterUs, duplicate, reorder) => {
      const delayUs = 500;
      const cleanUs = 100 * intervalUs;
      const lowest = Math.min(...nodes.map((n) => n.priority as number));
      // Once clean: the worst case is everyone backup, timing out on Master_Down_Interval, then one exchange.
      const end = cleanUs + mdi(version, lowest, intervalUs) + 2 * intervalUs + 4 * (delayUs + jitterUs);
      const { sim } = runScenario({
        seed, version, intervalUs, nodes, lan: { loss, delayUs, jitterUs, duplicate, reorder }, durationUs: end,
        events: [{ atUs: cleanUs, kind: 'impair', lan: { delayUs } }],
      });
      const m = sim.masters();
      assert.equal(m.length, 1, describe(sim));
      assert.equal(nodes[m[0]].priority, Math.max(...nodes.map((n) => n.priority as number)), describe(sim));
      assert.ok(sim.lan.counters.lost > 0);
    }), fcParams());
});
