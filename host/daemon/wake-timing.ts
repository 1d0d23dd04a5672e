// How late the driver's timer wake-ups ran and how long their sends took, for `vipd status --json` (`timer`).
// A master's advert leaves at its deadline plus the wake-up's lateness plus the send; a late advert on the wire
// whose wake-up and send were on time was held up in the kernel after sendmmsg (a softirq backlog, the bridge),
// not in the daemon. Kept per wake-up without allocating: a histogram since start and a ring of the latest.
export const LATE_BUCKETS_US = [100, 250, 500, 1000, 2000, 5000] as const;
/** Wake-ups kept in the ring (at 0.1 s: the last 12.8 s of one master). */
export const RECENT = 128;

export interface WakeTimingReport {
  wakeups: number;
  /** Wake-ups that found their deadline not yet due (a timer that fired early). */
  earlyWakeups: number;
  /** Lateness of the latest wake-up that was not early. */
  lastLatenessUs: number;
  /** Wake-ups by lateness: under 100, 250, 500 µs, 1, 2, 5 ms, and the rest. */
  lateHistogram: number[];
  lateMaxUs: number;
  /** From the wake-up to the end of its sends (the core's work plus sendmmsg), longest since start. */
  sendMaxUs: number;
  /**
   * The latest wake-ups that sent something, oldest first: [deadline, woke, sent] on the daemon's monotonic
   * clock (µs), for lining up with a capture's timestamps.
   */
  recent: [number, number, number][];
  /** The monotonic clock's zero as wall-clock µs since the epoch (performance.timeOrigin), to place `recent`. */
  originUs: number;
}

export class WakeTiming {
  private readonly hist = new Uint32Array(LATE_BUCKETS_US.length + 1);
  private readonly ring = new Float64Array(RECENT * 3);
  private next = 0;
  private kept = 0;
  wakeups = 0;
  earlyWakeups = 0;
  lastLatenessUs = 0;
  lateMaxUs = 0;
  sendMaxUs = 0;

  /** A wake-up for `deadline` that ran at `woke`; `sent`: when its sends were done, NaN if it sent nothing. */
  record(deadline: number, woke: number, sent: number): void {
    this.wakeups++;
    let late = 0;
    if (woke < deadline) this.earlyWakeups++;
    else this.lastLatenessUs = late = woke - deadline;
    let b = 0;
    while (b < LATE_BUCKETS_US.length && late >= LATE_BUCKETS_US[b]) b++;
    this.hist[b]++;
    if (late > this.lateMaxUs) this.lateMaxUs = late;
    if (Number.isNaN(sent)) return;
    if (sent - woke > this.sendMaxUs) this.sendMaxUs = sent - woke;
    const o = this.next * 3;
    this.ring[o] = deadline;
    this.ring[o + 1] = woke;
    this.ring[o + 2] = sent;
    this.next = (this.next + 1) % RECENT;
    if (this.kept < RECENT) this.kept++;
  }

  report(): WakeTimingReport {
    const recent: [number, number, number][] = [];
    for (let k = 0; k < this.kept; k++) {
      const o = ((this.next - this.kept + k + RECENT) % RECENT) * 3;
      recent.push([this.ring[o], this.ring[o + 1], this.ring[o + 2]]);
    }
    return {
      wakeups: this.wakeups, earlyWakeups: this.earlyWakeups, lastLatenessUs: this.lastLatenessUs, lateHistogram: [...this.hist], lateMaxUs: this.lateMaxUs, sendMaxUs: this.sendMaxUs, recent,
      originUs: performance.timeOrigin * 1000,
    };
  }
}
