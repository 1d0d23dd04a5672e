// A mixed pair: one vipd and one keepalived 2.2.7 in a two-host lab, the same configuration (apart from priority
// and unicast addresses), a capture on the bridge. `high` names which daemon has the higher priority.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../../../host/lab/netns.ts';
import { BridgeCapture } from './capture.ts';
import { type Mode, renderConf, vipFor } from './conf.ts';
import { type Kind, type State, VrrpDaemon, hasAddress } from './daemons.ts';

export const HIGH_PRIORITY = 150;
export const LOW_PRIORITY = 100;

export interface PairOptions {
  mode: Mode;
  high: Kind;
  subnet: number;
  /** advert_int per daemon kind, when they must differ (the mismatch cases). */
  advertInt?: Partial<Record<Kind, number>>;
  /** AH auth_pass per daemon kind, when they must differ (the wrong-password case). */
  authAh?: Partial<Record<Kind, string>>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Pair {
  readonly vip: string;
  readonly high: VrrpDaemon;
  readonly low: VrrpDaemon;
  readonly capture: BridgeCapture;

  private constructor(readonly lab: Lab, readonly opts: PairOptions, readonly dir: string) {
    this.vip = vipFor(opts.mode, opts.subnet);
    const [h1, h2] = lab.hosts;
    const lowKind: Kind = opts.high === 'vipd' ? 'keepalived' : 'vipd';
    this.high = new VrrpDaemon(lab, h1, opts.high, join(dir, 'high'));
    this.low = new VrrpDaemon(lab, h2, lowKind, join(dir, 'low'));
    const addr = (h: typeof h1) => (opts.mode.family === 4 ? h.ipv4 : h.ipv6);
    for (const [d, other, prio] of [[this.high, this.low, HIGH_PRIORITY], [this.low, this.high, LOW_PRIORITY]] as const) {
      d.writeConf(renderConf({ ...opts.mode, authAh: opts.authAh?.[d.kind] ?? opts.mode.authAh }, {
        routerId: d.label.replace('@', '-'), priority: prio, self: addr(d.host), peer: addr(other.host),
        advertInt: opts.advertInt?.[d.kind],
      }, opts.subnet));
    }
    this.capture = new BridgeCapture(lab, join(dir, 'vrrp.pcap'));
  }

  static async create(opts: PairOptions): Promise<Pair> {
    const dir = mkdtempSync(join(tmpdir(), `vipd-interop-${opts.mode.name}-${opts.high}-`));
    const lab = Lab.create({ hosts: 2, subnet: opts.subnet, client: false });
    const p = new Pair(lab, opts, dir);
    try {
      await p.capture.start();
    } catch (e) {
      p.destroy();
      throw e;
    }
    return p;
  }

  get vipd(): VrrpDaemon { return this.high.kind === 'vipd' ? this.high : this.low; }
  get keepalived(): VrrpDaemon { return this.high.kind === 'keepalived' ? this.high : this.low; }
  other(d: VrrpDaemon): VrrpDaemon { return d === this.high ? this.low : this.high; }

  /** Seconds -> ms of the protocol's Master_Down_Interval for priority p at advert interval a. */
  masterDownMs(p: number, a = this.opts.mode.advertInt): number {
    const skew = this.opts.mode.version === 2 ? (256 - p) / 256 : ((256 - p) * a) / 256;
    return (3 * a + skew) * 1000;
  }

  /** A generous bound for any one protocol step: several Master_Down_Intervals plus a daemon start under load. */
  get stepMs(): number { return 3 * this.masterDownMs(1) + 15_000; }

  holds(d: VrrpDaemon): boolean { return hasAddress(this.lab, d.host, this.vip); }

  /** Addresses a daemon sends its adverts from (IPv6: the link-local address, or the global one for unicast). */
  sources(d: VrrpDaemon): string[] {
    const h = d.host;
    return this.opts.mode.family === 4 ? [h.ipv4] : [this.lab.linkLocal(h), h.ipv6];
  }

  vipdSources(): string[] { return this.sources(this.vipd); }

  /** Poll until `master` logs MASTER and holds the VIP while the other is BACKUP/FAULT/DOWN without it. */
  async waitSettled(master: VrrpDaemon, timeoutMs = this.stepMs, otherStates: State[] = ['BACKUP']): Promise<number> {
    const other = this.other(master);
    const t0 = performance.now();
    const deadline = t0 + timeoutMs;
    for (let i = 0; i < 10_000 && performance.now() < deadline; i++) {
      if (master.state === 'MASTER' && otherStates.includes(other.state) && this.holds(master) && !this.holds(other)) {
        return performance.now() - t0;
      }
      await sleep(30);
    }
    throw new Error(`not settled with ${master.label} as the only master within ${timeoutMs} ms: ` +
      `${master.label}=${master.state}${this.holds(master) ? '+VIP' : ''}, ${other.label}=${other.state}${this.holds(other) ? '+VIP' : ''}\n` +
      `${master.tail(12)}\n${other.tail(12)}`);
  }

  /** Poll until `d` logs MASTER and holds the VIP (the other side may still hold a stale copy). */
  async waitMaster(d: VrrpDaemon, timeoutMs = this.stepMs): Promise<number> {
    const t0 = performance.now();
    for (let i = 0; i < 10_000 && performance.now() - t0 < timeoutMs; i++) {
      if (d.state === 'MASTER' && this.holds(d)) return performance.now() - t0;
      await sleep(10);
    }
    throw new Error(`${d.label} did not become master with the VIP within ${timeoutMs} ms (state ${d.state})\n${d.tail(15)}\n${this.other(d).tail(8)}`);
  }

  /** Hold for `ms` and fail if either side logged a state change meanwhile. */
  async assertStable(ms: number): Promise<void> {
    const from = [this.high.logs.length, this.low.logs.length];
    await sleep(ms);
    const moved = [this.high, this.low].filter((d, k) => d.count(/Entering \w+ STATE/, from[k]) > 0);
    if (moved.length) throw new Error(`unexpected state change within ${ms} ms:\n${moved.map((d) => d.tail(10)).join('\n')}`);
  }

  /** Both daemons' logs, interleaved by arrival time (for failure messages and kept directories). */
  transcript(): string {
    const all = [this.high, this.low].flatMap((d) => d.logs.map((l) => ({ ...l, who: d.label })));
    all.sort((a, b) => a.t - b.t);
    const t0 = all[0]?.t ?? 0;
    return all.map((l) => `${(l.t - t0).toFixed(1).padStart(9)} ${l.who.padEnd(14)} ${l.line}`).join('\n') + '\n';
  }

  destroy(keepDir = false): void {
    if (keepDir) writeFileSync(join(this.dir, 'transcript.log'), this.transcript());
    for (const d of [this.high, this.low]) {
      try { if (d.running) process.kill(d.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    this.lab.destroy();
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
