// keepalived's tracker arithmetic, as tables (vrrp_track.c initialise_*_tracking_priorities / process_*_update).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TrackEntry, type TrackStates, boolAdjust, computePriority, fileStatus, resolveTracking } from '../../host/track/priority.ts';
import { TrackingHub } from '../../host/track/hub.ts';

const states = (p: Partial<{ [K in keyof TrackStates]: Record<string, unknown> }>): TrackStates => ({
  interfaces: new Map(Object.entries(p.interfaces ?? {})) as Map<string, boolean>,
  scripts: new Map(Object.entries(p.scripts ?? {})) as TrackStates['scripts'],
  files: new Map(Object.entries(p.files ?? {})) as Map<string, number>,
  processes: new Map(Object.entries(p.processes ?? {})) as Map<string, boolean>,
});
const pos = { at: { file: 'k.conf', line: 1, col: 1 } } as unknown as { at: never };

describe('boolean trackers (script, interface, process)', () => {
  // [ok, weight, reverse, adjustment]
  const table: [boolean, number, boolean, number][] = [
    [true, 10, false, 10], [false, 10, false, 0],
    [true, -10, false, 0], [false, -10, false, -10],
    [true, 10, true, -10], [false, 10, true, 0],
    [true, -10, true, 0], [false, -10, true, 10],
  ];
  for (const [ok, w, rev, want] of table) {
    it(`${ok ? 'OK' : 'failed'} weight ${w}${rev ? ' reverse' : ''} -> ${want}`, () => {
      assert.equal(boolAdjust(ok, w, rev), want);
      const v = computePriority([{ kind: 'script', name: 's', weight: w, reverse: rev }], states({ scripts: { s: ok ? 'up' : 'down' } }));
      assert.equal(v.delta, want);
      assert.equal(v.fault, false);
    });
  }
  it('weight 0: failure is FAULT, reverse makes success the failure', () => {
    for (const kind of ['script', 'interface', 'process'] as const) {
      const e: TrackEntry = { kind, name: 'x', weight: 0, reverse: false };
      const ok = kind === 'script' ? { scripts: { x: 'up' } } : kind === 'interface' ? { interfaces: { x: true } } : { processes: { x: true } };
      const bad = kind === 'script' ? { scripts: { x: 'down' } } : kind === 'interface' ? { interfaces: { x: false } } : { processes: { x: false } };
      assert.equal(computePriority([e], states(ok)).fault, false);
      assert.deepEqual(computePriority([e], states(bad)).faultBy, [`${kind}:x`]);
      assert.equal(computePriority([{ ...e, reverse: true }], states(ok)).fault, true);
      assert.equal(computePriority([{ ...e, reverse: true }], states(bad)).fault, false);
    }
  });
  it('a script that has not reported adds nothing; with weight 0 it is pending, not FAULT', () => {
    const v = computePriority([
      { kind: 'script', name: 'a', weight: 20, reverse: false },
      { kind: 'script', name: 'b', weight: -20, reverse: false },
      { kind: 'script', name: 'c', weight: 0, reverse: false },
    ], states({}));
    assert.deepEqual(v, { delta: 0, fault: false, pending: true, faultBy: [] });
  });
  it('a missing interface or process counts as down', () => {
    const v = computePriority([{ kind: 'interface', name: 'eth9', weight: -5, reverse: false }, { kind: 'process', name: 'p', weight: -7, reverse: false }], states({}));
    assert.equal(v.delta, -12);
  });
  it('sums several trackers (the nginx seed: weight -20 failing on prio 100 gives 80 < backup 90)', () => {
    const v = computePriority([
      { kind: 'script', name: 'chk_nginx', weight: -20, reverse: false },
      { kind: 'interface', name: 'eth1', weight: 5, reverse: false },
    ], states({ scripts: { chk_nginx: 'down' }, interfaces: { eth1: false } }));
    assert.equal(100 + v.delta, 80);
  });
});

describe('track_file', () => {
  // [value, weight, reverse, status] where -254 is FAULT
  const table: [number, number, boolean, number][] = [
    [0, 0, false, 0], [1, 0, false, -254], [-3, 0, false, -254], [0, 0, true, -254], [5, 0, true, 0],
    [5, 1, false, 5], [5, -2, false, -10], [5, 2, true, -10], [-5, 3, false, -15],
    [200, 2, false, 253], [-200, 2, false, -254], [-127, 2, false, -254], [-126, 2, false, -252],
    [1000, 1, false, 253], [-1000, 1, false, -254],
  ];
  for (const [value, w, rev, want] of table) {
    it(`value ${value} weight ${w}${rev ? ' reverse' : ''} -> ${want}`, () => {
      assert.equal(fileStatus(value, w, rev), want);
      const v = computePriority([{ kind: 'file', name: 'f', weight: w, reverse: rev }], states({ files: { f: value } }));
      assert.equal(v.fault, want === -254);
      assert.equal(v.delta, want === -254 ? 0 : want);
    });
  }
});

