// keepalived.conf text → lines of tokens, with keepalived 2.2.7's preprocessing in its order: comments, @ID /
// @^ID conditional lines, $NAME=value definitions, ~SEQ/~SEQx/~LST generators, ${NAME} expansion (a multi-line
// value becomes several lines), and only then include lines (2.2.7 checks for include on the expanded line,
// so `include $DIR/x.conf` and `@node1 include ...` work); then tokens ({ and } are tokens of their own, quotes
// keep whitespace and take C escapes).
import { dirname, resolve } from 'node:path';
import type { Diagnostics, Position } from './diagnostics.ts';
import { type ConfigFs, expandBraces, hasWildcard, resolveInclude } from './source.ts';
import { INCLUDE_ALL, INCLUDE_KINDS, INCLUDE_LINE, INCLUDE_R, includeCheckLevel, planInclude } from './include.ts';

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
  /** `-i ID`, or the host name up to the first dot; also the value of ${_INSTANCE}. */
  configId: string;
  /** `-e/--all-config`: every include check applies to every include. */
  allConfig: boolean;
  env?: Record<string, string | undefined>;
  /** For ${_RANDOM}; tests pass a seeded one. */
  random?: () => number;
  /** Bound on produced lines so a generator cannot exhaust memory. */
  maxLines?: number;
}

/** Include nesting: keepalived re-reads a looping include until it runs out of file descriptors; vipd stops here. */
const MAX_DEPTH = 32;
const MAX_EXPANDED = 1 << 20;

export function lex(path: string, opts: LexOptions, diags: Diagnostics): SourceLine[] {
  const st: LexState = {
    opts,
    diags,
    out: [],
    params: new Map(),
    stack: [],
    maxLines: opts.maxLines ?? 250_000,
    stopped: false,
    includeCheck: opts.allConfig ? INCLUDE_ALL : 0,
    blocks: [],
    lastKw: null,
  };
  const at = { file: path, line: 0, col: 0 };
  // keepalived globs -f (wildcards and braces, as for include) and reads every regular file it matches, in order.
  const pattern = hasWildcard(path) || expandBraces(path).length > 1;
  const files = pattern ? opts.fs.glob(path).matches.filter((m) => m.kind === 'file').map((m) => m.path) : [path];
  const texts = files.map((f) => ({ f, text: opts.fs.read(f) })).filter((x) => x.text !== null);
  if (texts.length === 0) {
    // An empty -f is an empty glob to 2.2.7: nothing is reported, -e or not (measured: exit 0).
    if (opts.allConfig && path !== '') diags.error(at, '', `config file '${path}' cannot be read${pattern ? ' (no file matches)' : ''}`, { expected: 'a readable config file', found: path, status: 'file_not_found' });
    // keepalived 2.2.7 says "Config files missing" and still exits 0 without -e; we say it louder but agree.
    else diags.add({ ...at, severity: 'warning', status: null, keyword: '', message: `config file '${path}' cannot be read${pattern ? ' (no file matches)' : ''}; nothing configured (keepalived -t exits 0 here, use -e to make it an error)`, expected: 'a readable config file', found: path });
    return st.out;
  }
  if (texts.length > 1) diags.note(at, '', `${texts.length} configuration files match '${path}'; they are read one after the other, starting with ${texts[0].f} (keepalived warns the same)`);
  for (const { f, text } of texts) {
    if (st.stopped) break;
    readFile(st, resolve(f), text!);
  }
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
  /** include_check level in force (global_defs include_check, -e); an included file's changes end with it. */
  includeCheck: number;
  /** Keywords of the open blocks, to know when include_check is inside global_defs. */
  blocks: string[];
  lastKw: string | null;
}

