// Pieces shared by several blocks: track_* lists, notify scripts, and the "known but not run by vipd" remark.
import type { Stmt } from '../tree.ts';
import type { Reader } from '../values.ts';
import type { Notify, ScriptCommand, TrackInterface, TrackRef } from '../model.ts';
import { tokenize } from '../lexer.ts';

export interface Ctx {
  r: Reader;
}

/** `NAME [weight N [reverse|noreverse]]` lines of a track_* block. */
export function trackRefs(s: Stmt, r: Reader, min: number, max: number): TrackRef[] {
  const out: TrackRef[] = [];
  for (const e of s.block ?? []) {
    const ref: TrackRef = { at: e.kw, name: e.kw.text, weight: null, reverse: false };
    const a = e.args;
    for (let i = 0; i < a.length; i++) {
      if (a[i].text === 'weight') {
        const v = a[i + 1];
        if (!v) { r.diags.error(a[i], s.kw.text, "'weight' needs a value", { expected: `an integer in [${min}, ${max}]`, found: 'nothing', status: 'abort' }); break; }
        ref.weight = r.int(v, 'weight', min, max);
        i++;
      } else if (a[i].text === 'reverse') ref.reverse = true;
      else if (a[i].text === 'noreverse') ref.reverse = false;
      else r.diags.error(a[i], s.kw.text, `unknown option '${a[i].text}' for tracked '${ref.name}'`, { expected: 'weight N [reverse|noreverse]', found: a[i].text });
    }
    out.push(ref);
  }
  return out;
}

export function trackInterfaces(s: Stmt, r: Reader): TrackInterface[] {
  return trackRefs(s, r, -253, 253).map((t) => ({ at: t.at, name: t.name, weight: t.weight ?? 0, reverse: t.reverse }));
}

/** `notify_x "cmd args" [user [group]]`. */
export function scriptCommand(s: Stmt, r: Reader): ScriptCommand | null {
  const t = r.arg(s, 1, 'a script command');
  if (!t) return null;
  const argv = t.quoted ? tokenize(t.text, t.file, t.line, t.col).map((x) => x.text) : [t.text];
  if (argv.length === 0) {
    r.diags.error(t, s.kw.text, 'empty script command', { expected: 'a command', found: t.text });
    return null;
  }
  return { at: t, argv, user: s.args[1]?.text ?? null, group: s.args[2]?.text ?? null };
}

const NOTIFY_KEYS: Record<string, Exclude<keyof Notify, 'deletedToFifo'>> = {
  notify_master: 'master', notify_backup: 'backup', notify_fault: 'fault', notify_stop: 'stop',
  notify_deleted: 'deleted', notify_master_rx_lower_pri: 'masterRxLowerPri', notify: 'generic',
};

/** Handles a notify_* keyword; returns false if the keyword is not one. */
export function notifyKeyword(s: Stmt, r: Reader, n: Notify, where = 'vrrp_instance'): boolean {
  const key = NOTIFY_KEYS[s.kw.text];
  if (!key) return false;
  if (key === 'deleted' && s.args.length === 0) {
    // 2.2.7: a bare notify_deleted means "report a deleted instance as DELETED (not FAULT) on the notify fifo".
    n.deletedToFifo = true;
    return true;
  }
  const cmd = scriptCommand(s, r);
  if (!cmd) return true;
  if (n[key]) r.diags.error(s.kw, s.kw.text, `${s.kw.text} script already specified; this one is ignored`, { expected: `one ${s.kw.text} per block`, found: cmd.argv.join(' ') });
  else n[key] = cmd;
  return true;
}

/**
 * A keyword keepalived 2.2.7 accepts and vipd parses but does not act on: a warning at its line that never changes
 * the exit code (project rule: never silently ignored). `detail` says what vipd does instead, when that matters.
 */
export function notImplemented(s: Stmt, r: Reader, where: string, detail = ''): void {
  r.diags.add({
    file: s.kw.file, line: s.kw.line, col: s.kw.col, severity: 'warning', status: null, keyword: s.kw.text,
    message: `'${s.kw.text}' in ${where} is parsed but not implemented by vipd${detail ? `: ${detail}` : ''}`,
  });
}

/**
 * A block keyword with no `{ ... }`: 2.2.7 reports "Missing '{' at beginning of configuration block" and reads the
 * lines that follow as the block (a config error; measured for the top-level blocks, notification_email, the sync
 * group track_* blocks and authentication). False when the block is missing.
 */
export function requireBlock(s: Stmt, r: Reader): boolean {
  if (s.block !== null) return true;
  r.diags.error(s.kw, s.kw.text, `missing '{' after '${s.kw.text}' (keepalived 2.2.7 then reads the lines that follow as its block)`, { expected: `${s.kw.text} { ... }`, found: s.args[0]?.text });
  return false;
}

/** A block keyword with words before its `{`: 2.2.7 reports "Block X has extra parameters" (config error, measured). */
export function blockExtraArgs(s: Stmt, r: Reader): void {
  if (s.args.length === 0) return;
  r.diags.error(s.args[0], s.kw.text, `block ${s.kw.text} has extra parameters ${s.args.map((a) => a.text).join(' ')}`, { expected: `${s.kw.text} {`, found: s.args[0].text });
}

export function unknownKeyword(s: Stmt, r: Reader, where: string): void {
  r.diags.error(s.kw, s.kw.text, `unknown keyword '${s.kw.text}' in ${where}`, { expected: `a keyword valid in ${where}`, found: s.kw.text });
}
