// Daemon mode of the command line: logging, pid files, signals, the status socket, and the Daemon itself.
// keepalived's -n keeps it in the foreground; without it the process re-runs itself detached.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { Logger, type LogSink, consoleSink, parseFacility } from '../log.ts';
import { syslogSink } from '../syslog.ts';
import { dataText, jsonDump, statsText } from './dumps.ts';
import { GcWatch } from './gc-stats.ts';
import { native } from '../net/native.ts';
import { Daemon } from './runtime.ts';
import { serveStatus, statusSocketName } from './status.ts';
import { idleWithoutWork } from './idle.ts';

export interface DaemonCliOptions {
  configFile: string;
  configId?: string;
  allConfig?: boolean;
  logConsole?: boolean;
  logDetail?: boolean;
  logFacility?: string;
  /** `-G`: no syslog (console only with -l, else nothing). */
  noSyslog?: boolean;
  dontFork?: boolean;
  pidFile: string;
  vrrpPidFile: string;
  dontReleaseVrrp?: boolean;
  keepalivedCompat?: boolean;
  /** `-C` without `-P`: only the checkers, which vipd does not have; run nothing (see idle.ts). */
  checkerOnly?: boolean;
  /** Where errors go before the logger exists. */
  stderr: (s: string) => void;
}

export const DEFAULT_PID_FILE = '/run/keepalived.pid';
export const DEFAULT_VRRP_PID_FILE = '/run/keepalived_vrrp.pid';

/** Runs until a stop signal; resolves to the exit code. */
export async function runDaemon(o: DaemonCliOptions, argv: string[]): Promise<number> {
  if (!o.dontFork) {
    // No fork() in Node: start a detached copy of ourselves in the foreground mode and leave.
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv, '--dont-fork'], {
      detached: true, stdio: 'ignore',
    });
    child.unref();
    return 0;
  }
  const sinks: LogSink[] = [];
  if (o.logConsole) sinks.push(consoleSink((s) => process.stderr.write(s), o.logDetail));
  if (!o.noSyslog) {
    try {
      sinks.push(syslogSink(parseFacility(o.logFacility ?? 'daemon'), 'Keepalived_vrrp'));
    } catch (e) {
      if (!o.logConsole) o.stderr(`vipd: syslog unavailable (${(e as Error).message}); logging to the console\n`);
      if (!o.logConsole) sinks.push(consoleSink((s) => process.stderr.write(s), o.logDetail));
    }
  }
  const log = new Logger(sinks, o.logDetail ?? false);
  log.info(`Starting vipd (keepalived-compatible VRRP daemon), pid ${process.pid}`);
  if (o.checkerOnly) return idleWithoutWork(log, o.pidFile);
  for (const f of [o.pidFile, o.vrrpPidFile]) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, `${process.pid}\n`);
  }
  const removePids = () => { for (const f of [o.pidFile, o.vrrpPidFile]) rmSync(f, { force: true }); };
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      configFile: o.configFile, configId: o.configId, allConfig: o.allConfig, logger: log, dontReleaseVrrp: o.dontReleaseVrrp,
      keepalivedCompat: o.keepalivedCompat,
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EACCES') {
      // keepalived's "missing permission" exit status, with what to do about it.
      log.err(`cannot start: ${(e as Error).message}: vipd needs CAP_NET_RAW and CAP_NET_ADMIN ` +
        '(run it as root, or grant them, e.g. AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN in its systemd unit)');
      removePids();
      log.close();
      return 4;
    }
    log.err(`cannot start: ${(e as Error).message}`);
    removePids();
    log.close();
    return 1;
  }
  const startedAt = new Date().toISOString();
  const gc = new GcWatch();
  const status = serveStatus(statusSocketName(o.vrrpPidFile), () => ({
    pid: process.pid, configFile: o.configFile, startedAt, instances: daemon.status(), engine: daemon.engineStats(),
    timer: daemon.driverStats, gc: { ...gc.stats }, rx: daemon.rxStats,
  }));
  const dumpDir = process.env.TMPDIR || tmpdir();
  // Reloads run one at a time; SIGHUPs that arrive during one are merged into a single reload after it.
  let reloading = false;
  let again = false;
  const reload = (): void => {
    if (reloading) { again = true; return; }
    reloading = true;
    void (async () => {
      do {
        again = false;
        log.info('Reloading');
        await daemon.reload().catch((e) => log.err(`reload failed: ${(e as Error).message}`));
      } while (again);
      reloading = false;
    })();
  };
  return new Promise<number>((resolve) => {
    let stopping = false;
    // A daemon runs until it is told to stop, also when no VRRP socket is open (its interfaces deleted, no instance
    // startable): nothing else keeps the event loop alive, and Node would exit with 13.
    const keepAlive = setInterval(() => {}, 0x7fffffff);
    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(keepAlive);
      log.info(`Stopping (${why})`);
      // A stuck netlink request must not keep a stopping daemon alive.
      const force = setTimeout(() => { log.err('forced exit after 10 s'); resolve(1); }, 10_000);
      daemon.stop().finally(() => {
        clearTimeout(force);
        status.close();
        gc.close();
        removePids();
        log.close();
        for (const s of signals) process.removeListener(s[0], s[1]);
        resolve(0);
      });
    };
    const signals: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', () => stop('SIGTERM')],
      ['SIGINT', () => stop('SIGINT')],
      ['SIGHUP', () => reload()],
      ['SIGUSR1', () => writeFileSync(`${dumpDir}/keepalived.data`, dataText(daemon.status(), new Date()))],
      ['SIGUSR2', () => writeFileSync(`${dumpDir}/keepalived.stats`, statsText(daemon.status()))],
    ];
    for (const [s, h] of signals) process.on(s, h);
    // keepalived's real-time signals, which Node cannot listen for (and whose default would end the process).
    try {
      const rt = native().sigrt();
      native().signalWatch([rt.min + 2, rt.max - 1], (signo) => {
        if (signo === rt.min + 2) writeFileSync(`${dumpDir}/keepalived.json`, jsonDump(daemon.status()));
        else {
          writeFileSync(`${dumpDir}/keepalived.stats`, statsText(daemon.status()));
          daemon.clearStats();
        }
      });
    } catch (e) {
      log.warn(`the JSON dump and STATS_CLEAR signals are not available: ${(e as Error).message}`);
    }
  });
}
