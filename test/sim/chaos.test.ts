// Random sequences of everything the simulator can do to nodes and the LAN, then a quiet period: whatever happened
// before, the cluster must end with exactly one master, the best node, holding the VIP alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { runScenario, vipHoldersAt, type SimEvent } from '../../host/sim/index.ts';
import { arbSeed, arbVersionInterval, describe, fcParams, mdi } from './helpers.ts';

const N = 4;

const arbEvent = (n: number, spanUs: number): fc.Arbitrary<SimEvent> => {
  const at = fc.integer({ min: 0, max: spanUs });
  const node = fc.integer({ min: 0, max: n - 1 });
  return fc.oneof(
    fc.record({ atUs: at, kind: fc.constantFrom('kill', 'stop', 'start', 'restart', 'cut', 'uncut'), node }) as fc.Arbitrary<SimEvent>,
    fc.record({ atUs: at, kind: fc.constantFrom('kill-master', 'stop-master', 'isolate-master') }) as fc.Arbitrary<SimEvent>,
    fc.record({ atUs: at, kind: fc.constant('heal') }) as fc.Arbitrary<SimEvent>,
    fc.record({ atUs: at, kind: fc.constant('fault'), node, on: fc.boolean() }) as fc.Arbitrary<SimEvent>,
    fc.record({ atUs: at, kind: fc.constant('adjust'), node, delta: fc.integer({ min: -120, max: 120 }) }) as fc.Arbitrary<SimEvent>,
    fc.record({ atUs: at, kind: fc.constant('impair'), lan: fc.record({ loss: fc.constantFrom(0, 0.2, 0.5), delayUs: fc.integer({ min: 0, max: 2000 }) }) }) as fc.Arbitrary<SimEvent>,
  );
};

test('after any sequence of kills, stops, faults, tracker changes, cuts and partitions, one best master remains', () => {
  const arbRun = arbVersionInterval.chain((vi) => fc.record({
    vi: fc.constant(vi), events: fc.array(arbEvent(N, 20 * vi.intervalUs), { minLength: 1, maxLength: 12 }),
  }));
  fc.assert(fc.property(
    arbRun, arbSeed, fc.array(fc.integer({ min: 1, max: 255 }), { minLength: N, maxLength: N }),
    ({ vi: { version, intervalUs }, events }, seed, prios) => {
      // Two owners would fight by design; keep at most one priority 255.
      const ps = prios.map((p, k) => (p === 255 && prios.indexOf(255) !== k ? 254 : p));
      const quietUs = 20 * intervalUs + 1;
      const restore: SimEvent[] = [
        { atUs: quietUs, kind: 'impair', lan: { delayUs: 500 } },
        { atUs: quietUs, kind: 'heal' },
        ...ps.flatMap((_p, node): SimEvent[] => [
          { atUs: quietUs, kind: 'uncut', node }, { atUs: quietUs, kind: 'start', node },
          { atUs: quietUs, kind: 'fault', node, on: false }, { atUs: quietUs, kind: 'adjust', node, delta: 0 },
        ]),
      ];
      const lowest = Math.min(...ps);
      const end = quietUs + mdi(version, lowest, intervalUs) + 3 * intervalUs + 10_000;
      const { sim } = runScenario({
        seed, version, intervalUs, nodes: ps.map((priority) => ({ priority })), durationUs: end,
        events: [...events, ...restore],
      });
      const m = sim.masters();
      assert.equal(m.length, 1, describe(sim));
      assert.equal(ps[m[0]], Math.max(...ps), describe(sim));
      assert.deepEqual(vipHoldersAt(sim.timeline, 51, end), m, describe(sim));
    }), fcParams(60));
});