function readFile(st: LexState, file: string, text: string): void {
  st.stack.push(file);
  const raw = text.split(/\r?\n/);
  const line = (k: number): string => {
    const r = decomment(raw[k]);
    const at = { file, line: k + 1, col: raw[k].lastIndexOf('"') + 1 };
    if (r.openQuote) st.diags.error(at, '', 'unterminated quote: the line has an odd number of \'"\'; keepalived 2.2.7 drops the quoted word and what follows it', { expected: 'a closing \'"\' on the same line', found: raw[k].trim() });
    // 2.2.7's word splitter ends a quoted string at the next `"` even after a backslash: `"a\"b"` is unmatched there.
    else if ((r.text.match(/"/g) ?? []).length % 2 === 1) st.diags.error(at, '', 'unmatched quote for keepalived 2.2.7, which ends a quoted string at the next \'"\' even after a backslash (vipd decodes \\" as later releases do)', { expected: 'an even number of \'"\' on the line (no \\" inside quotes)', found: raw[k].trim() });
    return r.text;
  };
  for (let i = 0; i < raw.length && !st.stopped; i++) {
    const lineNo = i + 1;
    const lead = raw[i].length - raw[i].trimStart().length;
    let body = line(i).trim();
    if (body === '') continue;
    // $NAME=value with a trailing backslash continues on the next line.
    if (/^(@\^?\S+\s+)?\$[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      while (body.endsWith('\\') && i + 1 < raw.length) {
        i++;
        body = body.slice(0, -1).replace(/[ \t]+$/, '') + '\n' + line(i).trim();
      }
      if (body.endsWith('\\')) body = body.slice(0, -1);
    }
    logical(st, body, file, lineNo, lead, 0);
  }
  st.stack.pop();
}

/** A problem keepalived logs about an include: an error (exit 6) if the checks in force ask for its class. */
function includeProblem(st: LexState, flags: number, check: number, at: Position, kind: string, message: string, ef: { expected: string; found: string }): void {
  if (flags & check) st.diags.error(at, kind, message, { ...ef, status: 'security' });
  else st.diags.add({ ...pos(at), severity: 'warning', status: null, keyword: kind, message: `${message} (ignored, as keepalived does; -e, include_check or a stricter include variant make it an error)`, ...ef });
}

function doInclude(st: LexState, kind: string, rest: string, at: Position): void {
  const flags = st.includeCheck | INCLUDE_KINDS[kind];
  // keepalived globs the whole rest of the line: quotes and spaces are part of the pattern.
  const pattern = resolveInclude(rest, at.file);
  const plan = planInclude(pattern, rest, flags, st.opts.fs);
  for (const p of plan.problems) includeProblem(st, flags, p.check, at, kind, p.message, { expected: p.expected, found: p.found });
  const saved = st.includeCheck;
  for (const f of plan.files) {
    if (st.stopped) return;
    const text = st.opts.fs.read(f);
    if (text === null) includeProblem(st, flags, INCLUDE_R, at, kind, `cannot read included file '${f}'; skipped`, { expected: 'a readable file', found: f });
    else if (st.stack.length >= MAX_DEPTH) {
      const loop = st.stack.includes(resolve(f));
      includeProblem(st, flags, INCLUDE_R, at, kind, loop
        ? `include loop: '${f}' is already being read (included again from ${at.file}:${at.line}); stopped after ${MAX_DEPTH} levels (keepalived goes on until it runs out of file descriptors)`
        : `includes nested deeper than ${MAX_DEPTH} levels at '${f}'; skipped`, { expected: loop ? 'no include loop' : `at most ${MAX_DEPTH} nested includes`, found: f });
    } else readFile(st, resolve(f), text);
    st.includeCheck = saved;
  }
}

function pos(p: Position): Position {
  return { file: p.file, line: p.line, col: p.col };
}

/**
 * One pass of 2.2.7's decomment(): leading blanks go; outside double quotes `\#` and `\!` lose the backslash and
 * are kept, an unescaped `#` or `!` starts a comment (quotes no longer count after it); a backslash that ends the
 * line is a continuation mark: the blanks before it go and it is glued to the text (`priority 100 \` reads
 * `100\`); trailing blanks go. Only `"` quotes, and a backslash skips the character after it.
 */
function decommentOnce(str: string): { text: string; openQuote: boolean } {
  let s = str.replace(/^[ \t]+/, '');
  let quote = false;
  // vipd's own addition: single quotes group words (docs/compat.md), so they keep `#` and `!` too, as before.
  let single = false;
  let skip = -1;
  let cont = false;
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === '"') {
      if (skip < 0 && !single) quote = !quote;
      i++;
    } else if (c === "'") {
      if (skip < 0 && !quote) single = !single;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) {
        s = s.slice(0, i);
        cont = true;
        break;
      }
      if (!quote && !single && (s[i + 1] === '#' || s[i + 1] === '!')) {
        s = s.slice(0, i) + s.slice(i + 1);
        i++;
      } else i += 2;
    } else {
      if ((c === '#' || c === '!') && !quote && !single && skip < 0) skip = i;
      i++;
    }
  }
  if (skip >= 0) s = s.slice(0, skip);
  s = s.replace(/[ \t]+$/, '');
  return { text: cont ? `${s}\\` : s, openQuote: quote };
}

