// enable_script_security, keepalived's way (core/notify.c check_script_secure + check_security): resolve the
// command, decide execve vs /bin/sh, and when the script runs with root powers refuse (or, without the option, only
// flag) any file or directory on its path that a non-root user could change. Runs at configuration time; stat calls
// are async so a large config does not stall a running daemon during reload.
import { type Stats, constants as C, lstatSync, realpathSync } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PreparedCommand } from './run-script.ts';

// Not exported by @types/node's fs.constants.
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

export interface SecurityVerdict {
  /** null: the script must not run (not found, not executable, or refused under enable_script_security). */
  command: PreparedCommand | null;
  /** A real file was found (counts toward keepalived's "scripts are being executed" warning). */
  isScript: boolean;
  /** Some path component is writable or owned by a non-root user. */
  insecure: boolean;
  /** Lines keepalived would log for this script, in order. */
  logs: string[];
}

interface Who { uid: number; gid: number }

function isExecutable(st: { mode: number; uid: number; gid: number }, who: Who): boolean {
  const m = st.mode;
  if (who.uid === 0) return (m & (C.S_IXUSR | C.S_IXGRP | C.S_IXOTH)) !== 0;
  if (who.uid === st.uid) return (m & C.S_IXUSR) !== 0;
  return who.gid === st.gid ? (m & C.S_IXGRP) !== 0 : (m & C.S_IXOTH) !== 0;
}

/** PATH search for a bare name, as glibc's execvp does it (keepalived's find_path). */
async function findInPath(name: string, who: Who, path: string): Promise<string | 'EACCES' | null> {
  let sawDenied = false;
  for (const dir of path.split(':')) {
    const cand = join(dir || '.', name);
    try {
      const st = await stat(cand);
      if (st.isFile() && isExecutable(st, who)) return cand;
      sawDenied = true;
    } catch { /* try the next directory */ }
  }
  return sawDenied ? 'EACCES' : null;
}

type PathProblem = { path: string; reason: 'unsafe' | 'missing' | 'type' };

/** Every prefix of `file` from "/" to the file itself. */
function pathPrefixes(file: string): string[] {
  const parts = file.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
}

/** One lstat'ed prefix: unsafe when owned by non-root, or (a file, or a directory without the sticky bit) writable by a non-root group or by others. */
function prefixProblem(file: string, st: Stats | null, last: boolean): PathProblem | null {
  if (!st) return { path: file, reason: 'missing' };
  if ((!last && !st.isDirectory()) || (last && !st.isFile() && !st.isSymbolicLink())) return { path: file, reason: 'type' };
  const dirNoSticky = st.isDirectory() && (st.mode & S_ISVTX) === 0;
  const writable = (st.gid !== 0 && (st.mode & C.S_IWGRP) !== 0) || (st.mode & C.S_IWOTH) !== 0;
  if (st.uid !== 0 || ((dirNoSticky || st.isFile()) && writable)) return { path: file, reason: 'unsafe' };
  return null;
}

/**
 * Every prefix of `file` from "/" to the file itself, lstat'ed: unsafe when owned by non-root, or (for a file or a
 * directory without the sticky bit) writable by a non-root group or by others.
 */
export async function unsafePathComponent(file: string): Promise<PathProblem | null> {
  const prefixes = pathPrefixes(file);
  for (let i = 0; i < prefixes.length; i++) {
    const st = await lstat(prefixes[i]).catch(() => null);
    const bad = prefixProblem(file, st, i === prefixes.length - 1);
    if (bad) return bad;
  }
  return null;
}

/** The same check, synchronous: for the configuration check (`-t`), which reads the file system synchronously anyway. */
export function unsafePathComponentSync(file: string): PathProblem | null {
  const prefixes = pathPrefixes(file);
  for (let i = 0; i < prefixes.length; i++) {
    let st: Stats | null = null;
    try { st = lstatSync(prefixes[i]); } catch { /* missing */ }
    const bad = prefixProblem(file, st, i === prefixes.length - 1);
    if (bad) return bad;
  }
  return null;
}

/**
 * Whether keepalived would refuse a script under enable_script_security because of its path (`Unsafe permissions`
 * or a wrong file type on the way), for a script that runs with root powers; judged on the real path (symlinks
 * resolved, as keepalived runs it).
 */
