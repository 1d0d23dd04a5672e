// Health tracking and notification e2e tests (issue 5): a lab plus a scratch directory of scripts, flag files,
// notify logs and FIFOs; keepalived.conf text with vrrp_script / sync group blocks; the processes a namespace
// holds; the adverts a bridge capture saw, per VRID. Every wait is bounded; destroy() removes everything.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabHost, type LabOptions } from '../../../host/lab/netns.ts';
import { type Frame, type InstanceSpec, Vipd, instanceText } from './daemon.ts';
import { sleep } from './wait.ts';
import type { InstanceStatus } from '../../../host/daemon/runtime.ts';

export class TrackEnv {
  readonly dir: string;
  private readers: ChildProcess[] = [];

  private constructor(readonly lab: Lab) {
    this.dir = mkdtempSync(join(tmpdir(), 'vipd-track-'));
    // Root-owned and not group/world writable: a secure path for enable_script_security (/tmp itself is sticky).
    chmodSync(this.dir, 0o755);
  }

  static create(opts: LabOptions): TrackEnv {
    return new TrackEnv(Lab.create(opts));
  }

  get hosts(): readonly LabHost[] { return this.lab.hosts; }

  path(name: string): string { return join(this.dir, name); }

  /** An executable /bin/sh script in the scratch directory; returns its path. */
  script(name: string, body: string, mode = 0o755): string {
    const p = this.path(name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, mode); // explicit: the umask must not decide what the security check sees
    return p;
  }

  /** A flag file standing for a service: present = up. */
  setFlag(name: string, up: boolean): void {
    if (up) writeFileSync(this.path(name), '');
    else rmSync(this.path(name), { force: true });
  }

  /** A vipd on host `h` whose files live in the scratch directory. */
  vipd(h: LabHost): Vipd { return new Vipd(this.lab, h, this.dir); }

  /** Lines of a file in the scratch directory ([] while it does not exist). */
  lines(name: string): string[] {
    const p = this.path(name);
    return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
  }

  /**
   * mkfifo `name` and read it with `cat` until every writer is gone (the daemon holds it O_RDWR, so that is when
   * the daemon exits). `text()` is what was read so far.
   */
  fifoReader(name: string): { path: string; text: () => string; done: Promise<void> } {
    const p = this.path(name);
    execFileSync('mkfifo', ['-m', '0644', p]);
    const child = spawn('cat', [p], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.readers.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const done = new Promise<void>((r) => child.on('exit', () => r()));
    return { path: p, text: () => out, done };
  }

  destroy(): void {
    for (const c of this.readers) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    this.lab.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration text

export interface ScriptSpec {
  name: string;
  script: string;
  interval?: number;
  timeout?: number;
  weight?: number;
  fall?: number;
  rise?: number;
}

export function vrrpScriptText(s: ScriptSpec): string {
  const l = [`vrrp_script ${s.name} {`, `  script "${s.script}"`, `  interval ${s.interval ?? 1}`];
  if (s.timeout !== undefined) l.push(`  timeout ${s.timeout}`);
  if (s.weight !== undefined) l.push(`  weight ${s.weight}`);
  if (s.fall !== undefined) l.push(`  fall ${s.fall}`);
  if (s.rise !== undefined) l.push(`  rise ${s.rise}`);
  l.push('}');
  return l.join('\n');
}

/** A whole keepalived.conf: global_defs lines, free blocks (vrrp_script, vrrp_sync_group), instances. */
export function trackConf(o: { global?: string[]; blocks?: string[]; instances: (InstanceSpec | string)[] }): string {
  return [
    'global_defs {', '  router_id vipd_track', ...(o.global ?? []).map((g) => `  ${g}`), '}',
    ...(o.blocks ?? []),
    ...o.instances.map((i) => (typeof i === 'string' ? i : instanceText(i))),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Processes in a namespace

export interface NsProcess { pid: number; state: string; cmdline: string }

/** Every process inside a host's namespace, with its /proc state letter (Z = zombie). */
export function nsProcesses(lab: Lab, h: LabHost): NsProcess[] {
  const pids = execFileSync('ip', ['netns', 'pids', h.ns], { encoding: 'utf8', timeout: 10_000 }).split('\n').filter(Boolean).map(Number);
  const out: NsProcess[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      out.push({ pid, state, cmdline });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** Live (not zombie) processes in the namespace whose command line contains `marker`. */
export function liveMatching(lab: Lab, h: LabHost, marker: string): NsProcess[] {
  return nsProcesses(lab, h).filter((p) => p.state !== 'Z' && p.cmdline.includes(marker));
}

/** Processes anywhere on the machine whose command line contains `marker` (a script may leave its namespace's view only by dying). */
export function anyLiveMatching(marker: string): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${e}/cmdline`, 'latin1').replace(/\0/g, ' ').includes(marker)) found.push(Number(e));
    } catch { /* gone */ }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Captured adverts

/** VRID of a captured VRRP advert (tcpdump -v prints "vrid N"). */
export function vrid(f: Frame): number | undefined {
  const m = /vrid (\d+)/.exec(f.text);
  return m ? Number(m[1]) : undefined;
}

/** Gaps (ms) between consecutive frames. */
export function gaps(frames: Frame[]): number[] {
  const g: number[] = [];
  for (let k = 1; k < frames.length; k++) g.push(frames[k].t - frames[k - 1].t);
  return g;
}

/**
 * The daemon's own millisecond stamp of the first log line matching `re` received at/after `since`, waiting for
 * it (log lines arrive through a pipe, after the effect a test may already have seen).
 */
export async function stampOf(v: Vipd, re: RegExp, since = 0, timeoutMs = 2000): Promise<number> {
  const l = await v.waitLog(re, timeoutMs, since);
  const t = Vipd.stampMs(l.line);
  if (t === undefined) throw new Error(`no stamp in ${l.line}`);
  return t;
}

/** A status question that may fail while the daemon starts: undefined instead of throwing. */
export async function tryInstance(v: Vipd, name = 'VI_1'): Promise<InstanceStatus | undefined> {
  try {
    return await v.instance(name);
  } catch {
    return undefined;
  }
}

/** Stop a vipd without throwing (used in finally blocks before destroy()). */
export async function quietStop(v: Vipd, timeoutMs = 5000): Promise<void> {
  try {
    await v.stop(timeoutMs);
  } catch { /* destroy() kills what is left */ }
  await sleep(0);
}
