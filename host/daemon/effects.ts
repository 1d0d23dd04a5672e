// Netlink and announcement work that the core asks for, run in order per instance and never awaited inside the
// drain: the protocol goes on while the kernel answers. Each queue is a promise chain; a failing step is
// reported and the chain continues.

export class EffectQueues {
  private readonly tails = new Map<number, Promise<void>>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly onError: (key: number, e: unknown) => void) {}

  run(key: number, step: () => Promise<void> | void): void {
    this.pending++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(step).catch((e) => this.onError(key, e)).finally(() => {
      this.pending--;
      if (this.tails.get(key) === next) this.tails.delete(key);
      if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
    this.tails.set(key, next);
  }

  get busy(): number { return this.pending; }

  /** Resolves when every queued step has finished, or after `timeoutMs` (false then). */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => { clearTimeout(t); resolve(true); });
    });
  }
}

/** Lets one message per key through every `intervalMs` and counts the rest (keepalived rate-limits too). */
export class RateLimit {
  private readonly last = new Map<string | number, { at: number; suppressed: number }>();
  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}
  /** Returns null to stay quiet, or the number of messages suppressed since the last one let through. */
  pass(key: string | number): number | null {
    const t = this.now();
    const e = this.last.get(key);
    if (e && t - e.at < this.intervalMs) {
      e.suppressed++;
      return null;
    }
    const suppressed = e?.suppressed ?? 0;
    this.last.set(key, { at: t, suppressed: 0 });
    return suppressed;
  }

  /** The next message for `key` goes through at once (what was suppressed is not reported). */
  forget(key: string | number): void {
    this.last.delete(key);
  }
}