export function scriptPathInsecureSync(resolved: string): boolean {
  let real: string;
  try { real = realpathSync(resolved); } catch { return false; }
  const bad = unsafePathComponentSync(real);
  return bad !== null && bad.reason !== 'missing';
}

/**
 * Decide how (and whether) to run `argv` as uid:gid. `scriptSecurity` = enable_script_security.
 * Mirrors keepalived: "</..." lines go to the shell unchecked; bare names are searched on PATH (with its warning);
 * the file must be executable for uid:gid; the path is only checked when the script would run with root powers.
 */
export async function checkScript(
  argv: string[],
  who: Who,
  scriptSecurity: boolean,
  path = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
): Promise<SecurityVerdict> {
  const logs: string[] = [];
  const line = argv.join(' ');
  const arg0 = argv[0] ?? '';
  if (/^<\s*\//.test(arg0)) {
    return { command: { mode: 'shell', line, uid: who.uid, gid: who.gid }, isScript: false, insecure: false, logs };
  }
  let file = arg0;
  if (!arg0.includes('/')) {
    const found = await findInPath(arg0, who, path);
    if (found === null || found === 'EACCES') {
      logs.push(found === 'EACCES'
        ? `Permissions failure for script ${arg0} in path - disabling`
        : `Cannot find script ${arg0} in path - disabling`);
      return { command: null, isScript: false, insecure: false, logs };
    }
    logs.push(`WARNING - script \`${arg0}\` resolved by path search to \`${found}\`. Please specify full path.`);
    file = found;
  }
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    logs.push(`Script ${file} cannot be accessed - ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    return { command: null, isScript: false, insecure: false, logs };
  }
  // keepalived runs the resolved path, but keeps the name the script was called by when only that differs
  // (busybox-style binaries look at argv[0]); both spellings then get the path check.
  let runPath = real;
  if (basename(real) !== basename(file)) {
    const named = join(dirname(real), basename(file));
    try {
      const [a, b] = await Promise.all([stat(named), stat(real)]);
      if (a.ino === b.ino && a.dev === b.dev) runPath = named;
    } catch { /* keep the real path */ }
  }
  const st = await stat(real);
  if (!isExecutable(st, who)) {
    logs.push(`WARNING - script '${file}' is not executable for uid:gid ${who.uid}:${who.gid} - disabling.`);
    return { command: null, isScript: true, insecure: false, logs };
  }
  const rootPowers = who.uid === 0 || who.gid === 0
    || (st.uid === 0 && (st.mode & C.S_IXUSR) !== 0 && (st.mode & S_ISUID) !== 0)
    || (st.gid === 0 && (st.mode & C.S_IXGRP) !== 0 && (st.mode & S_ISGID) !== 0);
  const command: PreparedCommand = { mode: 'exec', file: runPath, argv: [runPath, ...argv.slice(1)], uid: who.uid, gid: who.gid };
  if (!rootPowers) return { command, isScript: true, insecure: false, logs };
  let insecure = false;
  for (const p of runPath === real ? [real] : [runPath, real]) {
    const bad = await unsafePathComponent(p);
    if (!bad) continue;
    if (bad.reason === 'unsafe') {
      logs.push(`Unsafe permissions found for script '${p}'${scriptSecurity ? ' - disabling' : ''}.`);
      insecure = true;
      if (scriptSecurity) return { command: null, isScript: true, insecure, logs };
    } else if (bad.reason === 'type') {
      logs.push(`Wrong file type found in script path '${p}'.`);
      return { command: null, isScript: true, insecure, logs };
    }
  }
  return { command, isScript: true, insecure, logs };
}

/** The one summary line keepalived logs after checking every script, or null. */
export function securitySummary(verdicts: SecurityVerdict[], scriptSecurity: boolean): string | null {
  if (scriptSecurity || !verdicts.some((v) => v.isScript)) return null;
  const insecure = verdicts.some((v) => v.insecure);
  return `SECURITY VIOLATION - scripts are being executed but script_security not enabled.${insecure ? ' There are insecure scripts.' : ''}`;
}
