// vrrp_track_process: is the number of matching processes within quorum..quorum_max? keepalived learns about forks
// and exits from the kernel's proc connector; that needs a NETLINK_CONNECTOR socket, which Node cannot open without
// a native change, so we scan /proc on an interval (1 s by default) and on demand. The scan runs in a worker thread
// with synchronous reads (ProcScanner); scanProcTable is the same pass with async reads, for one-off use. Cost
// measured in docs/tracking.md.
import { projectPath } from '../paths.ts';
import { open, readdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { basename } from 'node:path';
import type { TrackProcess } from '../config/model.ts';
import type { Logger } from '../log.ts';

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
  /** Period of the /proc scan. */
  intervalMs?: number;
  log: Pick<Logger, 'info'>;
  /** A process tracker gained or lost its quorum (after fork_delay / terminate_delay). */
  onChange: (name: string, quorum: boolean, count: number) => void;
  procRoot?: string;
}

interface Tracked {
  def: TrackProcess;
  m: ProcessMatcher;
  count: number;
  quorum: boolean;
  delay: NodeJS.Timeout | null;
}

export class ProcessTracker {
  private readonly tracked: Tracked[];
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private closed = false;
  private readonly scanner: ProcScanner;
  /** Scans done, and the duration of the last one (ms). */
  scans = 0;
  lastScanMs = 0;

  constructor(private readonly o: ProcessTrackerOptions) {
    this.tracked = o.processes.map((def) => ({ def, m: matcherOf(def), count: 0, quorum: false, delay: null }));
    this.scanner = new ProcScanner(o.procRoot);
  }

  quorum(name: string): boolean { return this.tracked.find((t) => t.def.name === name)?.quorum ?? false; }
  count(name: string): number { return this.tracked.find((t) => t.def.name === name)?.count ?? 0; }
  /** name -> quorum, for TrackStates.processes. */
  states(): Map<string, boolean> { return new Map(this.tracked.map((t) => [t.def.name, t.quorum])); }

  /** First scan (no onChange, no delays), then periodic scans. */
  async start(): Promise<Map<string, boolean>> {
    await this.scan(true);
    const every = this.o.intervalMs ?? 1000;
    const loop = () => {
      if (this.closed) return;
      this.timer = setTimeout(() => { void this.rescan().finally(loop); }, every);
    };
    loop();
    return this.states();
  }

  rescan(): Promise<void> { return this.scan(false); }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.tracked) if (t.delay) clearTimeout(t.delay);
    void this.scanner.close();
  }

  private scan(initial: boolean): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      const t0 = performance.now();
      const table = await this.scanner.scan(this.tracked.some((t) => t.m.fullCommand));
      this.lastScanMs = performance.now() - t0;
      this.scans++;
      if (this.closed) return;
      for (const t of this.tracked) {
        let n = 0;
        for (const e of table) if (processMatches(t.m, e)) n++;
        this.apply(t, n, initial);
      }
    })().finally(() => { this.scanning = null; });
    return this.scanning;
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
