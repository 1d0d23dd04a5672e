// The kernel's process events (native/proc_events.c) as batches of records, for the vrrp_track_process tracker,
// with the addon's filter: the bitmap of the processes the tracker counts, which it keeps up to date here.
// Finding where to open the socket:  the connector answers only in the initial network
// namespace, so a daemon started inside another one (`ip netns exec`, as the labs do) opens it in the namespace of
// PID 1 or, where /proc/1/ns is not readable, of the nearest ancestor process that is in the initial one. A wrong
// candidate is harmless: the kernel refuses the subscription there (ECONNREFUSED) and the next one is tried.
import { readFileSync } from 'node:fs';
import { native, PROC_EV } from '../net/native.ts';
import type { NativeProcEvents } from '../net/native.ts';

export { PROC_EV };

/** Records per wake-up before the addon calls back early. */
const BATCH = 1024;
/** Ancestors tried, at most. */
const MAX_HOPS = 16;

function parentOf(pid: number): number {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

function candidates(): string[] {
  const out = ['/proc/1/ns/net'];
  for (let pid = process.ppid, k = 0; pid > 1 && k < MAX_HOPS; pid = parentOf(pid), k++) out.push(`/proc/${pid}/ns/net`);
  return out;
}

function pidMax(): number {
  try {
    return Math.min(Number(readFileSync('/proc/sys/kernel/pid_max', 'latin1')) || 4194304, 4194304);
  } catch {
    return 4194304;
  }
}

export interface ProcEventFilter {
  /** Process names (comm) that count. */
  names: string[];
  /** argv[0]s that count (full_command matching). */
  argv0s: string[];
}

export class ProcEvents {
  private readonly words = new Int32Array((BATCH * PROC_EV.SIZE) / 4);
  private readonly pids = Buffer.alloc((pidMax() >> 3) + 1);
  private readonly h: NativeProcEvents;
  private closed = false;

  /**
   * Subscribes; `onBatch(records, n)` gets n records (PROC_EV layout, 4 words each, valid only during the call),
   * `onError(errno)` a receive error (ENOBUFS: events were lost). Throws with the reason when the connector cannot
   * be used.
   */
  constructor(filter: ProcEventFilter, onBatch: (records: Int32Array, n: number) => void,
    onError: (errno: number) => void) {
    const n = native();
    const buf = Buffer.from(this.words.buffer);
    const cb = (k: number) => {
      if (this.closed) return;
      if (k < 0) onError(-k);
      else onBatch(this.words, k);
    };
    try {
      this.h = n.procEventsOpen(buf, cb, -1, this.pids, filter.names, filter.argv0s);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
    }
    let last: unknown = new Error('no initial network namespace found');
    for (const path of candidates()) {
      let fd: number;
      try {
        fd = n.nsOpen(path);
      } catch (e) {
        last = e;
        continue;
      }
      try {
        this.h = n.procEventsOpen(buf, cb, fd, this.pids, filter.names, filter.argv0s);
        return;
      } catch (e) {
        last = e;
      } finally {
        n.closeFd(fd);
      }
    }
    throw last;
  }

  /** Whether the events of `pid` (its forks and exit) are delivered: set for each process the tracker counts. */
  mark(pid: number, on: boolean): void {
    const i = pid >> 3;
    if (i >= this.pids.length) return; // beyond pid_max at start: the addon delivers those anyway
    if (on) this.pids[i] |= 1 << (pid & 7);
    else this.pids[i] &= ~(1 << (pid & 7));
  }

  /** Deliver every event (during a full scan) or, after it, only those of `counted` and of tracked names. */
  deliverAll(on: boolean, counted: Iterable<number> = []): void {
    if (on) {
      this.pids[0] |= 1;
      return;
    }
    this.pids.fill(0);
    for (const pid of counted) this.mark(pid, true);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    native().procEventsClose(this.h);
  }
}
