// A VRRP daemon under test (vipd or keepalived 2.2.7) in one lab host: its files, its process, its log lines as
// they arrive, its state as it logs it, its counters as it dumps them. Both daemons are driven the same way
// (keepalived's command line, keepalived's log words, keepalived's stats file), which is itself part of the test.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabHost } from '../../../host/lab/netns.ts';
import type { StatusReport } from '../../../host/daemon/status.ts';

export type Kind = 'vipd' | 'keepalived';
export type State = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'DOWN';

export interface LogLine {
  /** performance.now() when the line reached us. */
  t: number;
  line: string;
}

const BIN = new URL('../../../bin/vipd.js', import.meta.url).pathname;
const STAMP = /^\w{3} \w{3} +\d+ [\d:.]+ \d{4}: /;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class VrrpDaemon {
  readonly logs: LogLine[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private waiters = new Set<() => void>();
  /** Process starts so far (a restart is a new run; logs keep accumulating). */
  runs = 0;

  constructor(readonly lab: Lab, readonly host: LabHost, readonly kind: Kind, readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  get confFile(): string { return join(this.dir, 'keepalived.conf'); }
  get pidFile(): string { return join(this.dir, 'main.pid'); }
  get vrrpPidFile(): string { return join(this.dir, 'vrrp.pid'); }
  get label(): string { return `${this.kind}@${this.host.name}`; }

  writeConf(text: string): void { writeFileSync(this.confFile, text); }

  get running(): boolean { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null; }
  get pid(): number | undefined { return this.running ? this.child!.pid : undefined; }

  /** Start in the foreground with console logging, keepalived's way. TMPDIR points the stats/data dumps at our dir. */
  start(): void {
    if (this.running) throw new Error(`${this.label} is already running`);
    const common = ['-n', '-l', '-D', '-f', this.confFile, '-p', this.pidFile, '-r', this.vrrpPidFile];
    const [cmd, args] = this.kind === 'vipd'
      ? [process.execPath, [BIN, ...common]]
      : ['keepalived', [...common, '-c', join(this.dir, 'checkers.pid')]];
    const child = this.lab.spawn(this.host, cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: this.dir } });
    this.child = child;
    this.runs++;
    this.push(`--- start #${this.runs} (${this.label}) ---`);
    let partial = { out: '', err: '' };
    const onData = (which: 'out' | 'err') => (d: Buffer) => {
      const text = partial[which] + d.toString();
      const lines = text.split('\n');
      partial[which] = lines.pop() ?? '';
      for (const l of lines) if (l) this.push(l.replace(STAMP, ''));
    };
    child.stdout!.on('data', onData('out'));
    child.stderr!.on('data', onData('err'));
    this.exited = new Promise((resolve) => child.on('exit', (code, sig) => {
      this.push(`--- exit ${code ?? sig} ---`);
      resolve();
    }));
  }

  private push(line: string): void {
    this.logs.push({ t: performance.now(), line });
    for (const w of [...this.waiters]) w();
  }

  /** The state the daemon last logged ("Entering X STATE"); DOWN when it is not running. */
  get state(): State {
    if (!this.running) return 'DOWN';
    for (let k = this.logs.length - 1; k >= 0; k--) {
      const l = this.logs[k].line;
      if (l.startsWith('--- start')) return 'INIT';
      const m = /\(VI_1\) Entering (MASTER|BACKUP|FAULT) STATE/.exec(l);
      if (m) return m[1] as State;
    }
    return 'INIT';
  }

  /** Resolve with the first log line at index >= from matching re; reject after timeoutMs. */
  waitLog(re: RegExp, from: number, timeoutMs: number): Promise<LogLine & { index: number }> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const check = () => {
        for (let k = from; k < this.logs.length; k++) {
          if (re.test(this.logs[k].line)) {
            clearTimeout(timer);
            this.waiters.delete(check);
            resolve({ ...this.logs[k], index: k });
            return;
          }
        }
      };
      timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.label}: no log line matching ${re} within ${timeoutMs} ms; last lines:\n${this.tail(15)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  count(re: RegExp, from = 0): number {
    let n = 0;
    for (let k = from; k < this.logs.length; k++) if (re.test(this.logs[k].line)) n++;
    return n;
  }

  tail(n: number): string {
    return this.logs.slice(-n).map((l) => `  [${this.label}] ${l.line}`).join('\n');
  }

  /** Crash: no priority-0 advert, VIPs left behind. keepalived's parent would forward a TERM or respawn the VRRP
   * child, so it is frozen first, then the child and the parent are killed. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    const parent = this.child!.pid!;
    if (this.kind === 'keepalived') {
      const vrrp = Number(readFileSync(this.vrrpPidFile, 'utf8').trim());
      process.kill(parent, 'SIGSTOP');
      try { process.kill(vrrp, 'SIGKILL'); } catch { /* already gone */ }
    }
    process.kill(parent, 'SIGKILL');
    await this.exited;
    // As after a crash and reboot: a pid file naming a process that is gone (or an unreaped zombie, when the
    // namespace's processes are reparented to a pid 1 that does not reap) would make keepalived refuse to start.
    for (const f of [this.pidFile, this.vrrpPidFile, join(this.dir, 'checkers.pid')]) rmSync(f, { force: true });
  }

  /** Send SIGTERM without waiting; `exit` resolves when the process is gone. */
  terminate(): void {
    if (this.running) this.child!.kill('SIGTERM');
  }

  get exit(): Promise<void> { return this.exited; }

  /** Graceful stop (SIGTERM): masters send priority 0 and remove their VIPs. */
  async stop(timeoutMs = 8000): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }

  /** The counters, from the stats file the daemon writes on SIGUSR2 (keepalived's layout, flattened). */
  async statsDump(timeoutMs = 3000): Promise<Record<string, number>> {
    return parseStats(await this.statsFile(timeoutMs));
  }

  /** The stats file the daemon writes on SIGUSR2, as text. */
  async statsFile(timeoutMs = 3000): Promise<string> {
    if (!this.running) throw new Error(`${this.label} is not running`);
    const file = join(this.dir, 'keepalived.stats');
    rmSync(file, { force: true });
    this.child!.kill('SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    let lastSize = -1;
    for (let i = 0; i < 200 && Date.now() < deadline; i++) {
      await sleep(20);
      if (!existsSync(file)) continue;
      const size = statSync(file).size;
      if (size > 0 && size === lastSize) return readFileSync(file, 'utf8');
      lastSize = size;
    }
    throw new Error(`${this.label}: no stats file after SIGUSR2`);
  }

  /** vipd only: `vipd status --json` run in the daemon's namespace. */
  async vipdStatus(): Promise<StatusReport> {
    const r = await this.lab.run(this.host, [process.execPath, BIN, 'status', '--json', '-r', this.vrrpPidFile], 15_000);
    if (r.code !== 0) throw new Error(`vipd status failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as StatusReport;
  }
}

/**
 * The 14 counters of keepalived 2.2.7's stats file, in its order (vrrp_print_stats; the two auth lines are
 * there because Debian builds with VRRP auth), as parseStats() names them.
 */
export const KEEPALIVED_STATS_FIELDS = [
  'Advertisements.Received', 'Advertisements.Sent', 'Became master', 'Released master', 'Packet Errors.Length',
  'Packet Errors.TTL', 'Packet Errors.Invalid Type', 'Packet Errors.Advertisement Interval', 'Packet Errors.Address List',
  'Authentication Errors.Invalid Type', 'Authentication Errors.Type Mismatch', 'Authentication Errors.Failure',
  'Priority Zero.Received', 'Priority Zero.Sent',
] as const;

/** A stats file's lines with every number replaced by N: the layout two daemons' files must share. */
export function statsLayout(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/^(VRRP Instance: ).*$/, '$1NAME').replace(/: \d+$/, ': N'));
}

/** keepalived.stats -> { 'Advertisements.Received': 3, 'Became master': 1, 'Packet Errors.Length': 0, ... } (VI_1). */
export function parseStats(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  let section = '';
  let inFirst = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('VRRP Instance:')) { inFirst = line.includes('VI_1'); continue; }
    if (!inFirst) continue;
    const m = /^( +)([^:]+):\s*(\d+)?\s*$/.exec(line);
    if (!m) continue;
    if (m[1].length === 2) {
      if (m[3] === undefined) section = m[2];
      else { out[m[2]] = Number(m[3]); section = ''; }
    } else if (m[3] !== undefined) {
      out[section ? `${section}.${m[2]}` : m[2]] = Number(m[3]);
    }
  }
  return out;
}

/** Does the host carry this address on eth0 right now? */
export function hasAddress(lab: Lab, h: LabHost, addr: string): boolean {
  const out = lab.exec(h, ['ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  return out.includes(` ${addr}/`);
}
