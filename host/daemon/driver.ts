// The run loop around the core: one input, drain every output to the sink, arm one timer for the deadline.
// (assembly/index.ts states the contract this follows.)
import * as abi from '../core/abi.ts';
import type { Core, CoreOutput } from '../core/wasm-core.ts';
import { WakeTiming } from './wake-timing.ts';

/** Monotonic microseconds. */
export type Clock = () => number;

export const monotonicUs: Clock = () => performance.now() * 1000;

/** Wakes the driver at a deadline. Only one wake-up is ever pending. */
export interface Waker {
  /** `takeover`: a backup's deadline (a failover waits on it), worth more care to meet exactly. */
  arm(deadlineUs: number, now: number, fire: () => void, takeover?: boolean): void;
  disarm(): void;
}

/**
 * setTimeout rounds to whole milliseconds and never fires early, so arming for ceil(delay) wakes at most about a
 * millisecond late. (A timerfd-based waker replaces it where sub-millisecond precision matters.)
 */
export class TimeoutWaker implements Waker {
  private t: NodeJS.Timeout | null = null;
  arm(deadlineUs: number, now: number, fire: () => void): void {
    this.disarm();
    const ms = Math.max(0, Math.ceil((deadlineUs - now) / 1000));
    // setTimeout takes at most 2^31-1 ms; a later deadline is re-armed when this one fires.
    this.t = setTimeout(() => { this.t = null; fire(); }, Math.min(ms, 0x7fffffff));
  }
  disarm(): void {
    if (this.t) clearTimeout(this.t);
    this.t = null;
  }
}

export type CoreEvent = Exclude<CoreOutput, { kind: 'timeout' } | { kind: 'transmit' }>;

/** Where the driver puts the core's outputs. Transmits arrive as views, valid only during the call. */
export interface OutputSink {
  transmit(handle: number, socket: number, peer: number, message: Uint8Array, addrs: Uint8Array, now: number): void;
  event(e: CoreEvent, now: number): void;
  /** The drain is over: flush batched sends. */
  drained?(now: number): void;
  /**
   * A takeover deadline (a backup's Master_Down timer) is due: feed in the datagrams that arrived before it and
   * are still waiting to be read (a receive pause, or the same event-loop turn), so a master's last advert counts.
   */
  beforeTakeover?(): void;
}

export class Driver {
  private armedFor = Infinity;
  private armedTakeover = false;
  private readonly pending: CoreEvent[] = [];
  private stopped = false;
  /** Every timer wake-up's lateness (or earliness) and send time (status `timer`). */
  readonly timing = new WakeTiming();
  /** When the last drain that transmitted had its sends done (NaN: that drain sent nothing). */
  private sentAt = NaN;

  /** Masters' adverts due within this many µs share a wake-up (assembly/index.ts handleTimeout). */
  slackUs = 0;

  constructor(
    private readonly core: Core,
    private readonly sink: OutputSink,
    private readonly clock: Clock = monotonicUs,
    private readonly waker: Waker = new TimeoutWaker(),
  ) {}

  /** Runs one input against the core at the current time, then drains and re-arms. */
  step(input: (now: number) => void): void {
    const now = this.clock();
    input(now);
    this.drain(now);
  }

  /**
   * After an input the caller ran at `t` (a datagram's arrival time, no later than now): drain the outputs and
   * re-arm. step() without its closure and its clock reading: the receive path allocates nothing per datagram.
   */
  settle(t: number): void {
    this.drain(t);
  }

  private drain(now: number): void {
    const core = this.core;
    let sent = false;
    this.sentAt = NaN;
    // Adverts leave first: everything else the drain produced (logging, notifications, netlink work) waits
    // until the batch is on the wire, so a transition costs the wire no more than the send itself.
    const events = this.pending;
    for (;;) {
      const k = core.pollKind();
      if (k === abi.OUT_TIMEOUT) {
        this.sink.drained?.(now);
        if (sent) this.sentAt = this.clock();
        // The delay is measured from the clock, not from `now`, which may be a packet's (earlier) arrival time;
        // read only when the deadline moved (an invalid datagram moves nothing and reads no clock).
        const deadline = core.nextDeadline();
        if (deadline !== this.armedFor) this.arm(deadline, this.clock());
        break;
      }
      if (k === abi.OUT_TRANSMIT) {
        this.sink.transmit(core.outInt(0), core.outInt(3), core.outInt(4), core.txMessage(core.outInt(1)), core.txAddrs(), now);
        sent = true;
      } else {
        events.push(core.decodeOutput(k) as CoreEvent);
      }
    }
    if (events.length === 0) return;
    const list = events.splice(0);
    for (const e of list) this.sink.event(e, now);
  }

  /** Arms the waker for a deadline that differs from armedFor (the caller checks: the clock is read only then). */
  private arm(deadline: number, now: number): void {
    if (this.stopped) return;
    this.armedFor = deadline;
    if (!Number.isFinite(deadline)) {
      this.waker.disarm();
      return;
    }
    this.armedTakeover = this.core.nextDeadlineIsTakeover();
    this.waker.arm(deadline, now, this.onTimer, this.armedTakeover);
  }

  private readonly onTimer = (): void => {
    const deadline = this.armedFor;
    if (this.armedTakeover && this.sink.beforeTakeover) {
      this.sink.beforeTakeover();
      // An advert read just now moved the deadline: the waker is armed for the new one.
      if (this.armedFor !== deadline || this.stopped) return;
    }
    this.armedFor = Infinity;
    const now = this.clock();
    this.core.handleTimeout(now, this.slackUs);
    this.drain(now);
    this.timing.record(deadline, now, this.sentAt);
  };

  stop(): void {
    this.stopped = true;
    this.waker.disarm();
  }
}
