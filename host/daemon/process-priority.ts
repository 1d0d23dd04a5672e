// keepalived's vrrp_priority / vrrp_rt_priority / vrrp_rlimit_rttime for vipd's one process: the event-loop thread
// (which sends every advert) gets the nice value and, if asked, SCHED_RR. Realtime scheduling is what keeps adverts
// on time on a saturated machine (a packet flood, a busy neighbour): the thread runs when its timer fires instead of
// queueing behind ordinary processes. Threads and scripts started afterwards get ordinary scheduling
// (SCHED_RESET_ON_FORK, native/sched.c).
//
// RLIMIT_RTTIME (keepalived's default 10 ms when realtime) bounds how long the thread may run without sleeping.
// keepalived lets the kernel's SIGXCPU end its VRRP child there (its parent then restarts it); vipd is a single
// process, so it answers SIGXCPU by leaving realtime scheduling, says so, and goes on.
import os from 'node:os';
import type { ProcessPriority } from '../config/model.ts';
import type { Logger } from '../log.ts';
import { errnoName, native } from '../net/native.ts';

export const DEFAULT_RLIMIT_RTTIME_US = 10_000;

export class ProcessPriorityControl {
  private applied: ProcessPriority = { nice: null, rtPriority: null, rlimitRttimeUs: null };
  private readonly onXcpu = () => this.overran();
  private listening = false;

  constructor(private readonly log: Logger) {}

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
    if (want.rtPriority !== this.applied.rtPriority || rttime !== this.applied.rlimitRttimeUs) {
      const n = native();
      if (rttime !== null) {
        const err = n.setRlimitRttime(rttime);
        if (err !== 0) this.log.warn(`cannot set vrrp_rlimit_rttime ${rttime}: ${errnoName(err)}`);
      }
      const err = n.setRealtime(want.rtPriority ?? 0);
      if (err !== 0) {
        this.log.warn(`cannot use realtime scheduling (vrrp_rt_priority ${want.rtPriority}): ${errnoName(err)}` +
          (err === 1 ? ' (needs CAP_SYS_NICE, or an RLIMIT_RTPRIO that allows it)' : ''));
        want = { ...want, rtPriority: null };
      } else if (want.rtPriority !== null) {
        this.log.info(`vrrp process realtime scheduling: SCHED_RR priority ${want.rtPriority}, RLIMIT_RTTIME ${rttime} us`);
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
    if (this.applied.rtPriority === null) return;
    native().setRealtime(0);
    this.log.warn(`the VRRP thread ran ${this.applied.rlimitRttimeUs} us without sleeping (vrrp_rlimit_rttime): ` +
      'realtime scheduling turned off until the next reload');
    this.applied = { ...this.applied, rtPriority: null };
    process.removeListener('SIGXCPU', this.onXcpu);
    this.listening = false;
  }

  /** Back to ordinary scheduling (stop). */
  reset(): void {
    this.apply({ nice: null, rtPriority: null, rlimitRttimeUs: null });
  }
}
