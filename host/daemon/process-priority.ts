// keepalived's vrrp_priority / vrrp_rt_priority / vrrp_rlimit_rttime for vipd's one process: the event-loop thread
// (which sends every advert) gets the nice value and, if asked, SCHED_RR. Realtime scheduling is what keeps adverts
// on time on a saturated machine (a packet flood, a busy neighbour): the thread runs when its timer fires instead of
// queueing behind ordinary processes. Threads and scripts started afterwards get ordinary scheduling
// (SCHED_RESET_ON_FORK, native/sched.c).
//
// RLIMIT_RTTIME (keepalived's default 10 ms when realtime) bounds how long the thread may run without sleeping.
// keepalived lets the kernel's SIGXCPU end its VRRP child there (its parent then restarts it, realtime again); vipd
// is a single process, so it answers SIGXCPU by leaving realtime scheduling for COOL_OFF_MS, says so, and goes on.
// Realtime comes back from a timer on the event loop, so only a loop that is healthy again gets it back: a burst
// (200 instances becoming master at once) costs a second of ordinary scheduling, a runaway loop keeps it off.
// Start-up and reloads are bursts that are known in advance: realtime is set aside for them (hold/release).
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ProcessPriority } from '../config/model.ts';
import type { Logger } from '../log.ts';
import { errnoName, native } from '../net/native.ts';
import { RateLimit } from './effects.ts';

export const DEFAULT_RLIMIT_RTTIME_US = 10_000;
/** Ordinary scheduling after a SIGXCPU, before realtime is tried again. */
export const COOL_OFF_MS = 1000;
/** release(): the event loop is sampled every QUIET_WINDOW_MS; realtime returns after a window mostly idle. */
export const QUIET_WINDOW_MS = 20;
/** Busy share of a window (event-loop utilisation) under which the loop counts as quiet. */
export const QUIET_UTILISATION = 0.25;
/** release() gives realtime back after this long even if the loop never went quiet (a busy machine). */
export const QUIET_MAX_MS = 2000;

/**
 * The event-loop thread sends every advert; the process's other threads — V8's platform workers (concurrent
 * JIT compilation, parallel scavenges) and libuv's thread pool — only help. A helper the event loop wakes
 * (a compile job, a scavenge task) used to preempt it on the same CPU for up to 3.4 ms right before an advert
 * (traced under a flood, 2026-12-04: a busy event loop has used more than its fair share, so the kernel's EEVDF
 * scheduler runs any thread that wakes beside it first, even one at nice 19). SCHED_BATCH never preempts on
 * wake-up: a helper runs on an idle CPU or from the next tick, with its fair share (nice unchanged: at nice 19 the
 * thread pool starved under load and reloads, which use it, fell behind). Linux sets the policy per thread.
 * Returns the threads set; threads started later (the script spawner) keep the event loop's settings.
 */
export function demoteHelpers(log: Logger): number {
  let n = 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const t of tids) {
    const tid = Number(t);
    if (tid === process.pid) continue;
    const err = native().setHelperPolicy(tid);
    if (err === 0) n++;
    else log.debug(`cannot set thread ${tid} to SCHED_BATCH: ${errnoName(err)}`); // it may have exited
  }
  return n;
}

export class ProcessPriorityControl {
  private applied: ProcessPriority = { nice: null, rtPriority: null, rlimitRttimeUs: null };
  private readonly onXcpu = () => this.overran();
  private listening = false;
  /** Realtime set aside for a burst of work (hold()); `applied` is what release() restores. */
  private held = false;
  /** Realtime off after a SIGXCPU until this timer restores it. */
  private cooling: NodeJS.Timeout | null = null;
  private readonly overrunLog = new RateLimit(60_000);
  /** release() waiting for a quiet event loop. */
  private quiet: NodeJS.Timeout | null = null;

  constructor(private readonly log: Logger) {}

  /**
   * Ordinary scheduling for a burst of work that does not sleep — loading a configuration, building sockets and
   * instances at start or reload — which would otherwise run past RLIMIT_RTTIME (10 ms by default; a Node
   * start-up alone takes longer) and cost realtime scheduling for good (SIGXCPU). release() restores it. The VRRP
   * timers and adverts keep running meanwhile, at ordinary priority.
   */
  hold(): void {
    this.stopQuiet();
    if (this.held) return;
    this.held = true;
    if (this.applied.rtPriority !== null) native().setRealtime(0);
  }

  /**
   * End of a hold. The burst does not end where the code that started it returns: the events it queued (state
   * changes, logs, notifies, first script runs, the first takeovers' JIT compilation) run on the next turns of the
   * loop — 20 ms of work for 200 instances, past the 10 ms default limit. So realtime comes back once the loop has
   * been mostly idle for a window (event-loop utilisation under QUIET_UTILISATION over QUIET_WINDOW_MS), or after
   * QUIET_MAX_MS regardless. `done` (tests) is called when it is back.
   */
  release(what = 'work', done?: () => void): void {
    if (!this.held || this.quiet) return;
    let last: EventLoopUtilization = performance.eventLoopUtilization();
    const start = Date.now();
    const check = () => {
      const now = performance.eventLoopUtilization();
      const window = performance.eventLoopUtilization(now, last);
      last = now;
      if (window.utilization >= QUIET_UTILISATION && Date.now() - start < QUIET_MAX_MS) {
        this.quiet = setTimeout(check, QUIET_WINDOW_MS).unref();
        return;
      }
      this.quiet = null;
      this.held = false;
      if (this.applied.rtPriority !== null) {
        const ms = Date.now() - start;
        this.log.debug(`realtime scheduling back ${ms} ms after the ${what} (event loop ` +
          (window.utilization < QUIET_UTILISATION ? 'quiet' : `still ${Math.round(window.utilization * 100)}% busy`) + ')');
      }
      if (!this.cooling) this.restoreRealtime(''); // else recover() does it
      done?.();
    };
    this.quiet = setTimeout(check, QUIET_WINDOW_MS).unref();
  }

