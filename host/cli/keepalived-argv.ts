// keepalived 2.2.7 parses its root flags with getopt_long (optstring ":vhlndu:DRS:f:p:i:es:mM::g::Gt::PCr:VXac:ITBb:xA:",
// read from the Debian binary): an optional value exists only when attached (`-tFILE`, `--config-test=FILE`), a
// stray word is "Unexpected argument(s)", not a value, a long option may be abbreviated to any unambiguous prefix
// (`--use=FILE`, `--log-fac=3`), `-v`, `-h`, `--signum` and `-T` end the parsing where they stand, and an unknown
// option or a missing value ("Unknown option -Z", "Missing parameter for option -f") makes it exit 1 after the
// loop. commander does none of that (it would even give -t the next word, so `vipd -t /etc/keepalived/keepalived.conf`
// would overwrite the config file), so this rewrites the root part of argv into exact long names that commander
// reads as getopt would have, with hidden options carrying what commander must not judge by itself.

type Arg = 'none' | 'required' | 'optional';
interface Opt { long: string; short?: string; arg: Arg }

/** keepalived 2.2.7's options (Debian build: VRRP, LVS, BFD, SNMP), then vipd's own. */
const OPTIONS: readonly Opt[] = [
  { long: 'use-file', short: 'f', arg: 'required' },
  { long: 'vrrp', short: 'P', arg: 'none' },
  { long: 'check', short: 'C', arg: 'none' },
  { long: 'no_bfd', short: 'B', arg: 'none' },
  { long: 'all', arg: 'none' },
  { long: 'log-console', short: 'l', arg: 'none' },
  { long: 'log-detail', short: 'D', arg: 'none' },
  { long: 'log-facility', short: 'S', arg: 'required' },
  { long: 'log-file', short: 'g', arg: 'optional' },
  { long: 'all-config', short: 'e', arg: 'none' },
  { long: 'no-syslog', short: 'G', arg: 'none' },
  { long: 'umask', short: 'u', arg: 'required' },
  { long: 'release-vips', short: 'X', arg: 'none' },
  { long: 'dont-release-vrrp', short: 'V', arg: 'none' },
  { long: 'dont-release-ipvs', short: 'I', arg: 'none' },
  { long: 'dont-respawn', short: 'R', arg: 'none' },
  { long: 'dont-fork', short: 'n', arg: 'none' },
  { long: 'dump-conf', short: 'd', arg: 'none' },
  { long: 'pid', short: 'p', arg: 'required' },
  { long: 'vrrp_pid', short: 'r', arg: 'required' },
  { long: 'genhash', short: 'T', arg: 'none' },
  { long: 'checkers_pid', short: 'c', arg: 'required' },
  { long: 'address-monitoring', short: 'a', arg: 'none' },
  { long: 'bfd_pid', short: 'b', arg: 'required' },
  { long: 'snmp', short: 'x', arg: 'none' },
  { long: 'snmp-agent-socket', short: 'A', arg: 'required' },
  { long: 'core-dump', short: 'm', arg: 'none' },
  { long: 'core-dump-pattern', short: 'M', arg: 'optional' },
  { long: 'namespace', short: 's', arg: 'required' },
  { long: 'config-id', short: 'i', arg: 'required' },
  { long: 'signum', arg: 'required' },
  { long: 'config-test', short: 't', arg: 'optional' },
  { long: 'config-fd', arg: 'required' },
  { long: 'version', short: 'v', arg: 'none' },
  { long: 'help', short: 'h', arg: 'none' },
  // vipd's own.
  { long: 'keepalived-compat', arg: 'none' },
];

/** Options after which keepalived exits on the spot: what follows them is never looked at. */
const TERMINAL = new Set(['version', 'help', 'signum', 'genhash']);

/** The hidden options that carry, in order, what getopt found wrong or what only the order of flags tells. */
export const UNEXPECTED_FLAG = '--unexpected-arg';
export const UNKNOWN_FLAG = '--unknown-option';
export const MISSING_FLAG = '--missing-parameter';
/** `--x-vrrp=0|1`: whether VRRP runs once -P, -C and --all are applied in order (keepalived's daemon_mode bits). */
export const VRRP_MODE_FLAG = '--x-vrrp';
/** `--x-umask-at-t=MASK`: a valid -u given before -t, which keepalived applies when it creates -t's log file. */
export const UMASK_AT_T_FLAG = '--x-umask-at-t';

