// N VRRP engines (each its own Core instance over the shared compiled module) on a virtual LAN with a virtual
// clock. Each step goes to the earliest thing that can happen: a scheduled scenario event, a packet arriving, or a
// node's core deadline. Nothing reads the wall clock or Math.random, so a scenario and its seed replay exactly.
import { Core, coreModule, ipv4Wrap, type Build, type CoreOutput, type InstanceConfig, type InstanceInfo } from '../core/wasm-core.ts';
import type { Stats } from '../core/names.ts';
import { EventQueue } from './event-queue.ts';
import { Lan } from './lan.ts';
import { mulberry32, type Rng } from './prng.ts';
import {
  checkEvent, resolveImpairments, resolveScenario, vipOf, type ResolvedNode, type ResolvedScenario, type Scenario, type SimEvent,
} from './scenario.ts';
import type { SimReason, SimState, TimelineEntry } from './timeline.ts';

export interface SimOptions {
  /** Record every advert sent in the timeline (many entries; off by default). */
  recordTransmits?: boolean;
  build?: Build;
  module?: WebAssembly.Module;
}

/** The run went past its step budget: a livelock in the core or the simulator, or a budget set too low. */
export class SimStepLimit extends Error {}

type Pending =
  | { kind: 'event'; event: SimEvent }
  | { kind: 'deliver'; from: number; to: number; bytes: Uint8Array; src: string; dst: string };

interface NodeRuntime {
  spec: ResolvedNode;
  core: Core | null;
  deadline: number;
  /** Per VRID index. */
  states: SimState[];
  vipsUp: boolean[];
}

export class Simulator {
  readonly scenario: ResolvedScenario;
  readonly timeline: TimelineEntry[] = [];
  readonly lan: Lan;
  /** How often each receive verdict (RX_* code) came back from handleDatagram, over all nodes. */
  readonly rxVerdicts = new Map<number, number>();
  /** The virtual clock, µs. */
  now = 0;
  /** Steps taken over the simulator's life. */
  steps = 0;
  private readonly rng: Rng;
  private readonly queue = new EventQueue<Pending>();
  private readonly nodes: NodeRuntime[];
  private readonly module: WebAssembly.Module;

  constructor(scenario: Scenario, private readonly opts: SimOptions = {}) {
    this.scenario = resolveScenario(scenario);
    const s = this.scenario;
    this.module = opts.module ?? coreModule(opts.build ?? 'release');
    this.rng = mulberry32(s.seed);
    this.lan = new Lan(s.nodes.length, s.lan);
    this.nodes = s.nodes.map((spec) => ({
      spec, core: null, deadline: Infinity,
      states: s.vrids.map(() => 'DOWN' as SimState), vipsUp: s.vrids.map(() => false),
    }));
    for (const n of s.nodes) {
      if (n.startAtUs !== null) this.queue.push(n.startAtUs, { kind: 'event', event: { atUs: n.startAtUs, kind: 'start', node: n.index } });
    }
    // Stable by time, so events given for one instant apply in the order written.
    const events = s.events.map((e, k) => ({ e, k })).sort((a, b) => a.e.atUs - b.e.atUs || a.k - b.k);
    for (const { e } of events) this.queue.push(Math.round(e.atUs), { kind: 'event', event: e });
  }

  // ---- Running ----

  /**
   * Runs until the virtual clock reaches `untilUs` (default: the scenario's duration), processing everything due
   * at or before it. Throws SimStepLimit after `maxSteps` steps in this call.
   */
  run(untilUs = this.scenario.durationUs, maxSteps = 5_000_000): this {
    for (let n = 0; ; n++) {
      if (!this.step(untilUs)) break;
      if (n >= maxSteps) throw new SimStepLimit(`simulation took more than ${maxSteps} steps before ${untilUs} µs (now ${this.now} µs)`);
    }
    if (this.now < untilUs) this.now = untilUs;
    return this;
  }

  /** One unit of work due at or before `untilUs`; false when there is none. Events and packets go before timers due at the same µs. */
  step(untilUs = Infinity): boolean {
    const tq = this.queue.peekTime();
    let tn = Infinity;
    let who = -1;
    this.nodes.forEach((n, k) => { if (n.core && n.deadline < tn) { tn = n.deadline; who = k; } });
    const t = Math.min(tq, tn);
    if (t > untilUs || t === Infinity) return false;
    this.steps++;
    if (t > this.now) this.now = t;
    if (tq <= tn) {
      const p = this.queue.pop()!.item;
      if (p.kind === 'event') this.apply(p.event);
      else this.deliver(p);
    } else {
      const n = this.nodes[who];
      n.core!.handleTimeout(this.now);
      this.drain(who);
    }
    return true;
  }

