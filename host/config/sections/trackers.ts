// vrrp_script, vrrp_sync_group, track_file, vrrp_track_process blocks.
import type { Position } from '../diagnostics.ts';
import type { Stmt } from '../tree.ts';
import { flat } from '../tree.ts';
import type { SyncGroup, TrackFile, TrackProcess, VrrpScript } from '../model.ts';
import { emptyNotify } from '../model.ts';
import type { Reader } from '../values.ts';
import { blockExtraArgs, notImplemented, requireBlock, notifyKeyword, scriptCommand, trackInterfaces, trackRefs, unknownKeyword } from './common.ts';

export function parseVrrpScript(s: Stmt, r: Reader): VrrpScript | null {
  const name = s.args[0]?.text;
  if (!name) { r.diags.error(s.kw, s.kw.text, 'vrrp_script must have a name', { expected: 'vrrp_script NAME {', found: 'nothing' }); return null; }
  const v: VrrpScript = { at: s.kw, name, script: null, intervalUs: 1_000_000, timeoutUs: 0, weight: 0, weightReverse: false, rise: 1, fall: 1, initFail: false };
  for (const e of s.block ?? []) {
    const k = e.kw.text;
    const num = (min: number, max: number) => { const t = r.arg(e); return t ? r.int(t, k, min, max) : null; };
    switch (k) {
      case 'script': v.script = scriptCommand(e, r); break;
      case 'interval': { const n = num(1, 2147483); if (n !== null) v.intervalUs = n * 1e6; break; } // 2.2.7: whole seconds only
      case 'timeout': { // 2.2.7: whole seconds only; 0 is reported and made 1
        const n = num(0, 2147483);
        if (n === 0) r.diags.error(e.args[0], k, `(${name}) vrrp script timeout must be greater than 0, setting to 1`, { expected: 'seconds >= 1', found: '0' });
        if (n !== null) v.timeoutUs = Math.max(1, n) * 1e6;
        break;
      }
      case 'weight': {
        const n = num(-253, 253);
        if (n !== null) v.weight = n;
        if (e.args[1]?.text === 'reverse') v.weightReverse = true;
        break;
      }
      case 'rise': { const n = num(1, 2147483647); if (n !== null) v.rise = n; break; }
      case 'fall': { const n = num(1, 2147483647); if (n !== null) v.fall = n; break; }
      case 'init_fail': v.initFail = true; break;
      case 'user': {
        const t = r.arg(e);
        if (t) { v.runAs = { user: t.text, group: e.args[1]?.text ?? null, at: t }; notImplemented(e, r, 'vrrp_script', 'the script runs as the global script user'); }
        break;
      }
      default: unknownKeyword(e, r, 'vrrp_script');
    }
  }
  if (!v.script) {
    r.diags.error(s.kw, 'vrrp_script', `no script set for vrrp_script ${name}; the script is removed`, { expected: 'script "command"', found: 'nothing' });
    return null;
  }
  return v;
}

export function parseSyncGroup(s: Stmt, r: Reader): SyncGroup | null {
  const name = s.args[0]?.text;
  if (!name) { r.diags.error(s.kw, s.kw.text, 'vrrp_sync_group must have a name', { expected: 'vrrp_sync_group NAME {', found: 'nothing' }); return null; }
  const g: SyncGroup = {
    at: s.kw, name, members: [], trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [],
    notify: emptyNotify(), smtpAlert: null, notifyPriorityChanges: false, trackingWeight: false,
  };
  for (const e of s.block ?? []) {
    const k = e.kw.text;
    // 2.2.7 has no notify_deleted / notify_master_rx_lower_pri for sync groups ("Unknown keyword"; measured).
    if (k === 'notify_deleted' || k === 'notify_master_rx_lower_pri') { unknownKeyword(e, r, 'vrrp_sync_group'); continue; }
    if (notifyKeyword(e, r, g.notify, 'vrrp_sync_group')) continue;
    if (k.startsWith('track_')) { blockExtraArgs(e, r); if (!requireBlock(e, r)) continue; }
    switch (k) {
      case 'group':
        if (g.members.length > 0) { r.diags.error(e.kw, k, `group list already specified for sync group ${name}`, { expected: 'one group { ... } block', found: 'a second group block' }); break; }
        // 2.2.7 takes the names from the block; names written on the keyword line are unknown keywords.
        g.members.push(...flat(e.block).map((t) => t.text));
        break;
      case 'track_interface': g.trackInterfaces.push(...trackInterfaces(e, r)); break;
      case 'track_script': g.trackScripts.push(...trackRefs(e, r, -253, 253)); break;
      case 'track_file': g.trackFiles.push(...trackRefs(e, r, -254, 254)); break;
      case 'track_process': g.trackProcesses.push(...trackRefs(e, r, -254, 254)); break;
      case 'track_bfd': notImplemented(e, r, 'vrrp_sync_group'); break;
      case 'smtp_alert': g.smtpAlert = r.flag(e); break;
      case 'notify_priority_changes': g.notifyPriorityChanges = r.flag(e); break;
      case 'sync_group_tracking_weight': g.trackingWeight = true; break;
      case 'global_tracking': r.diags.warn(e.kw, k, 'global_tracking is deprecated; use track_interface/script/file on the group', { expected: 'track_interface/track_script/track_file with weights on the group', found: 'global_tracking' }); g.trackingWeight = true; break;
      default: unknownKeyword(e, r, 'vrrp_sync_group');
    }
  }
  return g;
}

