// vrrp_track_process: is the number of matching processes within quorum..quorum_max? Like keepalived, the tracker
// follows the kernel's process events (the proc connector, ./proc-events.ts): one /proc scan at start, then each
// fork, exec, name change and exit updates a table of the matching processes, reading /proc only for the process
// concerned. Where the connector cannot be opened (no CAP_NET_ADMIN, a pid namespace) it scans /proc on an interval
// (1 s by default) instead; after lost events (socket overrun) it rescans once. The scan runs in a worker thread
// with synchronous reads (ProcScanner); scanProcTable is the same pass with async reads, for one-off use. Cost
// measured in docs/tracking.md.
import { projectPath } from '../paths.ts';
import { closeSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { constants } from 'node:os';
import { basename } from 'node:path';
import type { TrackProcess } from '../config/model.ts';
import type { Logger } from '../log.ts';
import { PROC_EV, ProcEvents } from './proc-events.ts';

export interface ProcEntry {
  pid: number;
  /** Kernel task name (/proc/PID/stat), at most 15 bytes. */
  comm: string;
  /** /proc/PID/cmdline as read (NUL separated), when asked for. */
  cmdline: string | null;
}

const BUF = 4096;

async function readSmall(path: string, buf: Buffer): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
    let len = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, len, buf.length - len, len);
      if (bytesRead === 0) break;
      len += bytesRead;
      if (len === buf.length) break;
    }
    return buf.toString('latin1', 0, len);
  } catch {
    return null; // the process exited meanwhile
  } finally {
    await fh?.close();
  }
}

/**
 * One pass over /proc: every live (not zombie) process with its comm and, if `withCmdline`, its command line.
 * `parallel` reads are in flight at once.
 */
export async function scanProcTable(withCmdline: boolean, procRoot = '/proc', parallel = 16): Promise<ProcEntry[]> {
  const names = (await readdir(procRoot)).filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57);
  const out: ProcEntry[] = [];
  let next = 0;
  const workerLoop = async () => {
    const buf = Buffer.allocUnsafe(BUF);
    while (next < names.length) {
      const name = names[next++];
      const stat = await readSmall(`${procRoot}/${name}/stat`, buf);
      if (stat === null) continue;
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      if (open < 0 || close < open) continue;
      const state = stat.charAt(close + 2);
      if (state === 'Z' || state === 'X') continue;
      const comm = stat.slice(open + 1, close);
      let cmdline: string | null = null;
      if (withCmdline) {
        cmdline = await readSmall(`${procRoot}/${name}/cmdline`, buf);
        if (!cmdline) continue; // kernel threads and exiting processes have none
      }
      out.push({ pid: Number(name), comm, cmdline });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, workerLoop));
  return out;
}

const syncBuf = Buffer.allocUnsafe(8192);

function readSync1(path: string): string | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let len = 0;
    for (;;) {
      const n = readSync(fd, syncBuf, len, syncBuf.length - len, len);
      if (n === 0 || (len += n) === syncBuf.length) break;
    }
    return syncBuf.toString('latin1', 0, len);
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * One process, as a scan would see it: null when it is gone, a zombie, or (withCmdline) has no command line.
 * Synchronous: a few µs for the two small /proc reads an event costs, less than handing them to the worker.
 */
export function readProcEntry(pid: number, withCmdline: boolean, procRoot = '/proc'): ProcEntry | null {
  const stat = readSync1(`${procRoot}/${pid}/stat`);
  if (stat === null) return null;
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const state = stat.charAt(close + 2);
  if (state === 'Z' || state === 'X') return null;
  let cmdline: string | null = null;
  if (withCmdline) {
    cmdline = readSync1(`${procRoot}/${pid}/cmdline`);
    if (!cmdline) return null;
  }
  return { pid, comm: stat.slice(open + 1, close), cmdline };
}

/** The scan in a worker thread (proc-scan-worker.cjs): the event loop only receives the result. */
export class ProcScanner {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (rows: ProcEntry[]) => void>();
  private nextId = 1;

  constructor(private readonly procRoot = '/proc') {
    this.worker = new Worker(projectPath('host/track/proc-scan-worker.cjs'));
    this.worker.unref();
    this.worker.on('message', (m: { id: number; rows: [number, string, string | null][] }) => {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      done?.(m.rows.map(([pid, comm, cmdline]) => ({ pid, comm, cmdline })));
    });
  }

  scan(withCmdline: boolean): Promise<ProcEntry[]> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.waiting.set(id, resolve);
      this.worker.ref();
      this.worker.postMessage({ id, withCmdline, procRoot: this.procRoot });
    });
  }

  close(): Promise<number> { return this.worker.terminate(); }
}

export interface ProcessMatcher {
  name: string;
  /** argv[0] (full path or name) and parameters as configured. */
  argv: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  /** Match the command line, not the 15-byte comm. Implied by parameters. */
  fullCommand: boolean;
}