/** getopt_long's match: an exact name, else a prefix of exactly one option (null: unknown or ambiguous). */
export function matchLong(name: string): Opt | null {
  const exact = OPTIONS.find((o) => o.long === name);
  if (exact) return exact;
  const cands = OPTIONS.filter((o) => o.long.startsWith(name));
  return cands.length === 1 ? cands[0] : null;
}

/**
 * keepalived's umask value: strtoll(s, &end, 0) with nothing left over, 0..0777 (`''` is 0, `022` octal, `0x12`
 * hex); null when keepalived says "Invalid --umask option".
 */
export function parseUmask(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?$/.exec(s);
  if (!m) return null;
  const body = m[2] ?? '0';
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : Number(body);
  if (m[1] === '-' && v !== 0) return null;
  return v <= 0o777 ? v : null;
}

/**
 * Root argv → argv for commander: every option by its exact long name with its value attached (`--config-test=`
 * when -t has none, so commander never takes the next word), stray words as `--unexpected-arg=WORD`, getopt's
 * complaints as `--unknown-option=` / `--missing-parameter=`. Everything from the first word that names a
 * subcommand on is left alone (it belongs to that subcommand).
 */
export function getoptArgv(argv: readonly string[], subcommands: readonly string[]): string[] {
  const out: string[] = [];
  let vrrp = true;
  let umask: number | null = null;
  const emit = (o: Opt, value: string | undefined): boolean => {
    if (o.long === 'check') vrrp = false;
    if (o.long === 'all') vrrp = true;
    if (o.long === 'umask' && value !== undefined) umask = parseUmask(value) ?? umask;
    if (o.long === 'config-test' && umask !== null) out.push(`${UMASK_AT_T_FLAG}=${umask}`);
    if (o.arg === 'none') out.push(`--${o.long}`);
    else if (o.arg === 'optional') out.push(`--${o.long}=${value ?? ''}`);
    else out.push(`--${o.long}=${value}`);
    return TERMINAL.has(o.long);
  };
  let done = false;
  let i = 0;
  for (; i < argv.length && !done; i++) {
    const a = argv[i];
    if (a === '--') {
      for (const w of argv.slice(i + 1)) out.push(`${UNEXPECTED_FLAG}=${w}`);
      i = argv.length;
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (subcommands.includes(a)) break;
      out.push(`${UNEXPECTED_FLAG}=${a}`);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const o = matchLong(name);
      if (!o || (o.arg === 'none' && eq >= 0)) {
        out.push(`${UNKNOWN_FLAG}=${a}`);
        continue;
      }
      let value = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (o.arg === 'required') {
        if (value === undefined && i + 1 < argv.length) value = argv[++i];
        // keepalived: an empty `--use-file=` is a missing parameter too.
        if (value === undefined || value === '') {
          out.push(`${MISSING_FLAG}=--${o.long}`);
          continue;
        }
      }
      done = emit(o, value);
      continue;
    }
    // A cluster of short flags (-nlD, -tFILE, -fFILE, -nf FILE).
    for (let k = 1; k < a.length && !done; k++) {
      const o = OPTIONS.find((x) => x.short === a[k]);
      const rest = a.slice(k + 1);
      if (!o) {
        out.push(`${UNKNOWN_FLAG}=-${a[k]}`);
        continue;
      }
      if (o.arg === 'none') {
        done = emit(o, undefined);
        continue;
      }
      if (o.arg === 'optional') {
        // getopt hands "=FILE" over as the value of `-t=FILE`; vipd takes the '=' for what it means.
        done = emit(o, o.long === 'config-test' && rest.startsWith('=') ? rest.slice(1) : rest || undefined);
        break;
      }
      if (rest) done = emit(o, rest);
      else if (i + 1 < argv.length) done = emit(o, argv[++i]);
      else out.push(`${MISSING_FLAG}=-${o.short}`);
      break;
    }
  }
  out.push(`${VRRP_MODE_FLAG}=${vrrp ? 1 : 0}`);
  // After a terminal option keepalived reads nothing more; a subcommand keeps its words.
  if (!done && i < argv.length && subcommands.includes(argv[i])) out.push(...argv.slice(i));
  return out;
}
