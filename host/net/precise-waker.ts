// A Waker (host/daemon/driver.ts) on a timerfd: the driver's one timer, met to microseconds instead of Node's
// whole milliseconds, with no spinning. Falls back to nothing: callers choose TimeoutWaker when the addon is absent.
import { native, type NativeTimer } from './native.ts';

export class TimerfdWaker {
  private readonly t: NativeTimer;
  private fire: (() => void) | null = null;

  constructor() {
    this.t = native().timerCreate(() => {
      const f = this.fire;
      this.fire = null;
      f?.();
    });
  }

  arm(deadlineUs: number, now: number, fire: () => void): void {
    this.fire = fire;
    native().timerArm(this.t, Math.max(0, deadlineUs - now) * 1000);
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