/** keepalived's check_params over NUL-joined parameter bytes (trailing NUL included). */
export function paramsMatch(want: string[], actual: string, mode: 'exact' | 'initial' | 'partial'): boolean {
  const p = want.length ? want.join('\0') + '\0' : '';
  if (mode === 'exact' && !p && actual.length === 0) return true;
  if (actual.length < p.length) return false;
  if (mode === 'exact') return actual === p;
  if (!p) return true;
  // Note keepalived's code: 'partial' compares whole parameters (with the NUL), 'initial' lets the last be a prefix.
  if (mode === 'partial') return actual.startsWith(p);
  return p.length === 1 || actual.startsWith(p.slice(0, -1));
}

export function processMatches(m: ProcessMatcher, e: ProcEntry): boolean {
  if (!m.fullCommand) return e.comm === basename(m.argv[0]).slice(0, 15);
  if (e.cmdline === null) return false;
  const z = e.cmdline.indexOf('\0');
  const argv0 = z < 0 ? e.cmdline : e.cmdline.slice(0, z);
  if (argv0 !== m.argv[0]) return false;
  const rest = z < 0 ? '' : e.cmdline.slice(z + 1);
  return paramsMatch(m.argv.slice(1), rest, m.paramMatch);
}

export function matcherOf(p: TrackProcess): ProcessMatcher {
  return { name: p.name, argv: p.argv, paramMatch: p.paramMatch, fullCommand: p.fullCommand || p.argv.length > 1 };
}

export interface ProcessTrackerOptions {
  processes: readonly TrackProcess[];
  /** Period of the /proc scan when process events are not available. */
  intervalMs?: number;
  /** Follow the kernel's process events (default); false: periodic scans only. */
  events?: boolean;
  log: Pick<Logger, 'info'>;
  /** A process tracker gained or lost its quorum (after fork_delay / terminate_delay). */
  onChange: (name: string, quorum: boolean, count: number) => void;
  procRoot?: string;
}

interface Tracked {
  def: TrackProcess;
  m: ProcessMatcher;
  /** Matching processes in the table now. */
  live: number;
  /** The count quorum was last evaluated on. */
  count: number;
  quorum: boolean;
  delay: NodeJS.Timeout | null;
}

/** A matching process: its identity as last read, and the indexes of the trackers it counts for. */
interface Row {
  e: ProcEntry;
  hits: number[];
}

export class ProcessTracker {
  private readonly tracked: Tracked[];
  /** The processes that match at least one tracker; the rest of the system is not kept. */
  private table = new Map<number, Row>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  /** Events were lost while a scan was running, possibly after it had read the processes concerned: scan again. */
  private again = false;
  private closed = false;
  private readonly scanner: ProcScanner;
  private readonly withCmdline: boolean;
  private events: ProcEvents | null = null;
  /** Event records that arrived during a full scan, applied after it (copies: the addon reuses its buffer). */
  private queued: number[] | null = null;
  /** 'events' once subscribed to the kernel's process events, else 'scan' (periodic). */
  mode: 'events' | 'scan' = 'scan';
  /** Full scans done, and the duration of the last one (ms). */
  scans = 0;
  lastScanMs = 0;
  /** Process event records applied, and overruns (each followed by a full scan). */
  eventsApplied = 0;
  overruns = 0;

  constructor(private readonly o: ProcessTrackerOptions) {
    this.tracked = o.processes.map((def) => ({ def, m: matcherOf(def), live: 0, count: 0, quorum: false, delay: null }));
    this.withCmdline = this.tracked.some((t) => t.m.fullCommand);
    this.scanner = new ProcScanner(o.procRoot);
  }

  quorum(name: string): boolean { return this.tracked.find((t) => t.def.name === name)?.quorum ?? false; }
  count(name: string): number { return this.tracked.find((t) => t.def.name === name)?.count ?? 0; }
  /** name -> quorum, for TrackStates.processes. */
  states(): Map<string, boolean> { return new Map(this.tracked.map((t) => [t.def.name, t.quorum])); }

  /** Subscribe to process events if possible, first scan (no onChange, no delays), then events or periodic scans. */
  async start(): Promise<Map<string, boolean>> {
    // Subscribing before the scan means nothing that happens during it is missed: events are queued meanwhile.
    let why = 'disabled';
    if (this.o.events !== false && (this.o.procRoot ?? '/proc') === '/proc') {
      try {
        const filter = {
          names: this.tracked.filter((t) => !t.m.fullCommand).map((t) => basename(t.m.argv[0]).slice(0, 15)),
          argv0s: this.tracked.filter((t) => t.m.fullCommand).map((t) => t.m.argv[0]),
        };
        this.events = new ProcEvents(filter, (r, n) => this.onEvents(r, n), (errno) => this.onEventError(errno));
        this.mode = 'events';
      } catch (e) {
        why = e instanceof Error ? e.message : String(e);
      }
    }
    this.o.log.info(this.mode === 'events'
      ? 'Tracking processes from the kernel\'s process events'
      : `Tracking processes by scanning /proc every ${(this.o.intervalMs ?? 1000) / 1000} s (process events: ${why})`);
    await this.scan(true);
    if (this.mode === 'scan') this.scanEvery();
    return this.states();
  }