export function parseTrackFile(s: Stmt, r: Reader): TrackFile | null {
  const name = s.args[0]?.text;
  if (!name) { r.diags.error(s.kw, s.kw.text, `${s.kw.text} must have a name`, { expected: `${s.kw.text} NAME {`, found: 'nothing' }); return null; }
  const f: TrackFile = { at: s.kw, name, file: null, weight: 1, reverse: false, initFile: null };
  for (const e of s.block ?? []) {
    const k = e.kw.text;
    // 2.2.7 (measured): a missing file or weight is a config error, not the exit-2 abort; a second file is refused.
    if (k === 'file') {
      const t = e.args[0];
      if (!t) r.diags.error(e.kw, k, `track file ${name} file name missing`, { expected: 'file PATH', found: 'nothing' });
      else if (f.file !== null) r.diags.error(t, k, `file already set for track file ${name} - ignoring ${t.text}`, { expected: 'one file per track_file', found: t.text });
      else f.file = t.text;
    } else if (k === 'weight') {
      const t = e.args[0];
      if (!t) r.diags.error(e.kw, k, `no weight specified for track file ${name} - ignoring`, { expected: 'weight N [reverse]', found: 'nothing' });
      else { const v = r.int(t, k, -2147483647, 2147483647); if (v !== null) f.weight = v; }
      if (e.args[1]?.text === 'reverse') f.reverse = true;
    } else if (k === 'init_file') {
      // `init_file [VALUE] [overwrite]`: VALUE an int32, any other word is an unknown option.
      let val = 0;
      for (const a of e.args) {
        if (a.text === 'overwrite') continue;
        if (/^[-+]?\d/.test(a.text)) { const v = r.int(a, k, -2147483648, 2147483647); if (v !== null) val = v; }
        else r.diags.error(a, k, `unknown track file init option ${a.text}`, { expected: 'a number or overwrite', found: a.text });
      }
      f.initFile = { value: val, overwrite: e.args.some((a) => a.text === 'overwrite') };
    } else unknownKeyword(e, r, 'track_file');
  }
  if (!f.file) { r.diags.error(s.kw, s.kw.text, `no file set for track_file ${name}; it is removed`, { expected: 'file "path"', found: 'nothing' }); return null; }
  return f;
}

export function parseTrackProcess(s: Stmt, r: Reader): TrackProcess | null {
  const name = s.args[0]?.text;
  if (!name) { r.diags.error(s.kw, s.kw.text, 'vrrp_track_process must have a name', { expected: 'vrrp_track_process NAME {', found: 'nothing' }); return null; }
  const p: TrackProcess = { at: s.kw, name, argv: [], paramMatch: 'exact', weight: 0, reverse: false, quorum: 1, quorumMax: 0xffffffff, forkDelayUs: 0, terminateDelayUs: 0, fullCommand: false };
  let quorumMaxAt: Position | undefined;
  for (const e of s.block ?? []) {
    const k = e.kw.text;
    const num = (min: number, max: number) => { const t = r.arg(e); return t ? r.int(t, k, min, max) : null; };
    switch (k) {
      case 'process':
        if (p.argv.length > 0 && e.args.length > 0) r.diags.error(e.args[0], k, `process already set for track process ${name} - ignoring ${e.args[0].text}`, { expected: 'one process per vrrp_track_process', found: e.args[0].text });
        else { p.argv = e.args.map((a) => a.text); if (p.argv.length === 0) r.arg(e, 1, 'a process name'); }
        break;
      case 'param_match': {
        // 2.2.7 accepts a bare param_match (measured) and keeps exact matching.
        const t = e.args[0];
        if (t) { if (t.text === 'initial' || t.text === 'partial') p.paramMatch = t.text; else r.diags.error(t, k, `invalid param_match '${t.text}'`, { expected: 'initial or partial', found: t.text }); }
        break;
      }
      case 'weight': {
        if (!e.args[0]) { r.diags.error(e.kw, k, `no weight specified for track process ${name} - ignoring`, { expected: 'weight N [reverse]', found: 'nothing' }); break; }
        const n = num(-254, 254);
        if (n !== null) p.weight = n;
        if (e.args[1]?.text === 'reverse') p.reverse = true;
        break;
      }
      case 'quorum': { const n = num(1, 65535); if (n !== null) p.quorum = n; break; }
      case 'quorum_max': { // 0 leaves it unset (2.2.7 accepts it whatever the quorum; measured)
        const n = num(0, 65535);
        if (n === 0) { p.quorumMax = 0xffffffff; quorumMaxAt = undefined; } else if (n !== null) { p.quorumMax = n; quorumMaxAt = e.args[0]; }
        break;
      }
      case 'fork_delay': case 'terminate_delay': case 'delay': {
        const t = r.arg(e);
        if (!t) break;
        const v = r.timerUs(t, k, 0.000001, 3600);
        if (v === null) break;
        if (k !== 'terminate_delay') p.forkDelayUs = v;
        if (k !== 'fork_delay') p.terminateDelayUs = v;
        break;
      }
      case 'full_command': p.fullCommand = true; break;
      default: unknownKeyword(e, r, 'vrrp_track_process');
    }
  }
  if (quorumMaxAt && p.quorumMax < p.quorum) {
    r.diags.error(quorumMaxAt, 'quorum_max', `quorum_max ${p.quorumMax} is less than quorum ${p.quorum}; quorum_max ignored`, { expected: `at least ${p.quorum}`, found: String(p.quorumMax) });
    p.quorumMax = 0xffffffff;
  }
  if (p.argv.length === 0) { r.diags.error(s.kw, s.kw.text, `no process set for vrrp_track_process ${name}; it is removed`, { expected: 'process NAME', found: 'nothing' }); return null; }
  return p;
}
