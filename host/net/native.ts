// Loads native/vipd_net.node and types its exports. The record layout mirrors native/vipd_net.c.
import { projectPath } from '../paths.ts';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

/** Byte offsets inside one 64-byte per-datagram record (send and receive). */
export const REC = {
  SIZE: 64,
  OFF: 0,
  LEN: 4,
  IFINDEX: 8,
  TTL: 12,
  FLAGS: 16,
  /** u32 rx: the socket's kernel drop count when this datagram was queued (SO_RXQ_OVFL; 0: none yet). */
  DROPS: 20,
  /** f64: kernel arrival time in CLOCK_MONOTONIC ns (0: none). */
  RXTIME: 24,
  SRC: 32,
  DST: 48,
} as const;
export const REC_F_TRUNC = 1;

export interface VipdNet {
  /** proto 51 (IPv4 only): keepalived's AH; the socket sends whole IPv4 packets (IP_HDRINCL). */
  openVrrp(family: 4 | 6, ifindex: number, rcvbuf: number, proto: 112 | 51): number;
  bindAddress(fd: number, family: 4 | 6, addr16: Buffer, ifindex: number): void;
  joinGroup(fd: number, family: 4 | 6, ifindex: number, group16: Buffer, join: boolean): void;
  sendBatch(fd: number, family: 4 | 6, data: Buffer, meta: Buffer, start: number, count: number): number;
  openPacket(): number;
  sendFrames(fd: number, data: Buffer, meta: Buffer, start: number, count: number): number;
  watch(fd: number, family: 4 | 6, data: Buffer, meta: Buffer, slot: number, batch: number,
    cb: (n: number) => void): NativeWatcher;
  unwatch(w: NativeWatcher): void;
  /** Reads the socket now, paused or not; returns the datagrams read (each round through the watcher's cb). */
  drain(w: NativeWatcher): number;
  /** [readable wake-ups, pauses, datagrams read, drain() calls] since watch(). */
  watchStats(w: NativeWatcher): [number, number, number, number];
  closeFd(fd: number): void;
  nsOpen(path: string): number;
  nsSet(fd: number): void;
  /** Handle these signals (real-time ones included) by calling cb(signo) from the event loop. */
  signalWatch(signals: number[], cb: (signo: number) => void): unknown;
  sigrt(): { min: number; max: number };
  timerCreate(cb: () => void): NativeTimer;
  timerArm(t: NativeTimer, delayNs: number): void;
  timerDisarm(t: NativeTimer): void;
  timerClose(t: NativeTimer): void;
  /** SCHED_RR at `priority` (0: SCHED_OTHER) for the calling thread, with SCHED_RESET_ON_FORK; 0 or an errno. */
  setRealtime(priority: number): number;
  /** [policy, priority, reset-on-fork] of the calling thread. */
  schedInfo(): [number, number, number];
  /** RLIMIT_RTTIME soft limit in µs (hard limit lifted where allowed); 0 or an errno. */
  setRlimitRttime(us: number): number;
  /** SCHED_BATCH for another thread of this process (never preempts on wake-up); 0 or an errno. */
  setHelperPolicy(tid: number): number;
  /** Busy-waits `us` µs on CLOCK_MONOTONIC; returns the µs spun. */
  spinFor(us: number): number;
  /**
   * Subscribe to the kernel's process events (proc connector; needs CAP_NET_ADMIN and the initial pid namespace).
   * cb(n) per wake-up: n PROC_EV records at the start of buf (reused afterwards); n < 0 is -errno, -ENOBUFS when
   * events were lost. nsFd: -1, or a network namespace fd (nsOpen) to open the socket in. Only events that can
   * matter are delivered: `pids` is a bitmap of the processes JS counts (the addon marks the ones it delivers; bit 0
   * set: deliver all), `names` the process names and `argv0s` the argv[0]s that count (native/proc_events.c).
   * Throws (code: errno name).
   */
  procEventsOpen(buf: Buffer, cb: (n: number) => void, nsFd: number, pids: Buffer, names: string[],
    argv0s: string[]): NativeProcEvents;
  procEventsClose(h: NativeProcEvents): void;
  readonly RECORD_SIZE: number;
  readonly BATCH_MAX: number;
}

/** One process event: four i32 (kind, pid, parent pid for FORK else 0, 0); whole processes only, no threads. */
export const PROC_EV = { SIZE: 16, FORK: 1, EXEC: 2, COMM: 3, EXIT: 4 } as const;

declare const procEventsBrand: unique symbol;
export type NativeProcEvents = { readonly [procEventsBrand]: true };
declare const watcherBrand: unique symbol;
export type NativeWatcher = { readonly [watcherBrand]: true };
declare const timerBrand: unique symbol;
export type NativeTimer = { readonly [timerBrand]: true };

const ADDON_PATH = projectPath('native/build/Release/vipd_net.node');

function load(): VipdNet {
  const require = createRequire(import.meta.url);
  try {
    const mod = require(ADDON_PATH) as VipdNet;
    if (mod.RECORD_SIZE !== REC.SIZE) throw new Error(`record size ${mod.RECORD_SIZE} != ${REC.SIZE}: rebuild native/`);
    return mod;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`vipd native addon not loadable (${why}); build it with: npm run build:native`);
  }
}

/** The addon, loaded on first use so that importing host/net costs nothing on machines without it. */
let cached: VipdNet | undefined;
export function native(): VipdNet {
  return (cached ??= load());
}

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name]),
);
/** 'ENETUNREACH' for 101: the addon returns -errno from the send paths rather than throwing. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}
