// Garbage collections of the daemon's V8 heap, for `vipd status --json` (`gc`). The receive and timer paths are
// meant to allocate nothing per datagram or advert: a flood that shows up here as a stream of collections would
// be garbage competing with the adverts for the CPU (and, with vrrp_rt_priority, a realtime event loop waiting
// for ordinary-priority GC helper threads). Cost: one observer callback per collection.
import { PerformanceObserver } from 'node:perf_hooks';

export interface GcStats {
  /** Collections since start, all kinds. */
  count: number;
  /** Of which minor (scavenges of the young generation) and major (mark-compact). */
  minor: number;
  major: number;
  /** Total and longest pause on the event-loop thread, ms. */
  totalMs: number;
  maxMs: number;
}

export class GcWatch {
  readonly stats: GcStats = { count: 0, minor: 0, major: 0, totalMs: 0, maxMs: 0 };
  private readonly obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const s = this.stats;
      s.count++;
      // detail.kind (perf_hooks.constants): NODE_PERFORMANCE_GC_MINOR = 1, NODE_PERFORMANCE_GC_MAJOR = 4
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (kind & 1) s.minor++;
      if (kind & 4) s.major++;
      s.totalMs += e.duration;
      if (e.duration > s.maxMs) s.maxMs = e.duration;
    }
  });

  constructor() {
    this.obs.observe({ entryTypes: ['gc'] });
  }

  close(): void {
    this.obs.disconnect();
  }
}