  /** Queues a scenario event (its atUs must not be in the past). */
  schedule(event: SimEvent): void {
    checkEvent(event, 'event', this.nodes.length, this.scenario.vrids);
    if (event.atUs < this.now) throw new Error(`cannot schedule an event at ${event.atUs} µs: the clock is at ${this.now} µs`);
    this.queue.push(Math.round(event.atUs), { kind: 'event', event });
  }

  // ---- Looking ----

  get nodeCount(): number { return this.nodes.length; }
  get vrids(): readonly number[] { return this.scenario.vrids; }
  nodeName(k: number): string { return this.nodes[k].spec.name; }
  isUp(k: number): boolean { return this.nodes[k].core !== null; }

  state(node: number, vrid = this.scenario.vrids[0]): SimState {
    return this.nodes[node].states[this.handleOf(vrid)];
  }

  /** Nodes that are MASTER of `vrid` now. */
  masters(vrid = this.scenario.vrids[0]): number[] {
    const h = this.handleOf(vrid);
    return this.nodes.flatMap((n, k) => (n.states[h] === 'MASTER' ? [k] : []));
  }

  /** The core's view of one instance, or null while the node is down. */
  inspect(node: number, vrid = this.scenario.vrids[0]): InstanceInfo | null {
    return this.nodes[node].core?.inspect(this.handleOf(vrid)) ?? null;
  }

  stats(node: number, vrid = this.scenario.vrids[0]): Stats | null {
    return this.nodes[node].core?.stats(this.handleOf(vrid)) ?? null;
  }

  private handleOf(vrid: number): number {
    const h = this.scenario.vrids.indexOf(vrid);
    if (h < 0) throw new Error(`VRID ${vrid} is not in this scenario`);
    return h;
  }

  // ---- Events ----

  private apply(e: SimEvent): void {
    const entry: TimelineEntry = { t: this.now, kind: 'event', event: e, node: 'node' in e ? e.node : null };
    this.timeline.push(entry);
    switch (e.kind) {
      case 'start': this.start(e.node); break;
      case 'kill': this.kill(e.node); break;
      case 'stop': this.stop(e.node); break;
      case 'restart':
        if (this.isUp(e.node)) this.stop(e.node);
        this.start(e.node);
        break;
      case 'kill-master': case 'stop-master': case 'isolate-master': {
        const m = this.masters(e.vrid)[0];
        entry.node = m ?? null;
        if (m === undefined) break;
        if (e.kind === 'kill-master') this.kill(m);
        else if (e.kind === 'stop-master') this.stop(m);
        else this.lan.partition([[m]]);
        break;
      }
      case 'partition': this.lan.partition(e.groups); break;
      case 'heal': this.lan.heal(); break;
      case 'cut': this.lan.cutLink(e.node); break;
      case 'uncut': this.lan.restoreLink(e.node); break;
      case 'fault': this.eachInstance(e.node, e.vrid, (c, h) => c.setFault(this.now, h, e.on)); break;
      case 'adjust': this.eachInstance(e.node, e.vrid, (c, h) => c.setPriorityAdjust(this.now, h, e.delta)); break;
      case 'impair': this.lan.impair = resolveImpairments(e.lan, 'impair'); break;
    }
  }

  private eachInstance(node: number, vrid: number | undefined, f: (c: Core, h: number) => void): void {
    const c = this.nodes[node].core;
    if (!c) return;
    this.scenario.vrids.forEach((v, h) => {
      if (vrid !== undefined && v !== vrid) return;
      f(c, h);
      this.drain(node);
    });
  }

  private config(n: ResolvedNode, h: number): InstanceConfig {
    const s = this.scenario;
    return {
      socket: 0, version: s.version, family: s.family, vrid: s.vrids[h], priority: n.priorities[h],
      advertIntUs: n.intervalUs, src: n.address, vips: [vipOf(s.family, s.vrids[h])],
      nopreempt: n.nopreempt, preemptDelayUs: n.preemptDelayUs,
      fastPreempt: s.vipdDefaults, startupClaim: s.vipdDefaults,
    };
  }