  /** A full scan now (also the fallback's periodic pass). */
  rescan(): Promise<void> { return this.scan(false); }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.tracked) if (t.delay) clearTimeout(t.delay);
    this.events?.close();
    this.events = null;
    void this.scanner.close();
  }

  private scanEvery(): void {
    const every = this.o.intervalMs ?? 1000;
    const loop = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => { void this.rescan().finally(loop); }, every);
    };
    loop();
  }

  private scan(initial: boolean): Promise<void> {
    if (this.scanning) return this.scanning;
    if (this.mode === 'events') {
      this.queued ??= [];
      this.events?.deliverAll(true);
    }
    this.scanning = (async () => {
      const t0 = performance.now();
      const rows = await this.scanner.scan(this.withCmdline);
      this.lastScanMs = performance.now() - t0;
      this.scans++;
      if (this.closed) return;
      this.table = new Map();
      for (const t of this.tracked) t.live = 0;
      for (const e of rows) this.put(e.pid, e);
      this.events?.deliverAll(false, this.table.keys());
      const queued = this.queued;
      this.queued = null;
      if (queued) this.applyEvents(Int32Array.from(queued), queued.length / 4);
      for (const t of this.tracked) this.apply(t, t.live, initial);
    })().finally(() => {
      this.scanning = null;
      if (this.again && !this.closed) {
        this.again = false;
        void this.scan(false);
      }
    });
    return this.scanning;
  }

  /** Sets (or with null drops) pid's row; returns whether any tracker's count changed. */
  private put(pid: number, e: ProcEntry | null): boolean {
    const old = this.table.get(pid);
    if (old) {
      this.table.delete(pid);
      for (const i of old.hits) this.tracked[i].live--;
    }
    let hits: number[] | null = null;
    if (e) {
      for (let i = 0; i < this.tracked.length; i++) if (processMatches(this.tracked[i].m, e)) (hits ??= []).push(i);
      if (hits) {
        this.table.set(pid, { e, hits });
        for (const i of hits) this.tracked[i].live++;
      }
    }
    return !sameHits(old?.hits, hits);
  }

  private onEvents(r: Int32Array, n: number): void {
    if (this.closed) return;
    if (this.queued) {
      for (let k = 0; k < n * 4; k++) this.queued.push(r[k]);
      return;
    }
    if (this.applyEvents(r, n)) for (const t of this.tracked) if (t.live !== t.count) this.apply(t, t.live, false);
  }

  /** Updates the table from n event records; returns whether any count changed. */
  private applyEvents(r: Int32Array, n: number): boolean {
    let changed = false;
    for (let k = 0; k < n; k++) {
      const kind = r[k * 4];
      const pid = r[k * 4 + 1];
      if (kind === PROC_EV.EXIT) {
        if (this.table.has(pid)) changed = this.put(pid, null) || changed;
      } else if (kind === PROC_EV.FORK) {
        // The child inherits the parent's name and command line: no read, and a non-matching parent's child is
        // not looked at until it execs or renames itself.
        const parent = this.table.get(r[k * 4 + 2]);
        if (parent) changed = this.put(pid, { ...parent.e, pid }) || changed;
      } else {
        changed = this.put(pid, readProcEntry(pid, this.withCmdline, this.o.procRoot)) || changed;
      }
      // The addon marked pid when it delivered the event: keep the mark only for a process we count.
      this.events?.mark(pid, this.table.has(pid));
    }
    this.eventsApplied += n;
    return changed;
  }

  private onEventError(errno: number): void {
    if (this.closed) return;
    this.overruns++;
    if (errno !== constants.errno.ENOBUFS) {
      // Not an overrun: the socket is unusable. Scanning keeps the tracker right.
      this.o.log.info(`Process events failed (errno ${errno}); tracking processes by scanning /proc`);
      this.events?.close();
      this.events = null;
      this.mode = 'scan';
      this.queued = null;
      void this.rescan();
      this.scanEvery();
      return;
    }
    if (this.scanning) this.again = true;
    else void this.rescan();
  }

  private apply(t: Tracked, n: number, initial: boolean): void {
    const prev = t.count;
    t.count = n;
    const want = n >= t.def.quorum && n <= t.def.quorumMax;
    if (initial) {
      t.quorum = want;
      return;
    }
    if (want === t.quorum) {
      if (t.delay) { clearTimeout(t.delay); t.delay = null; }
      return;
    }
    // keepalived delays acting on a fork by fork_delay and on an exit by terminate_delay.
    const delayMs = (n > prev ? t.def.forkDelayUs : t.def.terminateDelayUs) / 1000;
    if (delayMs <= 0) return this.flip(t, want);
    if (t.delay) return;
    t.delay = setTimeout(() => {
      t.delay = null;
      const still = t.count >= t.def.quorum && t.count <= t.def.quorumMax;
      if (still !== t.quorum && !this.closed) this.flip(t, still);
    }, delayMs);
  }

  private flip(t: Tracked, quorum: boolean): void {
    t.quorum = quorum;
    this.o.log.info(`Quorum ${quorum ? 'gained' : 'lost'} for tracked process ${t.def.name}`);
    this.o.onChange(t.def.name, quorum, t.count);
  }
}

function sameHits(a: number[] | undefined, b: number[] | null): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