/**
 * A physical line as keepalived 2.2.7's VRRP process reads it: the parent decomments the file into the copy its
 * children parse, and they decomment it again. So outside quotes `a\#b` is `a` (the parent keeps `a#b`, the
 * child cuts it), and a comment or blank that ends in a backslash leaves one glued to the text.
 */
export function decomment(line: string): { text: string; openQuote: boolean } {
  const one = decommentOnce(line);
  return { text: decommentOnce(one.text).text, openQuote: one.openQuote };
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
  const at = { file, line, col: lead + 1 };
  if (depth > MAX_DEPTH) {
    st.diags.error(at, '', `parameter or generator expansion nested deeper than ${MAX_DEPTH}`, { expected: `at most ${MAX_DEPTH} levels of expansion`, found: text.trim().slice(0, 60) });
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
    st.params.set(def[1], def[2].replace(/^[ \t]+/, ''));
    return;
  }
  if (t[0] === '~') {
    generator(st, t, file, line, lead, depth);
    return;
  }
  const expanded = expand(st, t, { file, line, col: lead + 1 });
  if (expanded === null) {
    st.diags.error(at, '', `parameter expansion grew beyond ${MAX_EXPANDED} characters (recursive definition?)`, { expected: `an expansion of at most ${MAX_EXPANDED} characters`, found: t.slice(0, 60) });
    return;
  }
  if (expanded !== t) {
    if (expanded.includes('\n')) {
      for (const piece of expanded.split('\n')) logical(st, stripComment(piece), file, line, 0, depth + 1);
      return;
    }
    // A value can make a definition, a generator or a conditional line: keepalived looks at the line again.
    const e = expanded.trim();
    if (e[0] === '~' || e[0] === '@' || /^\$[A-Za-z_][A-Za-z0-9_]*=/.test(e)) {
      logical(st, e, file, line, 0, depth + 1);
      return;
    }
  }
  const inc = INCLUDE_LINE.exec(expanded);
  if (inc) {
    const col = expanded === t ? lead + 1 : 1;
    doInclude(st, inc[1], inc[2].trim(), { file, line, col });
    return;
  }
  // Text from a value is not comment-stripped; 2.2.7's word splitter stops at an unquoted # or ! there.
  const tokens = tokenize(expanded, file, line, expanded === t ? lead : 0, expanded !== t, true);
  if (tokens.length === 0) return;
  if (st.out.length >= st.maxLines) {
    st.diags.error({ file, line, col: 1 }, '', `configuration expands to more than ${st.maxLines} lines; stopping`, { expected: `at most ${st.maxLines} lines`, found: `more than ${st.maxLines} lines`, status: 'fatal' });
    st.stopped = true;
    return;
  }
  followBlocks(st, tokens);
  st.out.push({ file, line, tokens });
}

/** Tracks the open blocks so that `include_check` in global_defs changes the checks of the includes after it. */
function followBlocks(st: LexState, tokens: readonly Token[]): void {
  if (tokens[0].text === 'include_check' && !tokens[0].quoted && st.blocks.length === 1 && st.blocks[0] === 'global_defs') {
    const words = [];
    for (const w of tokens.slice(1)) { if (w.text === '{' || w.text === '}') break; words.push(w.text); }
    st.includeCheck = includeCheckLevel(words, st.includeCheck).level;
  }
  let first = true;
  for (const tok of tokens) {
    if (tok.quoted || (tok.text !== '{' && tok.text !== '}')) {
      if (first) st.lastKw = tok.text;
      first = false;
      continue;
    }
    if (tok.text === '{') st.blocks.push(st.lastKw ?? '');
    else st.blocks.pop();
    st.lastKw = null;
    first = true;
  }
}