  private start(k: number): void {
    const n = this.nodes[k];
    if (n.core) return;
    const core = new Core(this.opts.build ?? 'release', this.module);
    this.scenario.vrids.forEach((_v, h) => core.configure(h, this.config(n.spec, h)));
    n.core = core;
    for (let h = 0; h < this.scenario.vrids.length; h++) {
      n.states[h] = 'INIT';
      core.start(this.now, h);
      this.drain(k);
    }
  }

  /** A silent stop: the node vanishes, sends nothing, and its addresses leave the LAN with it. */
  private kill(k: number): void {
    const n = this.nodes[k];
    if (!n.core) return;
    this.down(k, 'killed');
  }

  /** A graceful stop: shutdown (a master resigns with priority 0), drain, then the core goes. */
  private stop(k: number): void {
    const n = this.nodes[k];
    if (!n.core) return;
    this.scenario.vrids.forEach((_v, h) => { n.core!.shutdown(this.now, h); this.drain(k); });
    this.down(k, 'stopped');
  }

  private down(k: number, why: 'killed' | 'stopped'): void {
    const n = this.nodes[k];
    this.scenario.vrids.forEach((vrid, h) => {
      if (n.vipsUp[h]) {
        this.timeline.push({ t: this.now, kind: 'vip-del', node: k, vrid, cause: 'killed' });
        n.vipsUp[h] = false;
      }
      this.setState(k, h, 'DOWN', why);
    });
    n.core = null;
    n.deadline = Infinity;
  }

  private setState(k: number, h: number, to: SimState, reason: SimReason, from = this.nodes[k].states[h]): void {
    this.nodes[k].states[h] = to;
    if (from === to) return;
    this.timeline.push({ t: this.now, kind: 'state', node: k, vrid: this.scenario.vrids[h], from, to, reason });
  }

  // ---- Packets ----

  private deliver(p: Extract<Pending, { kind: 'deliver' }>): void {
    const n = this.nodes[p.to];
    // The partition or the receiver may have changed while the packet was on the wire.
    if (!n.core || !this.lan.canHear(p.from, p.to)) { this.lan.counters.unreachable++; return; }
    this.lan.counters.delivered++;
    const v = n.core.handleDatagram(this.now, 0, this.scenario.family, 255, p.bytes, p.src, p.dst);
    this.rxVerdicts.set(v, (this.rxVerdicts.get(v) ?? 0) + 1);
    this.drain(p.to);
  }

  private drain(k: number): void {
    const n = this.nodes[k];
    const core = n.core!;
    for (let guard = 0; guard < 100_000; guard++) {
      const o = core.poll();
      if (o.kind === 'timeout') { n.deadline = o.deadline; return; }
      this.onOutput(k, o);
    }
    throw new SimStepLimit(`node ${n.spec.name}: more than 100000 outputs in one drain`);
  }

  private onOutput(k: number, o: Exclude<CoreOutput, { kind: 'timeout' }>): void {
    const t = this.now;
    const vrid = this.scenario.vrids[o.handle];
    const n = this.nodes[k];
    switch (o.kind) {
      case 'transmit': {
        // An AH instance's transmit is already a whole IPv4 packet (its first nibble is 4, never a VRRP version).
        const whole = o.family === 4 && o.bytes[0] >> 4 === 4;
        if (this.opts.recordTransmits) this.timeline.push({ t, kind: 'transmit', node: k, vrid, priority: o.bytes[whole ? 46 : 2], bytes: o.bytes.length });
        const bytes = o.family === 4 && !whole ? ipv4Wrap(o.bytes, o.src, o.dst, 255) : o.bytes;
        for (const d of this.lan.route(k, this.rng)) {
          this.queue.push(t + d.delayUs, { kind: 'deliver', from: k, to: d.to, bytes, src: o.src, dst: o.dst });
        }
        break;
      }
      case 'state': this.setState(k, o.handle, o.to, o.reason, o.from); break;
      case 'vip-add': case 'vip-del':
        n.vipsUp[o.handle] = o.kind === 'vip-add';
        this.timeline.push({ t, kind: o.kind, node: k, vrid, cause: 'core' });
        break;
      case 'announce': this.timeline.push({ t, kind: 'announce', node: k, vrid, rounds: o.rounds, cause: o.cause }); break;
      case 'priority': this.timeline.push({ t, kind: 'priority', node: k, vrid, from: o.from, to: o.to }); break;
      case 'new-master': this.timeline.push({ t, kind: 'new-master', node: k, vrid, priority: o.priority, address: o.address }); break;
      case 'rx-lower': this.timeline.push({ t, kind: 'rx-lower', node: k, vrid, priority: o.priority, address: o.from }); break;
    }
  }
}
