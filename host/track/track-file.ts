// track_file: an integer in a file, re-read whenever the file changes. We watch the directory, not the file, so a
// file that is deleted and created again (editors, `mv tmp file`) keeps being seen - keepalived puts its inotify
// watch on the directory for the same reason. A missing or unreadable file reads as 0.
import { type FSWatcher, watch } from 'node:fs';
import { open, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../log.ts';
import { clampFileValue } from './priority.ts';

/** C's strtol(text, NULL, 0): leading blanks, sign, 0x hex / 0 octal / decimal, stops at the first bad digit. */
export function strtol0(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text);
  if (!m) return 0;
  const body = m[2];
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : parseInt(body, 10);
  return m[1] === '-' ? -v : v;
}

/** The value keepalived uses for a file's contents: strtol, clamped to -254..254. */
export function parseTrackValue(text: string): number {
  return clampFileValue(strtol0(text));
}

export async function readTrackFile(path: string): Promise<number> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.alloc(127);
    const { bytesRead } = await fh.read(buf, 0, 127, 0);
    return parseTrackValue(buf.subarray(0, bytesRead).toString('latin1'));
  } catch {
    return 0;
  } finally {
    await fh?.close();
  }
}

export interface TrackFileOptions {
  name: string;
  path: string;
  /** init_file [VAL] [overwrite]: create the file with VAL when missing; overwrite an existing one too. */
  initFile: { value: number; overwrite: boolean } | null;
  /** On a reload keepalived never overwrites an existing file. */
  reload?: boolean;
  log: Pick<Logger, 'info' | 'warn'>;
  onChange: (value: number, name: string) => void;
  /** Coalescing delay: writers often emit several events per update (fs.watch has no IN_CLOSE_WRITE). */
  settleMs?: number;
}

export class TrackFileWatcher {
  private watcher: FSWatcher | null = null;
  private current = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private closed = false;
  readonly path: string;

  constructor(private readonly o: TrackFileOptions) {
    this.path = resolve(o.path);
  }

  get value(): number { return this.current; }
  get name(): string { return this.o.name; }

  /** Apply init_file, read the value, start watching. Resolves with the first value (no onChange for it). */
  async start(): Promise<number> {
    if (this.o.initFile) await this.initFile(this.o.initFile);
    const dir = dirname(this.path);
    const file = basename(this.path);
    try {
      const st = await stat(dir);
      if (!st.isDirectory()) throw new Error('not a directory');
    } catch {
      this.o.log.warn(`Track file directory for ${this.o.name} does not exist - removing`);
      return this.current;
    }
    this.current = await readTrackFile(this.path);
    this.watcher = watch(dir, { persistent: false }, (_event, name) => {
      // Some kernels/filesystems omit the name; then any event in the directory triggers a re-read.
      if (name === null || name === file) this.schedule();
    });
    this.watcher.on('error', (e) => this.o.log.warn(`track file ${this.o.name}: watch error ${e.message}`));
    return this.current;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Re-read now (also what the watcher does after its settle delay). */
  async refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        const v = await readTrackFile(this.path);
        if (this.closed) return;
        if (v !== this.current) {
          this.current = v;
          this.o.onChange(v, this.o.name);
        }
      } while (this.again);
    })().finally(() => { this.reading = null; });
    return this.reading;
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.o.settleMs ?? 5);
  }

  private async initFile(init: { value: number; overwrite: boolean }): Promise<void> {
    let exists = false;
    try {
      const st = await stat(this.path);
      exists = true;
      if (!init.overwrite) return;
      if (!st.isFile()) {
        this.o.log.warn(`Cannot initialise track file ${this.o.name} - it is not a regular file`);
        return;
      }
      if (this.o.reload) return;
    } catch { /* missing: create it */ }
    if (exists && !init.overwrite) return;
    try {
      await writeFile(this.path, `${init.value}\n`);
    } catch {
      this.o.log.warn(`Unable to initialise track file ${this.o.name}`);
    }
  }
}
