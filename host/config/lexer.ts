// keepalived.conf text → lines of tokens, with keepalived's preprocessing applied in keepalived's order:
// comments, include (detected before anything else, so it cannot use @ or $), @ID / @^ID conditional lines,
// $NAME=value definitions, ~SEQ/~SEQx/~LST generators, ${NAME} expansion (a multi-line value becomes several
// lines), then splitting into tokens ({ and } are always tokens of their own; quotes keep whitespace and take
// C escapes).
import { dirname, resolve } from 'node:path';
import type { Diagnostics, Position } from './diagnostics.ts';
import { type ConfigFs, expandBraces, hasWildcard, resolveInclude } from './source.ts';

export interface Token extends Position {
  text: string;
  quoted: boolean;
}

export interface SourceLine {
  file: string;
  line: number;
  tokens: Token[];
}

export interface LexOptions {
  fs: ConfigFs;
  /** `-i ID`, or the host name up to the first dot. */
  configId: string;
  /** `-e/--all-config`: a missing include is an error. */
  allConfig: boolean;
  env?: Record<string, string | undefined>;
  /** For ${_RANDOM}; tests pass a seeded one. */
  random?: () => number;
  /** Bound on produced lines so a generator cannot exhaust memory. */
  maxLines?: number;
}

const MAX_DEPTH = 32;
const MAX_EXPANDED = 1 << 20;

export function lex(path: string, opts: LexOptions, diags: Diagnostics): SourceLine[] {
  const st: LexState = {
    opts,
    diags,
    out: [],
    params: new Map(),
    stack: [],
    maxLines: opts.maxLines ?? 5_000_000,
    stopped: false,
  };
  const text = opts.fs.read(path);
  if (text === null) {
    const at = { file: path, line: 0, col: 0 };
    if (opts.allConfig) diags.error(at, '', `config file '${path}' cannot be read`, { status: 'file_not_found' });
    // keepalived 2.2.7 says "Config files missing" and still exits 0 without -e; we say it louder but agree.
    else diags.add({ ...at, severity: 'warning', status: null, keyword: '', message: `config file '${path}' cannot be read; nothing configured (keepalived -t exits 0 here, use -e to make it an error)` });
    return st.out;
  }
  readFile(st, resolve(path), text);
  return st.out;
}

interface LexState {
  opts: LexOptions;
  diags: Diagnostics;
  out: SourceLine[];
  params: Map<string, string>;
  stack: string[];
  maxLines: number;
  stopped: boolean;
}

function readFile(st: LexState, file: string, text: string): void {
  if (st.stack.includes(file) || st.stack.length >= MAX_DEPTH) {
    st.diags.error({ file, line: 0, col: 0 }, 'include', `include loop or nesting deeper than ${MAX_DEPTH} at '${file}'`);
    return;
  }
  st.stack.push(file);
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length && !st.stopped; i++) {
    const lineNo = i + 1;
    let body = stripComment(raw[i]);
    const lead = body.length - body.trimStart().length;
    body = body.trim();
    if (body === '') continue;
    const inc = /^(include[rmwbat]?)\s+(.*)$/.exec(body);
    if (inc) {
      doInclude(st, inc[1], inc[2], { file, line: lineNo, col: lead + 1 });
      continue;
    }
    // $NAME=value with a trailing backslash continues on the next line.
    if (/^(@\^?\S+\s+)?\$[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      while (body.endsWith('\\') && i + 1 < raw.length) {
        i++;
        body = body.slice(0, -1) + '\n' + stripComment(raw[i]).trim();
      }
      if (body.endsWith('\\')) body = body.slice(0, -1);
    }
    logical(st, body, file, lineNo, lead, 0);
  }
  st.stack.pop();
}

