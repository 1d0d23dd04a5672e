// keepalived 2.2.7's include rules: which files an include line reads, and which problems are errors. Each
// problem has a check class; it is an error (exit 6, as measured) only when the include variant or the current
// include_check level asks for that class, otherwise keepalived logs it and goes on.
import { type ConfigFs, expandBraces, hasWildcard } from './source.ts';

/** An entry is a directory, unreadable, not a regular non-executable file, or an include loop. */
export const INCLUDE_R = 1;
/** Nothing matches a literal path (or a directory on the way is missing). */
export const INCLUDE_M = 2;
/** Nothing matches a wildcard. */
export const INCLUDE_W = 4;
/** A brace alternative matches nothing (then nothing of that include is read). */
export const INCLUDE_B = 8;
export const INCLUDE_ALL = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;

/** The checks each variant adds to include_check (`includet` and the like are not include lines at all). */
export const INCLUDE_KINDS: Readonly<Record<string, number>> = {
  include: 0,
  includer: INCLUDE_R,
  includem: INCLUDE_R | INCLUDE_M,
  includew: INCLUDE_R | INCLUDE_M | INCLUDE_W,
  includeb: INCLUDE_R | INCLUDE_B,
  includea: INCLUDE_ALL,
};

export const INCLUDE_LINE = /^(include[rmwba]?)[ \t]+(\S.*)$/s;

const CHECK_NAMES: Readonly<Record<string, number>> = { read: INCLUDE_R, match: INCLUDE_M, wildcard_match: INCLUDE_W, brace_match: INCLUDE_B };

/**
 * `include_check [WORD...]`: no word means every check; a plain first word sets "read" plus that check, later
 * words must be `+NAME` / `-NAME`. Returns the new level and the words keepalived rejects (each a config error).
 */
export function includeCheckLevel(words: readonly string[], current: number): { level: number; problems: { index: number; message: string }[] } {
  if (words.length === 0) return { level: INCLUDE_ALL, problems: [] };
  let level = current;
  const problems: { index: number; message: string }[] = [];
  words.forEach((w, i) => {
    const sign = w[0] === '+' || w[0] === '-' ? w[0] : '';
    const name = sign ? w.slice(1) : w;
    if (!sign) {
      if (i > 0) { problems.push({ index: i, message: `duplicate include_check '${w}': only the first word may set the level, later ones need + or -` }); return; }
      level = 0;
    }
    const flag = CHECK_NAMES[name];
    if (flag === undefined) { problems.push({ index: i, message: `unknown include_check type '${name}'; ignored (read, match, wildcard_match, brace_match)` }); return; }
    if (!sign) level = INCLUDE_R | flag;
    else if (sign === '+') level |= flag;
    else level &= ~flag;
  });
  return { level, problems };
}

export interface IncludeProblem {
  check: number;
  message: string;
  expected: string;
  found: string;
}

export interface IncludePlan {
  /** Readable regular files, in glob order. */
  files: string[];
  problems: IncludeProblem[];
}

/** The files one include line reads with checks `flags`, and what keepalived would log about it. */
export function planInclude(pattern: string, shown: string, flags: number, fs: ConfigFs): IncludePlan {
  const g = fs.glob(pattern);
  const problems: IncludeProblem[] = [];
  const brace = expandBraces(pattern).length > 1;
  if (g.matches.length === 0) {
    if (g.missing) problems.push({ check: brace ? INCLUDE_B : INCLUDE_M, message: `config files missing '${shown}'`, expected: 'an existing file at every path of the include', found: shown });
    else if (hasWildcard(pattern)) problems.push({ check: INCLUDE_W, message: `no config files matched '${shown}'`, expected: 'a pattern that matches at least one file', found: shown });
    return { files: [], problems };
  }
  if (g.missing) {
    problems.push({ check: INCLUDE_B, message: `some config files missing: '${shown}' (a brace alternative or a path under a wildcard does not exist)`, expected: 'an existing file for every brace alternative and wildcard path', found: shown });
    if (flags & INCLUDE_B) return { files: [], problems };
  }
  const files: string[] = [];
  for (const m of g.matches) {
    if (m.kind === 'dir') problems.push({ check: INCLUDE_R, message: `configuration file '${m.path}/' is a directory; skipped`, expected: 'a regular file', found: `${m.path}/` });
    else if (m.kind === 'special') problems.push({ check: INCLUDE_R, message: `configuration file '${m.path}' is not a regular non-executable file; skipped`, expected: 'a regular non-executable file', found: m.path });
    else files.push(m.path);
  }
  return { files, problems };
}
