// keepalived's own flags on the root command. Wiring only: -t/-d go to host/config, the daemon is elsewhere.
// argv arrives rewritten by keepalived-argv.ts, so that -t's log file is only ever an attached value.
import { appendFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CliDeps } from './program.ts';
import { MISSING_FLAG, UMASK_AT_T_FLAG, UNEXPECTED_FLAG, UNKNOWN_FLAG, VRRP_MODE_FLAG, parseUmask } from './keepalived-argv.ts';
import { DEFAULT_CONFIG_FILE, type Diagnostic, dumpConfig, exitCodeFor, loadConfig, renderDiagnostics } from '../config/index.ts';
import { DEFAULT_PID_FILE, DEFAULT_VRRP_PID_FILE, runDaemon } from '../daemon/main.ts';

/** Signal numbers as keepalived --signum prints them (Linux x86-64). */
export const SIGNUMS: Readonly<Record<string, number>> = { STOP: 15, RELOAD: 1, DATA: 10, STATS: 12, STATS_CLEAR: 63, JSON: 36 };

export const VIPD_VERSION = '0.1.0';

export interface DaemonOptions {
  useFile?: string;
  vrrp?: boolean;
  check?: boolean;
  no_bfd?: boolean;
  all?: boolean;
  logConsole?: boolean;
  logDetail?: boolean;
  logFacility?: string;
  logFile?: string;
  /** commander's name for --no-syslog (false when given). */
  syslog?: boolean;
  umask?: string;
  releaseVips?: boolean;
  dontReleaseVrrp?: boolean;
  dontReleaseIpvs?: boolean;
  dontRespawn?: boolean;
  dontFork?: boolean;
  dumpConf?: boolean;
  pid?: string;
  vrrp_pid?: string;
  genhash?: boolean;
  checkers_pid?: string;
  addressMonitoring?: boolean;
  bfd_pid?: string;
  snmp?: boolean;
  snmpAgentSocket?: string;
  coreDump?: boolean;
  coreDumpPattern?: string;
  namespace?: string;
  configId?: string;
  configTest?: string | boolean;
  configFd?: string;
  allConfig?: boolean;
  version?: boolean;
  signum?: string;
  keepalivedCompat?: boolean;
  /** Words that are neither flags nor a subcommand (keepalived: "Unexpected argument(s)"). */
  unexpectedArg?: string[];
  unknownOption?: string[];
  missingParameter?: string[];
  /** '0' when -C (not undone by a later --all) leaves VRRP out, as keepalived's daemon_mode bits do. */
  xVrrp?: string;
  xUmaskAtT?: string;
}

const list = (w: string, prev: string[] = []) => [...prev, w];

