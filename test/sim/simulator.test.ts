// The simulator itself: replay from a seed, the LAN model, node lifecycle, the timeline queries and scenario checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  badWindows, mastersAt, ms, parseDuration, resolveScenario, runScenario, ScenarioError, sec, Simulator, SimStepLimit,
  summarise, tenures, vipHoldersAt, type Scenario,
} from '../../host/sim/index.ts';
import { mulberry32 } from '../../host/sim/prng.ts';
import { EventQueue } from '../../host/sim/event-queue.ts';
import { Lan } from '../../host/sim/lan.ts';
import { resolveImpairments } from '../../host/sim/scenario.ts';
import { mdi } from './helpers.ts';

const three: Scenario = {
  seed: 42, version: 3, intervalUs: ms(100),
  nodes: [{ priority: 150 }, { priority: 100 }, { priority: 50 }],
  lan: { delayUs: 1000 },
};

test('mulberry32 replays from its seed and spreads evenly', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  const xs = Array.from({ length: 10_000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 100), Array.from({ length: 100 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, mulberry32(8).next));
});

test('the event queue pops by time, and in push order at equal times', () => {
  const q = new EventQueue<string>();
  const items: [number, string][] = [[5, 'a'], [1, 'b'], [5, 'c'], [0, 'd'], [5, 'e'], [3, 'f']];
  for (const [t, s] of items) q.push(t, s);
  const out: string[] = [];
  while (q.size) out.push(q.pop()!.item);
  assert.deepEqual(out, ['d', 'b', 'f', 'a', 'c', 'e']);
  assert.equal(q.peekTime(), Infinity);
});

test('the LAN loses, duplicates and delays copies at the configured rates', () => {
  const lan = new Lan(2, resolveImpairments({ loss: 0.3, duplicate: 0.1, delayUs: 1000, jitterUs: 500 }, 'lan'));
  const rng = mulberry32(1);
  let got = 0;
  let dups = 0;
  const delays: number[] = [];
  for (let k = 0; k < 20_000; k++) {
    for (const d of lan.route(0, rng)) {
      if (d.copy === 'first') got++; else dups++;
      delays.push(d.delayUs);
    }
  }
  assert.ok(Math.abs(got / 20_000 - 0.7) < 0.015, `delivered ${got}`);
  assert.ok(Math.abs(dups / 20_000 - 0.1) < 0.01, `duplicated ${dups}`);
  assert.ok(delays.every((d) => d >= 500 && d <= 1500), 'delay stays within delay ± jitter');
  assert.ok(Math.min(...delays) < 520 && Math.max(...delays) > 1480, 'jitter spans its range');
  lan.partition([[0]]);
  assert.equal(lan.canHear(0, 1), false);
  assert.deepEqual(lan.route(0, rng), []);
  lan.heal();
  lan.cutLink(1);
  assert.equal(lan.canHear(0, 1), false);
  assert.equal(lan.canHear(1, 0), false);
});

test('a run replays exactly from its seed, impairments included', () => {
  const lossy: Scenario = {
    ...three, durationUs: sec(6),
    lan: { loss: 0.2, delayUs: 800, jitterUs: 600, duplicate: 0.05, reorder: 0.05 },
    events: [{ atUs: sec(2), kind: 'kill-master' }, { atUs: sec(3), kind: 'start', node: 0 }],
  };
  const a = runScenario(lossy, { recordTransmits: true }).sim;
  const b = runScenario(lossy, { recordTransmits: true }).sim;
  assert.deepEqual(a.timeline, b.timeline);
  assert.deepEqual(a.lan.counters, b.lan.counters);
  const c = runScenario({ ...lossy, seed: 43 }, { recordTransmits: true }).sim;
  assert.notDeepEqual(a.timeline, c.timeline);
});

test('three nodes elect the highest priority after its Master_Down_Interval', () => {
  const { sim, summary } = runScenario({ ...three, durationUs: sec(2) });
  assert.deepEqual(sim.masters(), [0]);
  const t = tenures(sim.timeline, 51);
  assert.equal(t.length, 1);
  // The first advert of the winner goes out at Master_Down_Interval exactly (timer arithmetic in whole µs).
  assert.ok(Math.abs(t[0].fromUs - mdi(3, 150, ms(100))) <= 1, `became master at ${t[0].fromUs}`);
  assert.deepEqual(vipHoldersAt(sim.timeline, 51, sec(1)), [0]);
  assert.deepEqual(summary.masters, { 51: [0] });
  assert.equal(sim.state(1), 'BACKUP');
  assert.equal(sim.inspect(1)?.masterAddress, '192.0.2.1');
});

