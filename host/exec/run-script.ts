// Running scripts the keepalived way without ever stalling the protocol: requests go to one worker thread
// (spawn-worker.cjs) that starts them (the addon's vfork-style spawn, child_process as the fallback), times out
// (SIGTERM to the group, SIGKILL `graceMs` later), drains and caps output and reaps. This side only keeps a bounded
// number running and a bounded queue of the rest.
import { projectPath } from '../paths.ts';
import { Worker } from 'node:worker_threads';
import { scriptEnv } from './env.ts';

/** What to execute, decided once at configuration time (see command.ts). */
export type PreparedCommand =
  /** execve(file, argv): argv[0] is an executable file. */
  | { mode: 'exec'; file: string; argv: string[]; uid: number; gid: number }
  /** /bin/sh -c line: anything else ("</dev/tcp/..", shell builtins, a non-executable file). */
  | { mode: 'shell'; line: string; uid: number; gid: number };

export interface RunOptions {
  /** 0 = no timeout (notify scripts are not waited for). */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL (keepalived: 2 s for track scripts, 1 s for STOP notifies). */
  graceMs?: number;
  /** Bytes of stdout and of stderr kept each; the rest is read and dropped. 0 = /dev/null (keepalived). */
  captureBytes?: number;
  /** Extra arguments appended to argv (generic notify, *_fifo_script). For shell mode they are appended quoted. */
  extraArgs?: string[];
}

export type Outcome =
  | { kind: 'exited'; code: number }
  /** Killed by a signal we did not send. */
  | { kind: 'signaled'; signal: NodeJS.Signals }
  /** Killed after its timeout (keepalived's "timed_out"). */
  | { kind: 'timed_out'; signal: NodeJS.Signals }
  | { kind: 'spawn_error'; message: string }
  /** Dropped because the queue was full. */
  | { kind: 'rejected' };

export interface ScriptResult {
  outcome: Outcome;
  pid: number;
  stdout: string;
  stderr: string;
  /** Output bytes read and dropped beyond captureBytes. */
  dropped: number;
  ms: number;
}

export interface RunnerOptions {
  /** Scripts running at once; the rest wait in FIFO order. */
  maxConcurrent?: number;
  /** Queue length beyond which new requests are rejected at once. */
  maxQueued?: number;
  env?: NodeJS.ProcessEnv;
  /** How processes are started: the native addon when it is built (default), or child_process (tests and benches
   * compare; VIPD_SPAWNER=child_process in the environment does the same for a whole daemon). */
  spawner?: SpawnerKind;
}

export type SpawnerKind = 'native' | 'child_process';
/** Which way the worker starts processes; `reason` says why the native one is not used. */
export interface SpawnerInfo { kind: SpawnerKind; reason: string | null }
type WorkerMsg = DoneMsg | { type: 'started'; id: number; pid: number } | ({ type: 'spawner' } & SpawnerInfo);

interface Pending {
  id: number;
  msg: Record<string, unknown>;
  resolve: (r: ScriptResult) => void;
  onStart?: (pid: number) => void;
  pid: number;
}

interface DoneMsg {
  type: 'done';
  id: number;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  sentTerm: boolean;
  sentKill: boolean;
  stdout: string;
  stderr: string;
  dropped: number;
  spawnError: string | null;
  ms: number;
}

/** keepalived's cmd_str: each word in single quotes, so the shell sees them as words. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Classify an exit the way keepalived's vrrp_script_child_thread does. */
export function classify(d: Pick<DoneMsg, 'code' | 'signal' | 'sentTerm' | 'sentKill' | 'spawnError' | 'pid'>): Outcome {
  if (!d.pid && d.spawnError) return { kind: 'spawn_error', message: d.spawnError };
  if (d.code !== null) return { kind: 'exited', code: d.code };
  const sig = (d.signal ?? 'SIGKILL') as NodeJS.Signals;
  if ((d.sentTerm && !d.sentKill && sig === 'SIGTERM') || (d.sentKill && (sig === 'SIGKILL' || sig === 'SIGTERM'))) {
    return { kind: 'timed_out', signal: sig };
  }
  return { kind: 'signaled', signal: sig };
}

export class ScriptRunner {
  private readonly worker: Worker;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly queue: Pending[] = [];
  private readonly active = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private spawnerKnown!: (s: SpawnerInfo) => void;
  /** Resolves once the worker has said how it starts processes (log it: the fallback costs ~2.4 ms of CPU a run). */
  readonly spawner = new Promise<SpawnerInfo>((resolve) => { this.spawnerKnown = resolve; });