export function registerDaemonOptions(program: Command, deps: CliDeps, setExit: (c: number) => void): void {
  program
    .option('-f, --use-file <file>', `use the specified configuration file (default ${DEFAULT_CONFIG_FILE})`)
    .option('-P, --vrrp', 'only run with the VRRP subsystem (vipd runs nothing else)')
    .option('-C, --check', 'only run with the health-checker subsystem: vipd has none, so it idles like keepalived with nothing to run (also with -P; a later --all brings VRRP back)')
    .option('-B, --no_bfd', "don't run the BFD subsystem (vipd has none)")
    .option('--all', 'run every subsystem even without configuration (vipd: undoes an earlier -C)')
    .option('-l, --log-console', 'log messages to the local console')
    .option('-D, --log-detail', 'detailed log messages')
    .addOption(new Option('-S, --log-facility <facility>', 'syslog facility: 0-7 (LOG_LOCAL0-7), local0-7, user or daemon (default)'))
    .option('-g, --log-file [FILE]', 'not available: the Debian keepalived 2.2.7 refuses it too (exit 1)')
    .option('-G, --no-syslog', "don't log via syslog")
    .option('-u, --umask <mask>', 'umask for file creation, in numeric form (022, 0x12, 18)')
    .option('-X, --release-vips', 'drop VIPs on a transition caused by a signal: what vipd always does for the VIPs it installed (no effect)')
    .option('-V, --dont-release-vrrp', "don't remove VRRP VIPs and VROUTEs on daemon stop")
    .option('-I, --dont-release-ipvs', "don't remove IPVS topology on daemon stop (vipd does not drive IPVS)")
    .option('-R, --dont-respawn', "don't respawn child processes (vipd is one process: nothing to respawn)")
    .option('-n, --dont-fork', "don't fork the daemon process")
    .option('-d, --dump-conf', 'dump the effective configuration (defaults filled in) and exit')
    .option('-p, --pid <file>', 'pid file for the parent process')
    .option('-r, --vrrp_pid <file>', 'pid file for the VRRP child process')
    .option('-T, --genhash', 'genhash utility mode: not part of vipd (exit 1)')
    .option('-c, --checkers_pid <file>', 'pid file for the checkers child process (vipd has none)')
    .option('-a, --address-monitoring', 'report all address additions/deletions notified via netlink (no effect in vipd)')
    .option('-b, --bfd_pid <file>', 'pid file for the BFD child process (vipd has none)')
    .option('-x, --snmp', 'enable the SNMP subsystem (vipd has none: no effect)')
    .option('-A, --snmp-agent-socket <file>', 'socket of the SNMP master agent (no effect)')
    .option('-m, --core-dump', 'produce a core dump on abnormal exit (no effect: set LimitCORE= in the unit)')
    .option('-M, --core-dump-pattern [pattern]', 'also set /proc/sys/kernel/core_pattern (vipd never writes that host-wide setting)')
    .option('-s, --namespace <name>', 'run in network namespace NAME: not supported by the daemon (run it under `ip netns exec NAME`); -t checks in the current namespace')
    .option('-e, --all-config', 'error if any configuration file is missing')
    .option('-i, --config-id <id>', "skip config lines starting '@' that don't match id (default: host name up to the first dot)")
    .option('--signum <sigfunc>', 'print the signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON')
    .option('-t, --config-test [LOG_FILE]', 'check the configuration and exit: 0 ok, 2 missing parameter, 4 cannot run, 5 config error, 6 script security; diagnostics go to stderr, or are appended to LOG_FILE (attached: -tFILE or --config-test=FILE)')
    .addOption(new Option('--config-fd <fd>').hideHelp())
    .option('-v, --version', 'display the version number')
    .option('--keepalived-compat', "vipd: behave as keepalived 2.2.7 where vipd improves on it (preempt after Master_Down_Interval, no last advert when yielding)")
    .addOption(new Option(`${UNEXPECTED_FLAG} <word>`).hideHelp().argParser(list))
    .addOption(new Option(`${UNKNOWN_FLAG} <word>`).hideHelp().argParser(list))
    .addOption(new Option(`${MISSING_FLAG} <word>`).hideHelp().argParser(list))
    .addOption(new Option(`${VRRP_MODE_FLAG} <bit>`).hideHelp())
    .addOption(new Option(`${UMASK_AT_T_FLAG} <mask>`).hideHelp())
    .action(async (opts: DaemonOptions) => setExit(await runDaemonOptions(opts, deps)));
}

/**
 * strtoul as keepalived's read_unsigned uses it: leading blanks, an optional '+', digits ('' is 0); null where
 * 2.2.7 reports a config error ("invalid number", "negative number", "outside range").
 */
function readUnsigned(s: string, max: number): number | null {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '');
  if (t === '') return 0;
  if (!/^\+?\d+$/.test(t)) return null;
  const v = Number(t.replace('+', ''));
  return v <= max ? v : null;
}

/**
 * -S as 2.2.7 reads it: first as a number 0-7 (LOG_LOCALn); only when that fails as `local<n>`, `user` or
 * `daemon`. The failed number is reported as a config error, so `-t` exits 5 even for a name it then accepts.
 * `facility` is what the daemon logs to (undefined: the default); `numeric` whether -t passes.
 */
