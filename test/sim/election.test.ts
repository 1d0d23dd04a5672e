// Properties of elections over the simulator: convergence, preemption as keepalived does it, the address tie-break
// and the VRRPv3 learned interval. Bounds come from RFC 5798 / keepalived's timers (host/sim/timing.ts), not from
// the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { badWindows, ms, runScenario, sec, tenures, vipHoldersAt, type NodeSpec, type Scenario } from '../../host/sim/index.ts';
import { arbDelay, arbPriority, arbSeed, arbVersionInterval, describe, fcParams, firstMaster, mdi, prioOf } from './helpers.ts';

test('one master per VRID after convergence, and it has the top priority', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay,
    fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 3 }),
    fc.array(fc.array(arbPriority, { minLength: 3, maxLength: 3 }), { minLength: 2, maxLength: 5 }),
    ({ version, intervalUs }, seed, delayUs, vrids, prios) => {
      const nodes: NodeSpec[] = prios.map((p) => ({ priority: Object.fromEntries(vrids.map((v, k) => [v, p[k]])) }));
      const s: Scenario = { seed, version, intervalUs, vrids, nodes, lan: { delayUs } };
      const slowest = Math.max(...vrids.map((v) => mdi(version, Math.min(...nodes.map((_n, k) => prioOf(s, k, v))), intervalUs)));
      const end = slowest + 5 * intervalUs;
      const { sim } = runScenario({ ...s, durationUs: end });
      for (const v of vrids) {
        const top = Math.max(...nodes.map((_n, k) => prioOf(s, k, v)));
        // The top node times out first; anyone who also timed out before hearing it yields within a few delays.
        const settled = mdi(version, top, intervalUs) + 3 * delayUs + 2;
        assert.deepEqual(badWindows(sim.timeline, v, settled, end), [], describe(sim, v));
        const m = sim.masters(v);
        assert.equal(m.length, 1, describe(sim, v));
        assert.equal(prioOf(s, m[0], v), top, describe(sim, v));
        assert.deepEqual(vipHoldersAt(sim.timeline, v, end), m, 'the VIPs sit on the master only');
        assert.ok(tenures(sim.timeline, v).every((t) => t.fromUs >= mdi(version, top, intervalUs) - 2), 'nobody is master before Master_Down_Interval');
      }
    }), fcParams());
});

test('an equal-priority tie is broken by the higher primary address', () => {
  // Two masters only meet if both time out before the other's first advert lands: with zero delay the first advert
  // arrives as the other's timer fires, the backup accepts an equal priority, and no tie ever happens.
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, fc.integer({ min: 1, max: 1000 }), arbPriority, fc.boolean(),
    fc.uniqueArray(fc.integer({ min: 1, max: 0xfffe }), { minLength: 2, maxLength: 5 }),
    ({ version, intervalUs }, seed, delayUs, priority, v6, hosts) => {
      const family = v6 && version === 3 ? 6 : 4;
      const address = (h: number) => (family === 4 ? `10.${h >> 8}.${h & 0xff}.1` : `fe80::${h.toString(16)}`);
      const nodes = hosts.map((h) => ({ priority, address: address(h) }));
      const end = mdi(version, priority, intervalUs) + 4 * intervalUs;
      const { sim } = runScenario({ seed, version, family, intervalUs, nodes, lan: { delayUs }, durationUs: end });
      const best = hosts.indexOf(Math.max(...hosts));
      assert.deepEqual(sim.masters(), [best], describe(sim));
      // Everyone timed out together; every loser yielded on the winner's advert, one or two delays later.
      assert.deepEqual(badWindows(sim.timeline, 51, mdi(version, priority, intervalUs) + 2 * delayUs + 2, end), [], describe(sim));
    }), fcParams());
});

test('preempt: a higher-priority node that joins takes over after its Master_Down_Interval', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, fc.integer({ min: 1, max: 253 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 999 }),
    ({ version, intervalUs }, seed, delayUs, low, gap, phase) => {
      const high = Math.min(254, low + gap);
      const joinUs = mdi(version, low, intervalUs) + intervalUs + Math.floor((phase * intervalUs) / 1000);
      const takeover = joinUs + mdi(version, high, intervalUs);
      const end = takeover + 3 * intervalUs;
      const { sim } = runScenario({
        seed, version, intervalUs, lan: { delayUs }, durationUs: end,
        nodes: [{ priority: low }, { priority: high, startAtUs: joinUs }],
      });
      const t = firstMaster(sim.timeline, 51, joinUs);
      assert.ok(t && t.node === 1, describe(sim));
      // Lower adverts are discarded, never reset the timer: the takeover is Master_Down_Interval after the join.
      assert.ok(Math.abs(t.t - takeover) <= 2, `took over at ${t.t}, expected ${takeover}\n${describe(sim)}`);
      assert.deepEqual(sim.masters(), [1]);
      assert.deepEqual(badWindows(sim.timeline, 51, takeover + delayUs + 1, end), [], describe(sim));
    }), fcParams());
});

