// vrrp_script: run a check every `interval`, count results with keepalived's rise/fall counter, report up/down.
// Counter (vrrp_scheduler.c): `result` runs 0..rise+fall-1 and the script is up when result >= rise. It starts at
// rise-1 (init_fail: 0), so the first success brings it up and a failure before any success brings it down at once.
import type { Logger } from '../log.ts';
import type { Outcome, PreparedCommand, ScriptResult, ScriptRunner } from '../exec/run-script.ts';
import type { ScriptStatus } from './priority.ts';

export interface Counter {
  /** 0..rise+fall-1 */
  result: number;
  /** Before the first result: 'init' (keepalived SCRIPT_INIT_STATE_INIT) or 'failed' (init_fail); then null. */
  initial: 'init' | 'failed' | null;
}

export function initialCounter(rise: number, initFail: boolean): Counter {
  return initFail ? { result: 0, initial: 'failed' } : { result: rise - 1, initial: 'init' };
}

/** One result into the counter; returns the new counter and the transition it causes, if any. */
export function step(c: Counter, success: boolean, rise: number, fall: number): { next: Counter; change: 'up' | 'down' | null } {
  const top = rise + fall - 1;
  let result = c.result;
  let change: 'up' | 'down' | null = null;
  if (success) {
    if (result < rise - 1) result++;
    else if (result !== top) {
      if (result < rise) change = 'up';
      result = top;
    }
  } else if (result > rise) {
    result--;
  } else {
    if (result === rise || c.initial === 'init') change = 'down';
    result = 0;
  }
  return { next: { result, initial: null }, change };
}

/** The status a counter means to the priority computation. */
export function statusOf(c: Counter, rise: number): ScriptStatus {
  if (c.initial === 'init') return 'init';
  return c.result >= rise ? 'up' : 'down';
}

export interface VrrpScriptOptions {
  name: string;
  command: PreparedCommand;
  intervalMs: number;
  /** 0 = the interval (keepalived). */
  timeoutMs: number;
  rise: number;
  fall: number;
  initFail: boolean;
  runner: ScriptRunner;
  log: Pick<Logger, 'info'>;
  /** Called after every transition (including the first result). */
  onChange: (status: ScriptStatus, name: string) => void;
}

/** keepalived's wording for a run's end, and whether it counts as a success. */
export function judge(name: string, o: Outcome, lastStatus: number | null, shellLine: string | null = null): { success: boolean; logs: string[]; status: number | null; reason: string } {
  const logs: string[] = [];
  switch (o.kind) {
    case 'exited': {
      if (shellLine !== null && (o.code === 126 || o.code === 127)) {
        // keepalived runs these through system() and exits 0 when the shell could not find or run the command.
        logs.push(`Couldn't ${o.code === 127 ? 'find' : 'execute'} command: ${shellLine}`);
        o = { kind: 'exited', code: 0 };
      }
      if (o.code !== lastStatus) logs.push(`Script \`${name}\` now returning ${o.code}`);
      return { success: o.code === 0, logs, status: o.code, reason: o.code === 0 ? 'succeeded' : `failed (exited with status ${o.code})` };
    }
    case 'timed_out':
      return { success: false, logs, status: lastStatus, reason: 'timed_out' };
    case 'signaled':
      return { success: false, logs, status: lastStatus, reason: `failed (due to signal ${signalNumber(o.signal)})` };
    case 'spawn_error':
      // keepalived's child logs the exec failure and exits 0: "script errors aren't server errors".
      logs.push(`Error exec-ing command '${name}': ${o.message}`);
      return { success: true, logs, status: lastStatus, reason: 'succeeded' };
    case 'rejected':
      return { success: false, logs, status: lastStatus, reason: 'rejected' };
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
function signalNumber(s: string): number | string { return SIGNALS[s] ?? s; }

export class VrrpScriptTracker {
  private counter: Counter;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private startedAt = 0;
  private lastStatus: number | null = null;
  private stopped = true;
  private nextAt = 0;
  /** Runs skipped because the previous one was still going. */
  skipped = 0;
  runs = 0;

  constructor(private readonly o: VrrpScriptOptions) {
    this.counter = initialCounter(o.rise, o.initFail);
  }

  get status(): ScriptStatus { return statusOf(this.counter, this.o.rise); }
  get result(): number { return this.counter.result; }
  get name(): string { return this.o.name; }
  get isRunning(): boolean { return this.running; }

  /** First run now (keepalived queues it as an event at startup), then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.nextAt = performance.now();
    this.tick();
  }

  /** Stops scheduling; a run in progress finishes (and is still reaped) but is no longer counted. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private tick(): void {
    if (this.stopped) return;
    // Next run is due one interval after this one was due, not after it ended (keepalived re-arms first).
    this.nextAt += this.o.intervalMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.nextAt - performance.now()));
    if (this.running) {
      this.skipped++;
      const timeout = this.o.timeoutMs || this.o.intervalMs;
      const late = performance.now() - this.startedAt > timeout;
      this.o.log.info(`Track script ${this.o.name} is ${late ? 'being timed out' : 'already running'}, expect idle - skipping run`);
      return;
    }
    this.running = true;
    this.startedAt = performance.now();
    this.runs++;
    void this.o.runner
      .run(this.o.command, { timeoutMs: this.o.timeoutMs || this.o.intervalMs, graceMs: 2000 })
      .then((r) => this.done(r));
  }

  private done(r: ScriptResult): void {
    this.running = false;
    if (this.stopped || r.outcome.kind === 'rejected') return;
    const j = judge(this.o.name, r.outcome, this.lastStatus, this.o.command.mode === 'shell' ? this.o.command.line : null);
    this.lastStatus = j.status;
    for (const l of j.logs) this.o.log.info(l);
    const { next, change } = step(this.counter, j.success, this.o.rise, this.o.fall);
    this.counter = next;
    if (change) {
      this.o.log.info(`VRRP_Script(${this.o.name}) ${j.reason}`);
      this.o.onChange(change, this.o.name);
    }
  }
}