export function keepalivedFacility(s: string): { facility?: string; numeric: boolean } {
  const n = readUnsigned(s, 7);
  if (n !== null) return { facility: String(n), numeric: true };
  const local = s.startsWith('local') ? readUnsigned(s.slice(5), 7) : null;
  if (local !== null) return { facility: String(local), numeric: false };
  if (s === 'user' || s === 'daemon') return { facility: s, numeric: false };
  return { numeric: false };
}

/** Command-line findings that count in -t's verdict, as diagnostics of their own. */
function cliDiagnostic(message: string): Diagnostic {
  return { file: '<command line>', line: 0, col: 0, severity: 'error', status: 'error', keyword: '', message };
}

/** Flags keepalived acts on and vipd accepts without acting on: the warning the daemon gives at start. */
function ignoredFlags(o: DaemonOptions): string[] {
  const w: string[] = [];
  if (o.releaseVips) w.push('-X/--release-vips: vipd always removes the VIPs it installed when an instance leaves MASTER, also after a reload; addresses it did not add are left alone');
  if (o.addressMonitoring) w.push('-a/--address-monitoring: vipd does not log every address change');
  if (o.snmp || o.snmpAgentSocket !== undefined) w.push('-x/-A (SNMP): vipd has no SNMP subsystem');
  if (o.coreDump || o.coreDumpPattern !== undefined) w.push('-m/-M (core dumps): no effect; vipd never writes /proc/sys/kernel/core_pattern (a host-wide setting), set LimitCORE= in the unit for core files');
  return w;
}