test('nopreempt: a higher-priority node that joins never takes over', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, fc.integer({ min: 1, max: 253 }), fc.integer({ min: 1, max: 100 }),
    ({ version, intervalUs }, seed, delayUs, low, gap) => {
      const high = Math.min(254, low + gap);
      const joinUs = mdi(version, low, intervalUs) + intervalUs;
      const end = joinUs + 10 * mdi(version, high, intervalUs);
      const { sim } = runScenario({
        seed, version, intervalUs, lan: { delayUs }, durationUs: end,
        nodes: [{ priority: low }, { priority: high, startAtUs: joinUs, nopreempt: true }],
      });
      assert.deepEqual(tenures(sim.timeline, 51).map((t) => t.node), [0], describe(sim));
      assert.equal(sim.state(1), 'BACKUP');
    }), fcParams());
});

test('preempt_delay defers the takeover until the delay has passed', () => {
  fc.assert(fc.property(
    arbVersionInterval, arbSeed, arbDelay, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 20 }),
    ({ version, intervalUs }, seed, delayUs, low, gap, delayIntervals) => {
      const high = low + gap;
      const preemptDelayUs = delayIntervals * intervalUs + ms(1);
      const joinUs = mdi(version, low, intervalUs) + intervalUs;
      const down = mdi(version, high, intervalUs);
      const end = joinUs + preemptDelayUs + down + 3 * intervalUs;
      const { sim } = runScenario({
        seed, version, intervalUs, lan: { delayUs }, durationUs: end,
        nodes: [{ priority: low }, { priority: high, startAtUs: joinUs, preemptDelayUs }],
      });
      const t = firstMaster(sim.timeline, 51, joinUs);
      assert.ok(t && t.node === 1, describe(sim));
      // Lower adverts are accepted until join + delay; the takeover follows the last one by Master_Down_Interval.
      const earliest = Math.max(joinUs + down, joinUs + preemptDelayUs + down - intervalUs - delayUs) - 2;
      const latest = joinUs + preemptDelayUs + down + 2;
      assert.ok(t.t >= earliest && t.t <= latest, `took over at ${t.t}, expected ${earliest}..${latest}\n${describe(sim)}`);
      assert.deepEqual(sim.masters(), [1]);
    }), fcParams());
});

test('v3: a backup adopts the master\'s advert interval', () => {
  fc.assert(fc.property(
    arbSeed, arbDelay, fc.constantFrom(20_000, 50_000, 100_000, 300_000), fc.constantFrom(20_000, 50_000, 100_000, 300_000, 1_000_000),
    fc.integer({ min: 101, max: 254 }), fc.integer({ min: 1, max: 100 }),
    (seed, delayUs, masterIv, backupIv, high, low) => {
      fc.pre(masterIv !== backupIv);
      const converged = Math.max(mdi(3, high, masterIv), mdi(3, low, backupIv)) + mdi(3, high, masterIv) + 2 * masterIv;
      const killUs = converged + 5 * Math.max(masterIv, backupIv);
      const end = killUs + mdi(3, low, masterIv) + 2 * backupIv;
      const { sim } = runScenario({
        seed, version: 3, lan: { delayUs }, durationUs: killUs - 1,
        nodes: [{ priority: high, intervalUs: masterIv }, { priority: low, intervalUs: backupIv }],
        events: [{ atUs: killUs, kind: 'kill', node: 0 }],
      });
      const info = sim.inspect(1)!;
      assert.equal(info.masterAdvertIntCs, masterIv / 10_000, describe(sim));
      assert.equal(info.advertIntCs, backupIv / 10_000);
      assert.ok(Math.abs(info.masterDownIntervalUs - mdi(3, low, masterIv)) <= 1);
      // With a shorter own interval, only the learned one keeps the backup from timing out between adverts.
      assert.deepEqual(badWindows(sim.timeline, 51, converged, killUs - 1), [], describe(sim));
      sim.run(end);
      const t = firstMaster(sim.timeline, 51, killUs);
      assert.ok(t && t.node === 1, describe(sim));
      // The backup times out on the learned interval: within Master_Down_Interval(learned) of the last advert.
      assert.ok(t.t <= killUs + delayUs + mdi(3, low, masterIv) + 2, `takeover ${t.t - killUs} µs after the kill\n${describe(sim)}`);
      assert.ok(t.t >= killUs + mdi(3, low, masterIv) - masterIv - 2, describe(sim));
    }), fcParams());
});

test('v2: a backup with another advert_int drops the master\'s adverts and becomes a second master (keepalived)', () => {
  const { sim } = runScenario({
    seed: 5, version: 2, durationUs: sec(20), lan: { delayUs: 1000 },
    nodes: [{ priority: 200, intervalUs: sec(1) }, { priority: 100, intervalUs: sec(2) }],
  });
  assert.deepEqual(sim.masters(), [0, 1]);
  assert.ok((sim.stats(1)?.advert_interval_err ?? 0) > 0 || (sim.rxVerdicts.get(3) ?? 0) > 0);
});

test('v3: learning the interval while yielding is counted in interval_adopted', () => {
  const { sim } = runScenario({
    seed: 0, version: 3, durationUs: ms(700),
    nodes: [{ priority: 101, intervalUs: ms(50) }, { priority: 1, intervalUs: ms(20) }],
  });
  assert.equal(sim.inspect(1)?.masterAdvertIntCs, 5);
  assert.ok(tenures(sim.timeline, 51).some((t) => t.node === 1), 'node2 was master first, then yielded');
  assert.ok((sim.stats(1)?.interval_adopted ?? 0) >= 1);
});