/** strtol(s, &end, 0) from i: leading blanks, sign, 0x hex / 0 octal / decimal; no digits gives 0 and i. */
function strtol(s: string, i: number): [number, number] {
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s.slice(i));
  if (!m) return [0, i];
  const body = m[2];
  const v = /^0[xX]/.test(body) ? parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? parseInt(body, 8) : Number(body);
  return [m[1] === '-' ? -v : v, i + m[0].length];
}

/**
 * keepalived's ~SEQ arguments: (var, end) counts from 1 (or -1) towards end, (var, start, end) steps by ±1, and
 * (var, start, step, end) must step towards end: a zero step or one pointing away is an error, not an empty loop.
 */
function seqRange(args: string): { start: number; step: number; end: number } | string {
  let [one, p] = strtol(args, 0);
  const skip = () => { while (args[p] === ' ' || args[p] === '\t') p++; };
  skip();
  if (args[p] === ')') return { start: one < 0 ? -1 : 1, step: one < 1 ? -1 : 1, end: one };
  if (args[p] !== ',') return 'definition';
  const [two, p2] = strtol(args, p + 1);
  p = p2;
  skip();
  if (args[p] === ')') return { start: one, step: one <= two ? 1 : -1, end: two };
  if (args[p] !== ',') return 'definition';
  const [three, p3] = strtol(args, p + 1);
  p = p3;
  skip();
  if (args[p] !== ')') return 'definition';
  if (two === 0 || (one < three && two < 0) || (one > three && two > 0)) return 'values';
  return { start: one, step: two, end: three };
}

