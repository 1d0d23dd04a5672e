// The simulator's pending events (packet deliveries and scheduled scenario events), earliest first; equal times
// leave in the order they were queued, so a run never depends on heap internals.

interface Slot<T> { t: number; seq: number; item: T }

export class EventQueue<T> {
  private readonly heap: Slot<T>[] = [];
  private seq = 0;

  get size(): number { return this.heap.length; }

  push(t: number, item: T): void {
    const h = this.heap;
    h.push({ t, seq: this.seq++, item });
    let k = h.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!before(h[k], h[p])) break;
      [h[k], h[p]] = [h[p], h[k]];
      k = p;
    }
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number { return this.heap.length ? this.heap[0].t : Infinity; }

  pop(): { t: number; item: T } | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m], h[k]];
        k = m;
      }
    }
    return { t: top.t, item: top.item };
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