  /** Still waiting for start-up's or a reload's work to finish (status, tests). */
  get holding(): boolean {
    return this.held;
  }

  private stopQuiet(): void {
    if (this.quiet) clearTimeout(this.quiet);
    this.quiet = null;
  }

  /** Realtime as applied, with the configured limit (the kernel raises the soft limit by 1 s per SIGXCPU). */
  private restoreRealtime(again: string): void {
    const rt = this.applied.rtPriority;
    if (rt === null) return;
    const n = native();
    if (this.applied.rlimitRttimeUs !== null) n.setRlimitRttime(this.applied.rlimitRttimeUs);
    const err = n.setRealtime(rt);
    if (err !== 0) {
      this.log.warn(`cannot use realtime scheduling${again} (vrrp_rt_priority ${rt}): ${errnoName(err)}`);
      this.applied = { ...this.applied, rtPriority: null };
    }
  }

  /** Apply a configuration's settings (start and every reload); settings removed by a reload are undone. */
  apply(want: ProcessPriority): void {
    if (want.nice !== this.applied.nice) {
      const nice = want.nice ?? 0;
      try {
        os.setPriority(0, nice); // pid 0: the calling thread on Linux
        if (want.nice !== null) this.log.info(`vrrp process priority (nice) set to ${nice}`);
      } catch (e) {
        this.log.warn(`cannot set vrrp_priority ${nice}: ${(e as Error).message}`);
      }
    }
    const rttime = want.rtPriority === null ? null : (want.rlimitRttimeUs ?? DEFAULT_RLIMIT_RTTIME_US);
    const had = this.applied.rtPriority !== null;
    // Cooling off after a SIGXCPU: a reload sets everything afresh (the soft limit, which the kernel raised by 1 s).
    const cooled = this.cooling !== null;
    this.stopCooling();
    if (cooled || want.rtPriority !== this.applied.rtPriority || rttime !== this.applied.rlimitRttimeUs) {
      const n = native();
      if (rttime !== null) {
        const err = n.setRlimitRttime(rttime);
        if (err !== 0) this.log.warn(`cannot set vrrp_rlimit_rttime ${rttime}: ${errnoName(err)}`);
      }
      // While held, realtime is only recorded: release() sets it once the burst of work is over.
      const err = this.held && want.rtPriority !== null ? 0 : n.setRealtime(want.rtPriority ?? 0);
      if (err !== 0) {
        this.log.warn(`cannot use realtime scheduling (vrrp_rt_priority ${want.rtPriority}): ${errnoName(err)}` +
          (err === 1 ? ' (needs CAP_SYS_NICE, or an RLIMIT_RTPRIO that allows it)' : ''));
        want = { ...want, rtPriority: null };
      } else if (want.rtPriority !== null) {
        if (!cooled || want.rtPriority !== this.applied.rtPriority || rttime !== this.applied.rlimitRttimeUs) {
          this.log.info(`vrrp process realtime scheduling: SCHED_RR priority ${want.rtPriority}, RLIMIT_RTTIME ${rttime} us`);
        }
      } else if (had) {
        this.log.info('vrrp process realtime scheduling turned off');
      }
    }
    if (want.rtPriority !== null && !this.listening) {
      process.on('SIGXCPU', this.onXcpu);
      this.listening = true;
    } else if (want.rtPriority === null && this.listening) {
      process.removeListener('SIGXCPU', this.onXcpu);
      this.listening = false;
    }
    this.applied = { nice: want.nice, rtPriority: want.rtPriority, rlimitRttimeUs: want.rtPriority === null ? null : rttime };
  }

  private overran(): void {
    if (this.applied.rtPriority === null || this.held || this.cooling) return;
    native().setRealtime(0);
    const suppressed = this.overrunLog.pass('xcpu');
    if (suppressed !== null) {
      this.log.warn(`the VRRP thread ran ${this.applied.rlimitRttimeUs} us without sleeping (vrrp_rlimit_rttime): ` +
        `ordinary scheduling for ${COOL_OFF_MS / 1000} s` + (suppressed > 0 ? ` (${suppressed} more since the last report)` : ''));
    }
    this.cooling = setTimeout(() => this.recover(), COOL_OFF_MS);
    this.cooling.unref();
  }

  private recover(): void {
    this.cooling = null;
    if (!this.held) this.restoreRealtime(' again'); // else release() does it
  }

  private stopCooling(): void {
    if (this.cooling) clearTimeout(this.cooling);
    this.cooling = null;
  }

  /** Back to ordinary scheduling (stop). */
  reset(): void {
    this.stopQuiet();
    this.held = false;
    this.stopCooling();
    this.apply({ nice: null, rtPriority: null, rlimitRttimeUs: null });
  }
}