/** The root command's behaviour, as a function of the parsed flags; returns the exit code. */
export function runDaemonOptions(o: DaemonOptions, deps: CliDeps): number | Promise<number> {
  const logFile = typeof o.configTest === 'string' ? o.configTest : '';
  if (logFile !== '') {
    // keepalived opens -t's log file while it parses the flags (append, O_CREAT 0644 under its umask, 0177 unless
    // -u came first) and exits 1 at once if it cannot.
    const mask = o.xUmaskAtT !== undefined ? Number(o.xUmaskAtT) : null;
    const old = mask !== null ? process.umask(mask) : null;
    try {
      appendFileSync(logFile, '', { mode: mask !== null ? 0o644 : 0o600 });
    } catch (e) {
      deps.stderr(`Unable to open config-test log file ${logFile}: ${(e as Error).message}\n`);
      return 1;
    } finally {
      if (old !== null) process.umask(old);
    }
  }
  // -v, -h, --signum and -T end keepalived's parsing where they stand (keepalived-argv.ts drops what follows).
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
  if (o.genhash) {
    deps.stderr('vipd: -T/--genhash (keepalived\'s HTTP checker hash utility) is not part of vipd, which has no health checkers\n');
    return 1;
  }
  const stray = o.unexpectedArg ?? [];
  const startsDaemon = o.configTest === undefined && !o.dumpConf;
  if (stray.length > 0) deps.stdout(`Unexpected argument(s): ${stray.map((w) => `${w} `).join('')}\n`);
  // keepalived reports every bad option, then exits 1.
  let bad = false;
  for (const u of o.unknownOption ?? []) { deps.stderr(`Unknown option ${u}\n`); bad = true; }
  for (const m of o.missingParameter ?? []) { deps.stderr(`Missing parameter for option ${m}\n`); bad = true; }
  if (o.logFile !== undefined) { deps.stderr('-g requires configure option --enable-log-file (vipd has no log file either; use -l and the journal)\n'); bad = true; }
  if (bad) return 1;
  if (stray.length > 0 && startsDaemon) {
    // keepalived then carries on. A daemon is not started on a word vipd does not know: it is more likely a
    // mistyped subcommand (vipd has several) than a keepalived argument.
    deps.stderr(`vipd: not starting the daemon: unknown command or unexpected argument '${stray[0]}' (commands: status, packet, sim, demo; -t FILE? the log file must be attached: -tFILE)\n`);
    return 2;
  }
  const cli: Diagnostic[] = [];
  let facility: string | undefined;
  if (o.logFacility !== undefined) {
    const f = keepalivedFacility(o.logFacility);
    facility = f.facility;
    if (f.facility === undefined) cli.push(cliDiagnostic(`invalid log facility '${o.logFacility}' (expected 0-7, local0-7, user or daemon); the daemon logs to the default facility, daemon`));
    else if (!f.numeric) cli.push(cliDiagnostic(`-S ${o.logFacility}: keepalived 2.2.7 reads -S as a number first and reports "invalid number '${o.logFacility}'" as a config error before it accepts the name, so -t exits 5; the daemon logs to ${/^\d$/.test(f.facility) ? `local${f.facility}` : f.facility}; -S ${/^\d$/.test(f.facility) ? f.facility : 'N (0-7, LOG_LOCALN)'} passes the check`));
  }
  let umask: number | null = null;
  if (o.umask !== undefined) {
    umask = parseUmask(o.umask);
    // keepalived's message (it then keeps the default umask); not a config error.
    if (umask === null) deps.stderr(`Invalid --umask option ${o.umask}\n`);
  }
  const namespaceNote = o.namespace !== undefined
    ? `vipd: -s/--namespace ${o.namespace} is not applied: interfaces are checked in the current network namespace (run vipd under \`ip netns exec ${o.namespace}\`)\n`
    : '';
  const file = o.useFile ?? DEFAULT_CONFIG_FILE;
  if (o.configTest !== undefined) {
    const res = loadConfig(file, { configId: o.configId, allConfig: o.allConfig });
    const all = [...cli, ...res.diagnostics];
    // Notes (keywords accepted but not acted on yet) never change the exit code, but are always shown.
    const text = namespaceNote + renderDiagnostics(all, true);
    if (logFile === '') deps.stderr(text);
    else {
      try {
        appendFileSync(logFile, text);
      } catch (e) {
        deps.stderr(`Unable to open config-test log file ${logFile}: ${(e as Error).message}\n`);
        return 1;
      }
    }
    return exitCodeFor(all);
  }
  if (o.dumpConf) {
    const res = loadConfig(file, { configId: o.configId, allConfig: o.allConfig });
    deps.stderr(namespaceNote + renderDiagnostics([...cli, ...res.diagnostics]));
    deps.stdout(dumpConfig(res.config));
    return 0;
  }
  if (o.namespace !== undefined) {
    // Ignoring it would run VRRP, and put VIPs, in the wrong network namespace.
    deps.stderr(`vipd: not starting: -s/--namespace ${o.namespace} is not supported by the daemon; start it in that namespace instead (ip netns exec ${o.namespace} vipd ...)\n`);
    return 1;
  }
  deps.stderr(renderDiagnostics(cli).replace(/^<command line>: error: /gm, 'vipd: warning: '));
  for (const w of ignoredFlags(o)) deps.stderr(`vipd: warning: ${w}\n`);
  if (umask !== null) process.umask(umask);
  return runDaemon({
    configFile: file, configId: o.configId, allConfig: o.allConfig, logConsole: o.logConsole, logDetail: o.logDetail,
    logFacility: facility, dontFork: o.dontFork, pidFile: o.pid ?? DEFAULT_PID_FILE,
    vrrpPidFile: o.vrrp_pid ?? DEFAULT_VRRP_PID_FILE, dontReleaseVrrp: o.dontReleaseVrrp, noSyslog: o.syslog === false,
    keepalivedCompat: o.keepalivedCompat, checkerOnly: o.xVrrp === '0', stderr: deps.stderr,
  }, process.argv.slice(2));
}
