// keepalived's own flags on the root command. Wiring only: -t/-d go to host/config, the daemon is elsewhere.
// argv arrives rewritten by keepalived-argv.ts, so that -t's log file is only ever an attached value.
import { appendFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CliDeps } from './program.ts';
import { UNEXPECTED_FLAG } from './keepalived-argv.ts';
import { DEFAULT_CONFIG_FILE, dumpConfig, loadConfig, renderDiagnostics } from '../config/index.ts';
import { DEFAULT_PID_FILE, DEFAULT_VRRP_PID_FILE, runDaemon } from '../daemon/main.ts';

/** Signal numbers as keepalived --signum prints them (Linux x86-64). */
export const SIGNUMS: Readonly<Record<string, number>> = { STOP: 15, RELOAD: 1, DATA: 10, STATS: 12, STATS_CLEAR: 63, JSON: 36 };

export const VIPD_VERSION = '0.1.0';

export interface DaemonOptions {
  useFile?: string;
  vrrp?: boolean;
  check?: boolean;
  logConsole?: boolean;
  logDetail?: boolean;
  logFacility?: string;
  dontFork?: boolean;
  dumpConf?: boolean;
  pid?: string;
  vrrp_pid?: string;
  checkers_pid?: string;
  configId?: string;
  configTest?: string | boolean;
  allConfig?: boolean;
  version?: boolean;
  signum?: string;
  dontReleaseVrrp?: boolean;
  keepalivedCompat?: boolean;
  /** Words that are neither flags nor a subcommand (keepalived: "Unexpected argument(s)"). */
  unexpectedArg?: string[];
}

export function registerDaemonOptions(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  program
    .option('-f, --use-file <file>', `use the specified configuration file (default ${DEFAULT_CONFIG_FILE})`)
    .option('-P, --vrrp', 'only run with the VRRP subsystem (vipd runs nothing else)')
    .option('-C, --check', 'only run with the health-checker subsystem: vipd has none, so it idles like keepalived with nothing to run')
    .option('-l, --log-console', 'log messages to the local console')
    .option('-D, --log-detail', 'detailed log messages')
    .addOption(new Option('-S, --log-facility <facility>', 'syslog facility: 0-7, local0-7, user or daemon (default)'))
    .option('-n, --dont-fork', "don't fork the daemon process")
    .option('-d, --dump-conf', 'dump the effective configuration (defaults filled in) and exit')
    .option('-p, --pid <file>', 'pid file for the parent process')
    .option('-r, --vrrp_pid <file>', 'pid file for the VRRP child process')
    .option('-c, --checkers_pid <file>', 'pid file for the checkers child process')
    .option('-i, --config-id <id>', "skip config lines starting '@' that don't match id (default: host name up to the first dot)")
    .option('-t, --config-test [LOG_FILE]', 'check the configuration and exit: 0 ok, 2 missing parameter, 4 cannot run, 5 config error, 6 script security; diagnostics go to stderr, or are appended to LOG_FILE (attached: -tFILE or --config-test=FILE)')
    .option('-e, --all-config', 'error if any configuration file is missing')
    .option('-v, --version', 'display the version number')
    .option('--signum <sigfunc>', 'print the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON')
    .option('-V, --dont-release-vrrp', "don't remove VRRP VIPs and VROUTEs on daemon stop")
    .option('--keepalived-compat', "vipd: behave as keepalived 2.2.7 where vipd improves on it (preempt after Master_Down_Interval, no last advert when yielding)")
    .addOption(new Option(`${UNEXPECTED_FLAG} <word>`).hideHelp().argParser((w: string, prev: string[] = []) => [...prev, w]))
    .action(async (opts: DaemonOptions) => setExit(await runDaemonOptions(opts, deps)));
}

/** The root command's behaviour, as a function of the parsed flags; returns the exit code. */
export function runDaemonOptions(o: DaemonOptions, deps: CliDeps): number | Promise<number> {
  const stray = o.unexpectedArg ?? [];
  const startsDaemon = o.signum === undefined && !o.version && o.configTest === undefined && !o.dumpConf;
  if (stray.length > 0) {
    // keepalived's words and stream; it then carries on. A daemon is not started on a word vipd does not know:
    // it is more likely a mistyped subcommand (vipd has several) than a keepalived argument.
    deps.stdout(`Unexpected argument(s): ${stray.map((w) => `${w} `).join('')}\n`);
    if (startsDaemon) {
      deps.stderr(`vipd: not starting the daemon: unknown command or unexpected argument '${stray[0]}' (commands: status, packet, sim, demo; -t FILE? the log file must be attached: -tFILE)\n`);
      return 2;
    }
  }
  if (o.signum !== undefined) {
    const n = SIGNUMS[o.signum];
    if (n === undefined) {
      deps.stderr(`Unknown sigfunc ${o.signum}\n`);
      return 1;
    }
    deps.stdout(`${n}\n`);
    return 0;
  }
  if (o.version) {
    // keepalived prints its version on stderr.
    deps.stderr(`vipd v${VIPD_VERSION} (keepalived 2.2.7 compatible configuration and flags)\n`);
    return 0;
  }
  if (o.logFacility !== undefined && !/^([0-7]|local[0-7]|user|daemon)$/.test(o.logFacility)) {
    deps.stderr(`vipd: invalid log facility '${o.logFacility}' (expected 0-7, local0-7, user or daemon)\n`);
    return 1;
  }
  const file = o.useFile ?? DEFAULT_CONFIG_FILE;
  if (o.configTest !== undefined) {
    const res = loadConfig(file, { configId: o.configId, allConfig: o.allConfig });
    // Notes (keywords accepted but not acted on yet) never change the exit code, but are always shown.
    const text = renderDiagnostics(res.diagnostics, true);
    const logFile = typeof o.configTest === 'string' ? o.configTest : '';
    if (logFile === '') deps.stderr(text);
    else {
      // keepalived appends to the log file (created 0600) and exits 1 if it cannot open it.
      try {
        appendFileSync(logFile, text, { mode: 0o600 });
      } catch (e) {
        deps.stderr(`Unable to open config-test log file ${logFile}: ${(e as Error).message}\n`);
        return 1;
      }
    }
    return res.exitCode;
  }
  if (o.dumpConf) {
    const res = loadConfig(file, { configId: o.configId, allConfig: o.allConfig });
    deps.stderr(renderDiagnostics(res.diagnostics));
    deps.stdout(dumpConfig(res.config));
    return 0;
  }
  return runDaemon({
    configFile: file, configId: o.configId, allConfig: o.allConfig, logConsole: o.logConsole, logDetail: o.logDetail,
    logFacility: o.logFacility, dontFork: o.dontFork, pidFile: o.pid ?? DEFAULT_PID_FILE,
    vrrpPidFile: o.vrrp_pid ?? DEFAULT_VRRP_PID_FILE, dontReleaseVrrp: o.dontReleaseVrrp,
    keepalivedCompat: o.keepalivedCompat, checkerOnly: o.check === true && o.vrrp !== true, stderr: deps.stderr,
  }, process.argv.slice(2));
}
