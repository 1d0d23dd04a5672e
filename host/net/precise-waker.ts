// A Waker (host/daemon/driver.ts) on a timerfd: the driver's one timer, met to tens of microseconds instead of
// Node's whole milliseconds.
//
// epoll and the event loop add 0.1–0.5 ms between the timerfd expiring and JavaScript running (more on a busy
// machine). So the timerfd is armed early and the last stretch is waited out on the clock. That spin costs CPU,
// so it is rationed: a master's advert deadline is armed EARLY_US before and spins at most once per
// MIN_SPIN_GAP_US (wake-ups that come closer together — many instances, dense deadlines — fall back to the plain
// timerfd, whose lateness is bounded by the same 0.1–0.5 ms). A backup's deadline (a takeover) is armed
// TAKEOVER_EARLY_US before and always spins: it fires only when a master has gone quiet, and then the failover
// waits on it (measured 2026-12-04, 20 trials per case: with 300 µs the backup's first advert came 0.83–1.46 ms
// after Master_Down_Interval (median over v3 0.1 s and v2 1 s, link cut and SIGKILL), one 104 ms late; with
// 1 500 µs 0.24–0.53 ms, max 6.4 ms — docs/failover.md).
// `spinUs` counts what the spinning cost.
import { native, type NativeTimer } from './native.ts';

const EARLY_US = 300;
const TAKEOVER_EARLY_US = 1500;
const MIN_SPIN_GAP_US = 10_000;

export class TimerfdWaker {
  private readonly t: NativeTimer;
  private fire: (() => void) | null = null;
  private deadline = 0;
  private lastSpin = -Infinity;
  /** Total µs spent waiting out deadlines on the clock, and how many wake-ups did. */
  spinUs = 0;
  spins = 0;

  constructor(private readonly clock: () => number = () => performance.now() * 1000) {
    this.t = native().timerCreate(() => this.onExpiry());
  }

  /** How early the timerfd was armed for the current deadline (µs; 0: no spin planned). */
  early = 0;

  arm(deadlineUs: number, now: number, fire: () => void, takeover = false): void {
    this.fire = fire;
    this.deadline = deadlineUs;
    const delay = deadlineUs - now;
    // Rationed by deadline, not by now: a periodic timer is re-armed right after the wake-up that spun, and its
    // next deadline (an advert interval away) deserves the same precision.
    if (takeover) this.early = delay > TAKEOVER_EARLY_US ? TAKEOVER_EARLY_US : 0;
    else this.early = delay > 2 * EARLY_US && deadlineUs - this.lastSpin >= MIN_SPIN_GAP_US ? EARLY_US : 0;
    native().timerArm(this.t, Math.max(0, delay - this.early) * 1000);
  }

  private onExpiry(): void {
    const f = this.fire;
    if (!f) return;
    const left = this.deadline - this.clock();
    if (left > 0) {
      if (this.early === 0 || left > this.early) {
        native().timerArm(this.t, left * 1000);
        return;
      }
      this.lastSpin = this.deadline;
      this.spins++;
      // In C: a hot JavaScript loop here got tiered up by V8, whose compile job woke a helper thread that took
      // this CPU right before the advert (traced, 2026-12-04).
      this.spinUs += native().spinFor(left);
    }
    this.fire = null;
    f();
  }

  disarm(): void {
    this.fire = null;
    native().timerDisarm(this.t);
  }

  close(): void {
    this.fire = null;
    native().timerClose(this.t);
  }
}