function doInclude(st: LexState, kind: string, rest: string, at: Position): void {
  // Brace patterns belong to the glob here, so split on whitespace only (quotes still group).
  const words: Token[] = [];
  for (const m of rest.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    words.push({ text: m[1] ?? m[2] ?? m[3], quoted: m[3] === undefined, file: at.file, line: at.line, col: at.col + kind.length + 1 + (m.index ?? 0) });
  }
  if (words.length === 0) {
    st.diags.error(at, kind, 'include needs a file name or glob', { expected: 'a path', status: 'abort' });
    return;
  }
  for (const w of words) {
    const pattern = resolveInclude(w.text, at.file);
    const files = st.opts.fs.glob(pattern);
    if (files.length === 0) {
      const strict = st.opts.allConfig || kind === 'includem' || kind === 'includew' || kind === 'includeb' || kind === 'includea' || kind === 'includet';
      const wild = hasWildcard(pattern) || expandBraces(pattern).length > 1;
      if (strict) st.diags.error(w, kind, `no configuration file matches '${w.text}'`, { expected: wild ? 'at least one matching file' : 'an existing file', found: pattern, status: 'security' });
      else st.diags.note(w, kind, `no configuration file matches '${w.text}' (ignored, as keepalived does; -e makes it an error)`);
      continue;
    }
    for (const f of files) {
      const text = st.opts.fs.read(f);
      if (text === null) {
        if (kind === 'include' && !st.opts.allConfig) st.diags.note(w, kind, `cannot read included file '${f}' (ignored, as keepalived does)`);
        else st.diags.error(w, kind, `cannot read included file '${f}'`, { status: 'security' });
        continue;
      }
      readFile(st, resolve(f), text);
    }
  }
}

/** Drop `#` / `!` comments that are outside quotes. */
export function stripComment(s: string): string {
  let q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '\\') i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' || c === '!') return s.slice(0, i);
  }
  return s;
}

function logical(st: LexState, text: string, file: string, line: number, lead: number, depth: number): void {
  if (st.stopped) return;
  if (depth > MAX_DEPTH) {
    st.diags.error({ file, line, col: lead + 1 }, '', `parameter or generator expansion nested deeper than ${MAX_DEPTH}`);
    return;
  }
  let t = text.trim();
  if (t === '') return;
  if (t[0] === '@') {
    const m = /^@(\^?)(\S*)\s*(.*)$/s.exec(t)!;
    const matches = m[2] === st.opts.configId;
    if ((m[1] === '^') === matches) return;
    lead += t.length - m[3].length;
    t = m[3];
    if (t === '') return;
  }
  const def = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(t);
  if (def) {
    st.params.set(def[1], def[2]);
    return;
  }
  if (t[0] === '~') {
    generator(st, t, file, line, lead, depth);
    return;
  }
  const expanded = expand(st, t, file);
  if (expanded === null) {
    st.diags.error({ file, line, col: lead + 1 }, '', `parameter expansion grew beyond ${MAX_EXPANDED} characters (recursive definition?)`);
    return;
  }
  if (expanded.includes('\n')) {
    for (const piece of expanded.split('\n')) logical(st, stripComment(piece), file, line, 0, depth + 1);
    return;
  }
  const tokens = tokenize(expanded, file, line, expanded === t ? lead : 0);
  if (tokens.length === 0) return;
  if (st.out.length >= st.maxLines) {
    st.diags.error({ file, line, col: 1 }, '', `configuration expands to more than ${st.maxLines} lines; stopping`, { status: 'fatal' });
    st.stopped = true;
    return;
  }
  st.out.push({ file, line, tokens });
}

/** `~SEQ(var, start, step, end) rest`, `~SEQx(...)`, `~LST(var, a, b)`, `~LST({v,w},{1,2},{3,4})`. */
function generator(st: LexState, t: string, file: string, line: number, lead: number, depth: number): void {
  const at = { file, line, col: lead + 1 };
  const m = /^~(SEQx?|LST)\(/.exec(t);
  const close = t.indexOf(')');
  if (!m || close < 0) {
    st.diags.error(at, t.split(/\s/)[0], 'unknown or malformed line generator', { expected: '~SEQ(var, start, step, end), ~SEQx(...) or ~LST(var, values...)', found: t.slice(0, 40) });
    return;
  }
  const inner = expand(st, t.slice(m[0].length, close), file) ?? '';
  const rest = t.slice(close + 1);
  const restLead = lead + close + 1;
  const bind = (names: string[], values: string[]) => {
    const old = names.map((n) => st.params.get(n));
    names.forEach((n, k) => st.params.set(n, values[k] ?? ''));
    logical(st, rest, file, line, restLead, depth + 1);
    names.forEach((n, k) => (old[k] === undefined ? st.params.delete(n) : st.params.set(n, old[k]!)));
  };
  if (m[1] === 'LST') {
    if (inner.trim().startsWith('{')) {
      const groups = [...inner.matchAll(/\{([^}]*)\}/g)].map((g) => g[1].split(',').map((s) => s.trim()));
      if (groups.length < 2) return void st.diags.error(at, '~LST', 'list generator needs a name group and at least one value group', { found: inner });
      for (const g of groups.slice(1)) {
        if (st.stopped) return;
        bind(groups[0], g);
      }
    } else {
      const parts = inner.split(',').map((s) => s.trim());
      if (parts.length < 2 || parts[0] === '') return void st.diags.error(at, '~LST', 'list generator needs a variable and values', { expected: '~LST(var, v1, ...)', found: inner });
      for (const v of parts.slice(1)) {
        if (st.stopped) return;
        bind([parts[0]], [v]);
      }
    }
    return;
  }
  const parts = inner.split(',').map((s) => s.trim());
  const nums = parts.slice(1).map((s) => (/^-?(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : NaN));
  // keepalived takes (var, end), (var, start, end) or (var, start, step, end).
  let [start, step, end] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : [nums[0], nums[1], nums[2]];
  if (parts[0] === '' || nums.length < 1 || nums.length > 3 || nums.some((n) => Number.isNaN(n)) || step === 0) {
    st.diags.error(at, `~${m[1]}`, 'malformed sequence generator', { expected: '~SEQ(var, start, step, end) with integers and step != 0', found: inner });
    return;
  }
  if ((step > 0 && start > end) || (step < 0 && start < end)) return;
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    if (st.stopped) return;
    bind([parts[0]], [m[1] === 'SEQx' ? v.toString(16) : String(v)]);
  }
}