/** `~SEQ(var, start, step, end) rest`, `~SEQx(...)`, `~LST(var, a, b)`, `~LST({v,w},{1,2},{3,4})`. */
function generator(st: LexState, t: string, file: string, line: number, lead: number, depth: number): void {
  const at = { file, line, col: lead + 1 };
  const m = /^~(SEQx?|LST)[ \t]*\(/.exec(t);
  const close = t.indexOf(')');
  if (!m || close < 0) {
    st.diags.error(at, t.split(/\s/)[0], m ? `invalid ~${m[1]} specification: no closing ')'` : 'unknown keyword (not a line generator)', { expected: '~SEQ(var, start, step, end), ~SEQx(...) or ~LST(var, values...)', found: t.slice(0, 40) });
    return;
  }
  const rest = t.slice(close + 1);
  const restLead = lead + close + 1;
  const bind = (names: string[], values: string[]) => {
    // Like keepalived, the variable keeps its last value after the loop.
    names.forEach((n, k) => st.params.set(n, values[k] ?? ''));
    logical(st, rest, file, line, restLead, depth + 1);
  };
  if (m[1] === 'LST') {
    const inner = expand(st, t.slice(m[0].length, close), at) ?? '';
    if (inner.trim().startsWith('{')) {
      const groups = [...inner.matchAll(/\{([^}]*)\}/g)].map((g) => g[1].split(',').map((s) => s.trim()));
      if (groups.length < 2) return void st.diags.error(at, '~LST', 'list generator needs a name group and at least one value group', { expected: '~LST({var, ...}, {v1, ...}, ...)', found: inner });
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
  const kw = `~${m[1]}`;
  const head = /^[ \t]*([^ \t,)]*)[ \t]*/.exec(t.slice(m[0].length))!;
  const afterVar = m[0].length + head[0].length;
  if (head[1] === '' || t[afterVar] !== ',') {
    st.diags.error(at, kw, `invalid ${kw} definition: a variable and at least one number are needed`, { expected: `${kw}(var, end), ${kw}(var, start, end) or ${kw}(var, start, step, end)`, found: t.slice(0, close + 1) });
    return;
  }
  const args = expand(st, t.slice(afterVar + 1, close + 1), at) ?? '';
  const r = seqRange(args);
  if (typeof r === 'string') {
    st.diags.error(at, kw, r === 'values'
      ? `invalid ${kw} values: the step is 0 or points away from the end, so the line would never be generated`
      : `invalid ${kw} definition: the arguments must be integers separated by commas`,
    { expected: r === 'values' ? 'a step that goes from start towards end' : `${kw}(var, start, step, end)`, found: t.slice(0, close + 1) });
    return;
  }
  if (m[1] === 'SEQx' && (r.start < 0 || r.end < 0)) {
    st.diags.error(at, kw, '~SEQx is only valid for positive numbers', { expected: 'start and end >= 0', found: t.slice(0, close + 1) });
    return;
  }
  for (let v = r.start; r.step > 0 ? v <= r.end : v >= r.end; v += r.step) {
    if (st.stopped) return;
    bind([head[1]], [m[1] === 'SEQx' ? v.toString(16) : String(v)]);
  }
}

/**
 * `${NAME}`, `${NAME 1 2}` (numeric parameters, for _RANDOM) and `$NAME` followed by a blank, ',', ')' or the
 * end, as keepalived finds them; an unknown name is left as written. Repeats until nothing changes, so values
 * that name other parameters expand too.
 */
function expand(st: LexState, t: string, at: Position): string | null {
  if (!t.includes('$')) return t;
  let cur = t;
  for (let round = 0; round < 64; round++) {
    let changed = false;
    const next = cur.replace(/\$\{(_ENV) ([^}\s]+)\}|\$\{([A-Za-z_]\w*)((?: [ \d]*\d)?)\}|\$([A-Za-z_]\w*)(?=[ \t,)]|$)/g,
      (whole, env: string | undefined, envName: string | undefined, braced: string | undefined, params: string | undefined, bare: string | undefined) => {
        const v = env ? envValue(st, envName!, at) : lookup(st, (braced ?? bare)!, params ? params.trim().split(/ +/).map(Number) : null, at.file);
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

/** ${_ENV VAR} is newer than 2.2.7, which leaves it unexpanded: vipd expands it and keeps 2.2.7's verdict. */
function envValue(st: LexState, name: string, at: Position): string {
  st.diags.warn(at, '${_ENV}', `\${_ENV ${name}} is not a keepalived 2.2.7 built-in (added later); vipd expands it, keepalived 2.2.7 leaves it as written`, { expected: 'a parameter defined with $NAME= or a keepalived 2.2.7 built-in', found: `\${_ENV ${name}}` });
  return (st.opts.env ?? process.env)[name] ?? '';
}

function lookup(st: LexState, name: string, params: number[] | null, file: string): string | undefined {
  if (name === '_RANDOM') {
    // keepalived: ${_RANDOM [min [max]]}, min 0 and max 32767 by default.
    const lo = params?.[0] ?? 0;
    const hi = params?.[1] ?? 32767;
    const r = (st.opts.random ?? Math.random)();
    return String(hi >= lo ? lo + Math.floor(r * (hi - lo + 1)) : lo + Math.floor(r * 2147483648));
  }
  if (params !== null) return undefined;
  switch (name) {
    case '_PWD': return dirname(file);
    case '_INSTANCE': return st.opts.configId;
    case '_HASH': return '#';
    case '_BANG': return '!';
  }
  return st.params.get(name);
}

/** Split a line into tokens; `{` and `}` stand alone, quotes group and take C escapes. */
export function tokenize(s: string, file: string, line: number, lead: number, commentStops = false, unclosedEnds = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (commentStops && (c === '#' || c === '!')) break;
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
      if (commentStops && (d === '#' || d === '!')) { i = s.length; break; }
      if (d === '"' || d === "'") {
        // keepalived 2.2.7's word splitter: a `"` that is never closed ends the line's words before it.
        if (unclosedEnds && d === '"' && !closes(s, i + 1)) {
          if (text !== '' || quoted) out.push({ text, quoted, file, line, col });
          return out;
        }
        quoted = true;
        i++;
        while (i < s.length && s[i] !== d) {
          if (s[i] === '\\' && i + 1 < s.length) {
            const [ch, used] = unescape(s, i + 1, d);
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

/** Whether the quote opened before i is closed on the line (a backslash escapes the next character). */
function closes(s: string, i: number): boolean {
  for (; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return true;
  }
  return false;
}

function unescape(s: string, i: number, quote: string): [string, number] {
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
  // \cX is a control character; `\c` right before the closing quote stays as written (it would eat the quote).
  if (c === 'c' && i + 1 < s.length && s[i + 1] !== quote) return [String.fromCharCode(s.charCodeAt(i + 1) & 0x1f), 2];
  return ['\\' + c, 1];
}
