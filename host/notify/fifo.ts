// vrrp_notify_fifo / notify_fifo: created if missing, opened O_RDWR|O_NONBLOCK like keepalived, so opening never
// waits for a reader and a write with nobody reading (or a full pipe) fails at once instead of stalling us; such a
// line is dropped. The optional *_fifo_script is started first, with the FIFO name as its last argument.
import { execFile } from 'node:child_process';
import { constants as C } from 'node:fs';
import { type FileHandle, open, stat, unlink } from 'node:fs/promises';
import type { Logger } from '../log.ts';
import type { PreparedCommand, ScriptRunner } from '../exec/run-script.ts';

export interface FifoOptions {
  path: string;
  /** "vrrp_" for vrrp_notify_fifo, "" for notify_fifo (keepalived's log wording). */
  label?: string;
  script: PreparedCommand | null;
  runner: ScriptRunner;
  log: Pick<Logger, 'info' | 'warn'>;
}

function mkfifo(path: string): Promise<void> {
  return new Promise((resolve, reject) => execFile('mkfifo', ['-m', '0644', path], (e) => (e ? reject(e) : resolve())));
}

export class NotifyFifo {
  private fh: FileHandle | null = null;
  private created = false;
  private chain: Promise<void> = Promise.resolve();
  /** Lines that could not be written (no room in the pipe). */
  dropped = 0;
  written = 0;

  constructor(private readonly o: FifoOptions) {}

  get path(): string { return this.o.path; }

  async open(): Promise<boolean> {
    const label = this.o.label ?? '';
    try {
      const st = await stat(this.o.path);
      if (!st.isFIFO()) {
        this.o.log.warn(`Unable to create ${label}notify fifo ${this.o.path}`);
        return false;
      }
    } catch {
      try {
        await mkfifo(this.o.path);
        this.created = true;
      } catch {
        this.o.log.warn(`Unable to create ${label}notify fifo ${this.o.path}`);
        return false;
      }
    }
    if (this.o.script) void this.o.runner.run(this.o.script, { timeoutMs: 0, extraArgs: [this.o.path] });
    try {
      this.fh = await open(this.o.path, C.O_RDWR | C.O_NONBLOCK | C.O_NOFOLLOW);
      return true;
    } catch (e) {
      this.o.log.warn(`Unable to open ${label}notify fifo ${this.o.path} - errno ${(e as NodeJS.ErrnoException).errno ?? ''}`);
      if (this.created) await unlink(this.o.path).catch(() => {});
      this.created = false;
      return false;
    }
  }

  /** Queue one line; lines go out in order, never blocking the caller. */
  write(line: string): void {
    const fh = this.fh;
    if (!fh) return;
    const buf = Buffer.from(line);
    this.chain = this.chain.then(async () => {
      try {
        await fh.write(buf);
        this.written++;
      } catch {
        this.dropped++;
      }
    });
  }

  /** Resolves when every queued line has been written or dropped. */
  flush(): Promise<void> { return this.chain; }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = null;
    if (this.created) await unlink(this.o.path).catch(() => {});
    this.created = false;
  }
}
