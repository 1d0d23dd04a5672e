// Config diagnostics and the keepalived -t exit-code mapping.
//
// keepalived keeps one "config status" per run; vipd keeps every diagnostic and derives the same status
// from them, so the verdict matches while the messages can be better.

/**
 * keepalived's config_err_t classes, as far as they change `-t`'s exit code (2.2.7 measured with -t):
 * 'abort' is the "missing a parameter after keyword" path, where 2.2.7 exits 2 on the spot.
 */
export type ConfigStatus = 'file_not_found' | 'bad_if' | 'fatal' | 'error' | 'security' | 'abort';

export type Severity = 'error' | 'warning' | 'note';

export interface Position {
  file: string;
  line: number;
  col: number;
}

export interface Diagnostic extends Position {
  severity: Severity;
  /** null: vipd-only remark (e.g. "parsed, not implemented yet"); does not change keepalived's verdict. */
  status: ConfigStatus | null;
  /** The keyword the diagnostic is about ('' when it concerns the file itself). */
  keyword: string;
  message: string;
  expected?: string;
  found?: string;
}

/** Where a diagnostic is collected. Pure sink: parsers push, callers read. */
/** More than this many diagnostics are not listed one by one (a generated config can make millions). */
export const MAX_LISTED = 5000;

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  /** Diagnostics past MAX_LISTED that were not listed. */
  suppressed = 0;
  private readonly statuses = new Set<ConfigStatus | null>();
  /**
   * keepalived aborts on the first "missing parameter"; we keep parsing but remember it. Past MAX_LISTED only a
   * diagnostic whose status is not listed yet is kept, so the verdict stays what it would be.
   */
  add(d: Diagnostic): void {
    if (this.list.length >= MAX_LISTED) {
      if (this.suppressed++ === 0) {
        this.list.push({ ...pos(d), severity: 'note', status: null, keyword: '', message: `more than ${MAX_LISTED} diagnostics: the rest are not listed (each still counts in the verdict)` });
      }
      if (this.statuses.has(d.status)) return;
    }
    this.statuses.add(d.status);
    this.list.push(d);
  }
  error(at: Position, keyword: string, message: string, extra: { expected?: string; found?: string; status?: ConfigStatus } = {}): void {
    this.add({ ...pos(at), severity: 'error', status: extra.status ?? 'error', keyword, message, expected: extra.expected, found: extra.found });
  }
  /** A warning keepalived also reports as a config error (so -t exits 5). */
  warn(at: Position, keyword: string, message: string, extra: { expected?: string; found?: string; status?: ConfigStatus } = {}): void {
    this.add({ ...pos(at), severity: 'warning', status: extra.status ?? 'error', keyword, message, expected: extra.expected, found: extra.found });
  }
  /** vipd-only remark: never changes the exit code. */
  note(at: Position, keyword: string, message: string): void {
    this.add({ ...pos(at), severity: 'note', status: null, keyword, message });
  }
}

/**
 * Forwards to another sink without a verdict (status null), severity and text kept: for what keepalived would only
 * find after the point where it stops checking, so the exit code stays its own while the user still sees everything.
 */
export class Uncounted extends Diagnostics {
  constructor(private readonly to: Diagnostics) {
    super();
  }
  override add(d: Diagnostic): void {
    this.to.add({ ...d, status: null });
  }
}

function pos(p: Position): Position {
  return { file: p.file, line: p.line, col: p.col };
}

/**
 * keepalived 2.2.7 -t exit codes: 0 ok, 2 aborted on a missing parameter, 4 file not found / bad interface /
 * fatal, 5 any other config error or warning, 6 script security. keepalived keeps the highest config_err_t seen
 * (FILE_NOT_FOUND < BAD_IF < FATAL < general errors and warnings < SECURITY_ERROR) and maps it to the exit code,
 * so whatever the order 6 beats 5 beats 4; an abort (2) ends the run on the spot. That a security problem can still
 * lose to a missing interface is not precedence: keepalived stops checking before it looks at the scripts, which
 * the completion code models by reporting those checks without a status (host/config/complete.ts).
 */
export function exitCodeFor(diags: readonly Diagnostic[]): number {
  let code = 0;
  const rank = (c: number) => (c === 2 ? 4 : c === 6 ? 3 : c === 5 ? 2 : c === 4 ? 1 : 0);
  for (const d of diags) {
    if (d.status === null) continue;
    const c = statusExit(d.status);
    if (rank(c) > rank(code)) code = c;
  }
  return code;
}

export function statusExit(s: ConfigStatus): number {
  switch (s) {
    case 'abort': return 2;
    case 'file_not_found': case 'bad_if': case 'fatal': return 4;
    case 'security': return 6;
    default: return 5;
  }
}

/** `file:line:col: error: [keyword] message (expected X, found Y)` — one line, grep-friendly. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const kw = d.keyword ? ` '${d.keyword}':` : '';
  // 'nothing' (or no found at all) says that something required is missing: printed bare, not as quoted text.
  const found = d.found === undefined || d.found === 'nothing' ? 'nothing' : `'${d.found}'`;
  const ef = d.expected !== undefined ? ` (expected ${d.expected}, found ${found})` : d.found !== undefined ? ` (found ${found})` : '';
  return `${where}: ${d.severity}:${kw} ${d.message}${ef}`;
}
