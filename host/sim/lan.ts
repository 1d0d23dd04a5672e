// The virtual LAN: who can hear whom (partitions, cut links) and what happens to each copy of a packet on the way
// (loss, delay, jitter, duplication, reordering), drawn from the simulation's seeded PRNG.
import type { Rng } from './prng.ts';
import type { Impairments } from './scenario.ts';

export interface Delivery { to: number; delayUs: number; copy: 'first' | 'duplicate'; reordered: boolean }

export interface LanCounters {
  /** Copies handed to the LAN (one per potential receiver). */
  offered: number;
  lost: number;
  unreachable: number;
  duplicated: number;
  reordered: number;
  delivered: number;
}

export class Lan {
  /** Group id per node while partitioned; null when every node can hear every other. */
  private groups: number[] | null = null;
  private readonly cut = new Set<number>();
  readonly counters: LanCounters = { offered: 0, lost: 0, unreachable: 0, duplicated: 0, reordered: 0, delivered: 0 };

  constructor(private readonly nodes: number, public impair: Required<Impairments>) {}

  /** Nodes in the same group hear each other; nodes listed in no group form one more group together. */
  partition(groups: number[][]): void {
    const g = new Array<number>(this.nodes).fill(groups.length);
    groups.forEach((members, k) => { for (const n of members) g[n] = k; });
    this.groups = g;
  }

  heal(): void { this.groups = null; }
  cutLink(node: number): void { this.cut.add(node); }
  restoreLink(node: number): void { this.cut.delete(node); }
  get partitioned(): boolean { return this.groups !== null; }
  isCut(node: number): boolean { return this.cut.has(node); }

  canHear(from: number, to: number): boolean {
    if (from === to || this.cut.has(from) || this.cut.has(to)) return false;
    return this.groups === null || this.groups[from] === this.groups[to];
  }

  /**
   * The fate of one multicast packet from `from`. Every other node costs the same draws whether or not it can
   * hear the sender, so a partition or a cut link does not shift the randomness of unrelated packets.
   */
  route(from: number, rng: Rng): Delivery[] {
    const out: Delivery[] = [];
    const l = this.impair;
    for (let to = 0; to < this.nodes; to++) {
      if (to === from) continue;
      const lost = rng.chance(l.loss);
      const dup = rng.chance(l.duplicate);
      const d1 = this.draw(rng);
      const d2 = this.draw(rng);
      this.counters.offered++;
      if (!this.canHear(from, to)) { this.counters.unreachable++; continue; }
      if (!lost) this.keep(out, { to, ...d1, copy: 'first' });
      else this.counters.lost++;
      if (dup) { this.keep(out, { to, ...d2, copy: 'duplicate' }); this.counters.duplicated++; }
    }
    return out;
  }

  private keep(out: Delivery[], d: Delivery): void {
    if (d.reordered) this.counters.reordered++;
    out.push(d);
  }

  private draw(rng: Rng): { delayUs: number; reordered: boolean } {
    const l = this.impair;
    const jitter = rng.uniform(-l.jitterUs, l.jitterUs);
    const reordered = rng.chance(l.reorder);
    return { delayUs: Math.max(0, Math.round(l.delayUs + jitter + (reordered ? l.reorderUs : 0))), reordered };
  }
}