test('kill is silent; stop resigns with priority 0; restart rejoins', () => {
  const sim = new Simulator({ ...three, events: [{ atUs: sec(1), kind: 'kill', node: 0 }] }, { recordTransmits: true });
  sim.run(sec(1));
  const sentAtKill = sim.timeline.filter((e) => e.kind === 'transmit' && e.node === 0).length;
  sim.run(sec(2));
  assert.equal(sim.isUp(0), false);
  assert.equal(sim.state(0), 'DOWN');
  assert.equal(sim.timeline.filter((e) => e.kind === 'transmit' && e.node === 0).length, sentAtKill, 'a killed node sends nothing');
  assert.equal(sim.timeline.filter((e) => e.kind === 'transmit' && e.priority === 0).length, 0);
  assert.deepEqual(sim.masters(), [1]);
  assert.deepEqual(vipHoldersAt(sim.timeline, 51, sec(1)), [], 'the VIP leaves with the killed node');

  sim.schedule({ atUs: sec(3), kind: 'stop', node: 1 });
  sim.run(sec(4));
  const zero = sim.timeline.filter((e) => e.kind === 'transmit' && e.priority === 0);
  assert.deepEqual(zero.map((e) => [e.t, e.node]), [[sec(3), 1]]);
  assert.deepEqual(sim.masters(), [2]);

  sim.schedule({ atUs: sec(5), kind: 'restart', node: 0 });
  sim.run(sec(6));
  assert.deepEqual(sim.masters(), [0], 'the restarted priority-150 node preempts');
  assert.equal(sim.state(1), 'DOWN');
});

test('isolating the master makes a second master; healing leaves one', () => {
  const { sim } = runScenario({
    ...three, durationUs: sec(4),
    events: [{ atUs: sec(1), kind: 'isolate-master' }, { atUs: sec(2), kind: 'heal' }],
  });
  assert.deepEqual(mastersAt(sim.timeline, 51, sec(2) - 1), [0, 1]);
  assert.deepEqual(sim.masters(), [0]);
  const bad = badWindows(sim.timeline, 51, ms(500), sec(4));
  assert.equal(bad.length, 1);
  assert.deepEqual(bad[0].masters, [0, 1]);
  assert.ok(bad[0].toUs > sec(2) && bad[0].toUs <= sec(2) + ms(100) + 2000, `healed at ${bad[0].toUs}`);
});

test('cutting a node\'s link isolates it both ways', () => {
  const { sim } = runScenario({
    ...three, durationUs: sec(3),
    events: [{ atUs: sec(1), kind: 'cut', node: 2 }, { atUs: sec(2), kind: 'uncut', node: 2 }],
  });
  const t = tenures(sim.timeline, 51).filter((x) => x.node === 2);
  assert.equal(t.length, 1, 'the cut node makes itself master');
  assert.ok(t[0].fromUs > sec(1) && t[0].toUs! > sec(2) && t[0].toUs! < sec(2) + ms(110));
  assert.deepEqual(sim.masters(), [0]);
});

test('tracker adjustments and faults reach the core', () => {
  const { sim } = runScenario({
    ...three, durationUs: sec(3),
    events: [
      { atUs: sec(1), kind: 'adjust', node: 0, delta: -100 },
      { atUs: sec(2), kind: 'fault', node: 1, on: true },
    ],
  });
  const prio = sim.timeline.find((e) => e.kind === 'priority');
  assert.deepEqual(prio && { node: prio.node, from: prio.from, to: prio.to }, { node: 0, from: 150, to: 50 });
  assert.equal(sim.state(1), 'FAULT');
  // node2 (100) took over from node1 (now 50) after the adjustment; its fault at 2 s hands over again.
  const masters = tenures(sim.timeline, 51).map((x) => x.node);
  assert.deepEqual(masters.slice(0, 2), [0, 1]);
  assert.equal(sim.masters().length, 1);
  assert.notEqual(sim.masters()[0], 1);
});