  constructor(opts: RunnerOptions = {}) {
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? 32);
    this.maxQueued = Math.max(0, opts.maxQueued ?? 4096);
    this.worker = new Worker(projectPath('host/exec/spawn-worker.cjs'), {
      workerData: {
        env: scriptEnv(opts.env),
        spawner: opts.spawner ?? (process.env.VIPD_SPAWNER === 'child_process' ? 'child_process' : 'native'),
      },
    });
    this.worker.on('message', (m: WorkerMsg) => this.onMessage(m));
    this.worker.on('error', (e) => {
      // The worker only dies on a bug of ours; fail everything in flight rather than hang the callers.
      for (const p of [...this.active.values(), ...this.queue.splice(0)]) {
        p.resolve({ outcome: { kind: 'spawn_error', message: `script worker: ${e.message}` }, pid: 0, stdout: '', stderr: '', dropped: 0, ms: 0 });
      }
      this.active.clear();
      this.worker.unref();
    });
    // An idle runner must not keep the process alive; a running script does (its result is awaited). The worker
    // stays referenced until its 'spawner' message, so that awaiting `spawner` alone works.
  }

  get running(): number { return this.active.size; }
  get queued(): number { return this.queue.length; }

  /** Start `cmd` (now, or when a slot frees). Resolves when it has exited and been reaped; never rejects. */
  run(cmd: PreparedCommand, opts: RunOptions, onStart?: (pid: number) => void): Promise<ScriptResult> {
    return new Promise((resolve) => {
      if (this.closed || this.queue.length >= this.maxQueued && this.active.size >= this.maxConcurrent) {
        resolve({ outcome: { kind: 'rejected' }, pid: 0, stdout: '', stderr: '', dropped: 0, ms: 0 });
        return;
      }
      const extra = opts.extraArgs ?? [];
      const msg = cmd.mode === 'exec'
        ? { file: cmd.file, args: [...cmd.argv.slice(1), ...extra], shell: false }
        : { file: extra.length ? `${cmd.line} ${extra.map(shellQuote).join(' ')}` : cmd.line, args: [], shell: true };
      const p: Pending = {
        id: this.nextId++,
        msg: {
          type: 'run', ...msg, uid: cmd.uid, gid: cmd.gid, timeoutMs: opts.timeoutMs,
          graceMs: opts.graceMs ?? 2000, capBytes: opts.captureBytes ?? 0,
        },
        resolve, onStart, pid: 0,
      };
      p.msg.id = p.id;
      if (cmd.mode === 'exec') p.msg.argv0 = cmd.argv[0];
      this.queue.push(p);
      this.pump();
    });
  }

  /** Signal the process group of every running script (SIGTERM on shutdown, SIGKILL after the grace period). */
  signalAll(signal: NodeJS.Signals): void {
    this.worker.postMessage({ type: 'signalAll', signal });
  }

  /** Resolves true once nothing runs or waits, false after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.active.size === 0 && this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => { clearTimeout(t); resolve(true); });
    });
  }

  /** Kill what is left, wait for it to be reaped, stop the worker. */
  async close(graceMs = 1000): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve({ outcome: { kind: 'rejected' }, pid: 0, stdout: '', stderr: '', dropped: 0, ms: 0 });
    if (this.active.size) {
      this.signalAll('SIGTERM');
      if (!(await this.idle(graceMs))) {
        this.signalAll('SIGKILL');
        await this.idle(2000);
      }
    }
    await this.worker.terminate();
  }

  private pump(): void {
    if (this.active.size === 0 && this.queue.length > 0) this.worker.ref();
    while (this.active.size < this.maxConcurrent && this.queue.length) {
      const p = this.queue.shift()!;
      this.active.set(p.id, p);
      this.worker.postMessage(p.msg);
    }
    if (this.active.size === 0 && this.queue.length === 0) {
      this.worker.unref();
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private onMessage(m: WorkerMsg): void {
    if (m.type === 'spawner') {
      this.spawnerKnown({ kind: m.kind, reason: m.reason });
      this.pump();
      return;
    }
    const p = this.active.get(m.id);
    if (!p) return;
    if (m.type === 'started') {
      p.pid = m.pid;
      p.onStart?.(m.pid);
      return;
    }
    this.active.delete(m.id);
    p.resolve({ outcome: classify(m), pid: m.pid, stdout: m.stdout, stderr: m.stderr, dropped: m.dropped, ms: m.ms });
    this.pump();
  }
}
