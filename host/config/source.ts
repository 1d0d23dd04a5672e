// File access for the config reader, behind a small interface so tests and the fuzzer can run in memory.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** What a glob match is: keepalived skips directories and anything but a regular, non-executable file. */
export type EntryKind = 'file' | 'dir' | 'special';

export interface GlobResult {
  /** Matches, sorted, with what each one is. */
  matches: { path: string; kind: EntryKind }[];
  /** A literal part of the pattern (a file, or a directory a wildcard had to read) does not exist. */
  missing: boolean;
}

export interface ConfigFs {
  /** File text, or null when it cannot be read. */
  read(path: string): string | null;
  /** Paths matching a glob (`*`, `?`, `[..]`, `{a,b}`), as glibc's glob(GLOB_BRACE | GLOB_MARK) finds them. */
  glob(pattern: string): GlobResult;
}

export const realFs: ConfigFs = {
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return null;
    }
  },
  glob(pattern) {
    const found = new Map<string, EntryKind>();
    let missing = false;
    for (const p of expandBraces(pattern)) {
      const r = globOne(p);
      missing ||= r.missing;
      for (const m of r.matches) found.set(m.path, m.kind);
    }
    return sorted(found, missing);
  },
};

/** In-memory file system: `{ '/etc/k.conf': 'text' }`; directories are the parents of the files. */
export function memoryFs(files: Record<string, string>): ConfigFs {
  const paths = Object.keys(files).map((f) => resolve(f));
  const isDir = (d: string) => paths.some((f) => f.startsWith(d.endsWith('/') ? d : d + '/'));
  return {
    read: (p) => files[resolve(p)] ?? files[p] ?? null,
    glob(pattern) {
      const found = new Map<string, EntryKind>();
      let missing = false;
      for (const p of expandBraces(pattern)) {
        const abs = resolve(p);
        if (!hasWildcard(abs)) {
          if (paths.includes(abs)) found.set(abs, 'file');
          else if (isDir(abs)) found.set(abs, 'dir');
          else missing = true;
          continue;
        }
        const re = globRegex(abs);
        const hits = paths.filter((f) => re.test(f));
        for (const f of hits) found.set(f, 'file');
        // glob reads the directory before the first wildcard: it must exist.
        const fixed = abs.slice(0, abs.search(/[*?[]/));
        if (hits.length === 0 && !isDir(dirname(fixed + 'x'))) missing = true;
      }
      return sorted(found, missing);
    },
  };
}

function sorted(found: Map<string, EntryKind>, missing: boolean): GlobResult {
  return { matches: [...found].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([path, kind]) => ({ path, kind })), missing };
}

export function resolveInclude(pattern: string, includingFile: string): string {
  return isAbsolute(pattern) ? pattern : join(dirname(resolve(includingFile)), pattern);
}

export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p);
}

/** `a{b,c}d` → [abd, acd]; bounded so a hostile pattern cannot explode. */
export function expandBraces(p: string, budget = 256): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  let depth = 0;
  const parts: string[] = [];
  let start = open + 1;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        parts.push(p.slice(start, i));
        const head = p.slice(0, open);
        const tail = p.slice(i + 1);
        const out: string[] = [];
        for (const part of parts) {
          for (const t of expandBraces(head + part + tail, budget)) {
            if (out.length >= budget) return out;
            out.push(t);
          }
        }
        return out;
      }
    } else if (c === ',' && depth === 1) {
      parts.push(p.slice(start, i));
      start = i + 1;
    }
  }
  return [p];
}

function globRegex(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = p.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

function kindOf(path: string): EntryKind | null {
  try {
    const st = statSync(path);
    if (st.isDirectory()) return 'dir';
    return st.isFile() && (st.mode & 0o111) === 0 ? 'file' : 'special';
  } catch {
    return null;
  }
}

/**
 * One brace-free pattern. Like glibc: a literal pattern is looked up (missing if absent); a wildcard segment
 * reads its directory (missing if that directory does not exist); dot files are not matched by wildcards.
 */
function globOne(pattern: string): GlobResult {
  const abs = resolve(pattern);
  if (!hasWildcard(abs)) {
    const kind = kindOf(abs);
    return kind === null ? { matches: [], missing: true } : { matches: [{ path: abs, kind }], missing: false };
  }
  const segs = abs.split('/').filter((s) => s.length > 0);
  let bases = ['/'];
  let missing = false;
  for (const [i, seg] of segs.entries()) {
    const last = i === segs.length - 1;
    const next: string[] = [];
    for (const b of bases) {
      if (!hasWildcard(seg)) {
        const p = join(b, seg);
        if (kindOf(p) === null) missing = true;
        else next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(b);
      } catch {
        missing = true;
        continue;
      }
      const re = globRegex(seg);
      for (const n of names) if (!n.startsWith('.') && re.test(n) && (last || kindOf(join(b, n)) === 'dir')) next.push(join(b, n));
    }
    bases = next;
    if (bases.length > 4096) break;
  }
  const matches: GlobResult['matches'] = [];
  for (const b of bases) {
    const kind = kindOf(b);
    if (kind !== null) matches.push({ path: b, kind });
  }
  return { matches, missing };
}