test('several VRIDs run side by side with their own priorities', () => {
  const { sim } = runScenario({
    seed: 3, version: 3, intervalUs: ms(50), vrids: [1, 2],
    nodes: [{ priority: { 1: 200, 2: 100 } }, { priority: { 1: 100, 2: 200 } }],
    durationUs: sec(1),
  });
  assert.deepEqual(sim.masters(1), [0]);
  assert.deepEqual(sim.masters(2), [1]);
});

test('IPv6 scenarios run over link-local sources', () => {
  const { sim } = runScenario({ ...three, family: 6, durationUs: sec(1) });
  assert.deepEqual(sim.masters(), [0]);
  assert.equal(sim.inspect(2)?.masterAddress, 'fe80::1');
  assert.ok((sim.rxVerdicts.get(0) ?? 0) > 0);
  assert.deepEqual([...sim.rxVerdicts.keys()], [0], 'every advert passes the core\'s checks');
});

test('the step limit bounds a run', () => {
  const sim = new Simulator(three);
  assert.throws(() => sim.run(sec(10), 50), SimStepLimit);
});

test('the summary measures failover against the RFC timers', () => {
  const { summary } = runScenario({ ...three, durationUs: sec(3), events: [{ atUs: sec(1), kind: 'stop-master' }] });
  const stop = summary.outcomes.find((o) => o.event?.kind === 'stop-master')!;
  assert.equal(stop.node, 0);
  assert.equal(stop.takeover?.node, 1);
  assert.equal(stop.takeover?.reason, 'priority-zero');
  assert.equal(stop.expected?.timer, 'Skew_Time');
  // Received after the 1 ms delay, then Skew_Time.
  assert.ok(Math.abs(stop.takeover!.afterUs - (1000 + stop.expected!.us)) <= 1);
  assert.equal(stop.settledAtUs, stop.takeover!.atUs);
  const summary2 = summarise(resolveScenario(three), [], 0);
  assert.equal(summary2.outcomes.length, 1);
});

test('scenario mistakes are named by field', () => {
  const bad = (s: unknown, re: RegExp) => assert.throws(() => resolveScenario(s as Scenario), (e: Error) => e instanceof ScenarioError && re.test(e.message));
  bad({ nodes: [] }, /^nodes: /);
  bad({ nodes: [{ priority: 0 }] }, /^nodes\[0\]\.priority: /);
  bad({ nodes: [{ priority: 100 }], version: 4 }, /^version: /);
  bad({ nodes: [{ priority: 100 }], family: 6, version: 2 }, /IPv6 needs VRRP version 3/);
  bad({ nodes: [{ priority: 100 }], intervalUs: 1000 }, /^intervalUs: /);
  bad({ nodes: [{ priority: 100, address: 'fe80::1' }] }, /^nodes\[0\]\.address: /);
  bad({ nodes: [{ priority: 100 }], lan: { loss: 2 } }, /^lan\.loss: /);
  bad({ nodes: [{ priority: 100 }], events: [{ atUs: 0, kind: 'kill', node: 3 }] }, /^events\[0\]\.node: /);
  bad({ nodes: [{ priority: 100 }], events: [{ atUs: 0, kind: 'explode' }] }, /^events\[0\]\.kind: unknown event/);
  bad({ nodes: [{ priority: { 52: 100 } }] }, /^nodes\[0\]\.priority\[51\]: /);
  bad({ nodes: [{ priority: 100 }, { priority: 100, address: '192.0.2.1' }] }, /addresses must differ/);
});

test('durations parse with units, bare numbers are seconds', () => {
  assert.equal(parseDuration('1ms'), 1000);
  assert.equal(parseDuration('0.5ms'), 500);
  assert.equal(parseDuration('250us'), 250);
  assert.equal(parseDuration('3s'), 3_000_000);
  assert.equal(parseDuration('0.1'), 100_000);
  assert.throws(() => parseDuration('fast'), /not a duration/);
  assert.throws(() => parseDuration('-1s'), /not a duration/);
});

test('scheduled events are checked like scenario events', () => {
  const sim = new Simulator(three);
  sim.run(sec(1));
  assert.throws(() => sim.schedule({ atUs: sec(2), kind: 'kill', node: 7 }), /event\.node: must be an integer 0\.\.2/);
  assert.throws(() => sim.schedule({ atUs: sec(0.5), kind: 'heal' }), /clock is at 1000000/);
});
