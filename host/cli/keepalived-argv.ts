// keepalived's root flags go through getopt_long, where an optional value exists only when attached
// (`-tFILE`, `--config-test=FILE`) and a stray word is "Unexpected argument(s)", not a value. commander gives an
// optional value the next word instead, so `vipd -t /etc/keepalived/keepalived.conf` would overwrite the config
// file with the diagnostics. This rewrites the root part of argv so that commander reads it as getopt would.

/** Root flags taking a value (attached or as the next word). */
const VALUE_SHORT = new Set(['f', 'S', 'p', 'r', 'c', 'i']);
const VALUE_LONG = new Set(['--use-file', '--log-facility', '--pid', '--vrrp_pid', '--checkers_pid', '--config-id', '--signum']);
/** Root flags with an optional value (attached only). */
const OPTIONAL_SHORT = new Set(['t']);
const OPTIONAL_LONG = new Set(['--config-test']);

/** The hidden option that carries each stray word to the root action. */
export const UNEXPECTED_FLAG = '--unexpected-arg';

/**
 * Root argv → argv for commander: an optional value is always attached (`--config-test=` when absent, so commander
 * never takes the next word), and stray words become `--unexpected-arg=WORD`. Everything from the first word that
 * names a subcommand on is left alone (it belongs to that subcommand).
 */
export function getoptArgv(argv: readonly string[], subcommands: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      for (const w of argv.slice(i + 1)) out.push(`${UNEXPECTED_FLAG}=${w}`);
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (subcommands.includes(a)) {
        out.push(...argv.slice(i));
        break;
      }
      out.push(`${UNEXPECTED_FLAG}=${a}`);
      continue;
    }
    if (a.startsWith('--')) {
      const name = a.split('=')[0];
      if (OPTIONAL_LONG.has(name)) out.push(a.includes('=') ? a : `${a}=`);
      else {
        out.push(a);
        if (VALUE_LONG.has(name) && !a.includes('=') && i + 1 < argv.length) out.push(argv[++i]);
      }
      continue;
    }
    // A cluster of short flags (-nlD, -tFILE, -fFILE, -nf FILE).
    for (let k = 1; k < a.length; k++) {
      const c = a[k];
      const rest = a.slice(k + 1);
      if (OPTIONAL_SHORT.has(c)) {
        // getopt would hand "=FILE" over as the value of `-t=FILE`; vipd takes the '=' for what it means.
        out.push(`--config-test=${rest.startsWith('=') ? rest.slice(1) : rest}`);
        break;
      }
      if (VALUE_SHORT.has(c)) {
        out.push(`-${c}`);
        if (rest) out.push(rest);
        else if (i + 1 < argv.length) out.push(argv[++i]);
        break;
      }
      out.push(`-${c}`);
    }
  }
  return out;
}

