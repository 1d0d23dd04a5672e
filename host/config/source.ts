// File access for the config reader, behind a small interface so tests and the fuzzer can run in memory.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface ConfigFs {
  /** File text, or null when it cannot be read. */
  read(path: string): string | null;
  /** Paths matching a glob (`*`, `?`, `[..]`, `{a,b}`), sorted; a pattern without wildcards returns itself if it exists. */
  glob(pattern: string): string[];
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
    const out = new Set<string>();
    for (const p of expandBraces(pattern)) for (const m of globOne(p)) out.add(m);
    return [...out].sort();
  },
};

/** In-memory file system: `{ '/etc/k.conf': 'text' }`. */
export function memoryFs(files: Record<string, string>): ConfigFs {
  return {
    read: (p) => files[resolve(p)] ?? files[p] ?? null,
    glob(pattern) {
      const out = new Set<string>();
      for (const p of expandBraces(pattern)) {
        const re = globRegex(resolve(p));
        for (const f of Object.keys(files)) if (re.test(resolve(f))) out.add(resolve(f));
      }
      return [...out].sort();
    },
  };
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

function globOne(pattern: string): string[] {
  if (!hasWildcard(pattern)) {
    try {
      statSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const abs = resolve(pattern);
  const segs = abs.split('/').filter((s) => s.length > 0);
  let bases = ['/'];
  for (const seg of segs) {
    const next: string[] = [];
    for (const b of bases) {
      if (!hasWildcard(seg)) {
        next.push(join(b, seg));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(b);
      } catch {
        continue;
      }
      const re = globRegex(seg);
      for (const n of names) if (!n.startsWith('.') && re.test(n)) next.push(join(b, n));
    }
    bases = next;
    if (bases.length > 4096) break;
  }
  return bases.filter((b) => {
    try {
      return statSync(b).isFile();
    } catch {
      return false;
    }
  });
}