function expand(st: LexState, t: string, file: string): string | null {
  if (!t.includes('$')) return t;
  let cur = t;
  for (let round = 0; round < 64; round++) {
    let changed = false;
    const next = cur.replace(/\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/g, (whole, braced: string | undefined, bare: string | undefined) => {
      const v = lookup(st, (braced ?? bare)!.trim(), file);
      if (v === undefined) return whole;
      changed = true;
      return v;
    });
    if (next.length > MAX_EXPANDED) return null;
    if (!changed) return next;
    cur = next;
  }
  return null;
}

function lookup(st: LexState, expr: string, file: string): string | undefined {
  const [name, ...args] = expr.split(/\s+/);
  switch (name) {
    case '_PWD': return dirname(file);
    case '_INSTANCE': return '';
    case '_HASH': return '#';
    case '_BANG': return '!';
    case '_ENV': return args[0] ? (st.opts.env ?? process.env)[args[0]] ?? '' : '';
    case '_RANDOM': {
      const lo = args.length >= 2 ? Number(args[0]) : 0;
      const hi = args.length >= 2 ? Number(args[1]) : args.length === 1 ? Number(args[0]) : 2147483647;
      const r = (st.opts.random ?? Math.random)();
      return String(Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo ? lo + Math.floor(r * (hi - lo + 1)) : 0);
    }
  }
  return args.length === 0 ? st.params.get(name) : undefined;
}

/** Split a line into tokens; `{` and `}` stand alone, quotes group and take C escapes. */
export function tokenize(s: string, file: string, line: number, lead: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f') {
      i++;
      continue;
    }
    const col = lead + i + 1;
    if (c === '{' || c === '}') {
      out.push({ text: c, quoted: false, file, line, col });
      i++;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < s.length) {
      const d = s[i];
      if (d === ' ' || d === '\t' || d === '\r' || d === '\v' || d === '\f' || d === '{' || d === '}') break;
      if (d === '"' || d === "'") {
        quoted = true;
        i++;
        while (i < s.length && s[i] !== d) {
          if (s[i] === '\\' && i + 1 < s.length) {
            const [ch, used] = unescape(s, i + 1);
            text += ch;
            i += 1 + used;
          } else text += s[i++];
        }
        i++; // closing quote (a missing one just ends the token, as keepalived does)
        continue;
      }
      text += d;
      i++;
    }
    out.push({ text, quoted, file, line, col });
  }
  return out;
}

function unescape(s: string, i: number): [string, number] {
  const c = s[i];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\', '"': '"', "'": "'" };
  if (c in simple) return [simple[c], 1];
  if (c === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1));
    if (m) return [String.fromCharCode(parseInt(m[0], 16)), 1 + m[0].length];
  }
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(s.slice(i))!;
    return [String.fromCharCode(parseInt(m[0], 8) & 0xff), m[0].length];
  }
  if (c === 'c' && i + 1 < s.length) return [String.fromCharCode(s.charCodeAt(i + 1) & 0x1f), 2];
  return ['\\' + c, 1];
}