describe('resolveTracking', () => {
  const defs = {
    scripts: [{ name: 'chk', weight: -20, weightReverse: false }, { name: 'chk0', weight: 0, weightReverse: false }],
    files: [{ name: 'tf', weight: 1, reverse: false }, { name: 'tf5', weight: 5, reverse: false }],
    processes: [{ name: 'nginx', weight: 10, reverse: true }],
  };
  const inst = {
    name: 'VI_1', priority: 100,
    trackInterfaces: [{ ...pos, name: 'eth1', weight: 5, reverse: false }],
    trackScripts: [{ ...pos, name: 'chk', weight: null, reverse: false }, { ...pos, name: 'chk0', weight: 7, reverse: true }],
    trackFiles: [{ ...pos, name: 'tf', weight: null, reverse: false }],
    trackProcesses: [{ ...pos, name: 'nginx', weight: null, reverse: false }, { ...pos, name: 'nope', weight: null, reverse: false }],
  };
  it('applies instance overrides over the tracker defaults', () => {
    const r = resolveTracking(inst, null, defs);
    assert.deepEqual(r.entries, [
      { kind: 'interface', name: 'eth1', weight: 5, reverse: false },
      { kind: 'script', name: 'chk', weight: -20, reverse: false },
      { kind: 'script', name: 'chk0', weight: 7, reverse: true },
      { kind: 'file', name: 'tf', weight: 1, reverse: false },
      { kind: 'process', name: 'nginx', weight: 10, reverse: true },
    ]);
    assert.deepEqual(r.warnings, ['(VI_1) track process nope not found, ignoring...']);
  });
  it('sync group: group trackers apply to every member, weights dropped without sync_group_tracking_weight', () => {
    const group = {
      name: 'G', trackingWeight: false,
      trackInterfaces: [{ ...pos, name: 'eth2', weight: 0, reverse: false }],
      trackScripts: [{ ...pos, name: 'chk0', weight: null, reverse: false }],
      trackFiles: [{ ...pos, name: 'tf5', weight: null, reverse: false }], trackProcesses: [],
    };
    const r = resolveTracking({ ...inst, trackProcesses: [] }, group, defs);
    assert.deepEqual(r.entries, [
      { kind: 'interface', name: 'eth1', weight: 0, reverse: false },
      { kind: 'file', name: 'tf', weight: 0, reverse: false },
      { kind: 'interface', name: 'eth2', weight: 0, reverse: false },
    ]);
    // chk (weighted) removed; chk0 has an instance-level weight 7 which wins over the group's entry, so removed too;
    // tf5 (weight 5) removed; eth1 and tf (weight 1) tracked unweighted: five warnings.
    assert.equal(r.warnings.length, 5);
    const weighted = resolveTracking({ ...inst, trackProcesses: [] }, { ...group, trackingWeight: true }, defs);
    assert.equal(weighted.entries.length, 6);
  });
  it('an owner (255) keeps only unweighted trackers', () => {
    const r = resolveTracking({ ...inst, priority: 255, trackProcesses: [] }, null, defs);
    assert.deepEqual(r.entries, [{ kind: 'file', name: 'tf', weight: 0, reverse: false }]);
  });
});

describe('TrackingHub', () => {
  it('reports an instance verdict only when it changes', () => {
    const seen: [string, number, boolean][] = [];
    const hub = new TrackingHub<string>((k, v) => seen.push([k, v.delta, v.fault]));
    const first = hub.addInstance('VI_1', [{ kind: 'script', name: 'chk', weight: -20, reverse: false }, { kind: 'interface', name: 'eth0', weight: 0, reverse: false }]);
    assert.deepEqual(first, { delta: 0, fault: true, pending: false, faultBy: ['interface:eth0'] });
    hub.addInstance('VI_2', [{ kind: 'script', name: 'chk', weight: 10, reverse: false }]);
    hub.setInterface('eth0', true);
    hub.setInterface('eth0', true);
    hub.setScript('chk', 'down');
    hub.setScript('chk', 'down');
    hub.setScript('chk', 'up');
    assert.deepEqual(seen, [['VI_1', 0, false], ['VI_1', -20, false], ['VI_1', 0, false], ['VI_2', 10, false]]);
  });
});
