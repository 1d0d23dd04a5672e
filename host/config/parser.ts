// Statement tree → Config: top-level keyword dispatch, then completion and cross-checks.
import type { Diagnostics } from './diagnostics.ts';
import type { Stmt } from './tree.ts';
import type { Config, VrrpScript } from './model.ts';
import { defaultGlobal } from './model.ts';
import { Reader } from './values.ts';
import { TOP_LEVEL_227, checkSpec, parseGlobalDefs } from './sections/global-defs.ts';
import { type InstanceDraft, parseInstance } from './sections/vrrp-instance.ts';
import { parseSyncGroup, parseTrackFile, parseTrackProcess, parseVrrpScript } from './sections/trackers.ts';
import { parseStatic, parseTrackGroup } from './sections/static.ts';
import { LVS_TOP, parseLvs } from './sections/lvs.ts';
import { blockExtraArgs, notImplemented, requireBlock, unknownKeyword } from './sections/common.ts';
import { checkScriptSecurity, completeInstances, completeSyncGroups } from './complete.ts';
import type { SystemView } from './system.ts';

const TOP_ACCEPTED = new Set(['linkbeat_interfaces', 'interface_up_down_delays', 'garp_group']);

/** What vipd does instead of a top-level keyword of 2.2.7 it does not implement. */
const TOP_LEVEL_DETAIL: Record<string, string> = {
  net_namespace: 'vipd runs in the network namespace it is started in',
  net_namespace_ipvs: 'vipd does not drive IPVS', namespace_with_ipsets: 'vipd uses no ipsets',
  use_pid_dir: 'pid files are where -p/-r say (or the defaults)', instance: 'pid files and the notify fifo keep their names',
  child_wait_time: 'vipd has no child processes to wait for', linkbeat_use_polling: 'link state comes from netlink events',
};

export function buildConfig(file: string, tree: readonly Stmt[], sys: SystemView, d: Diagnostics): Config {
  const r = new Reader(d);
  const cfg: Config = {
    file, global: defaultGlobal(), instances: [], scripts: [], syncGroups: [], trackFiles: [], trackProcesses: [],
    static: { addresses: [], routes: [], rules: [] }, trackGroups: [], lvs: [],
  };
  const drafts: InstanceDraft[] = [];
  const names = new Set<string>();
  const groups = [];
  /** bfd_instance names seen so far: an instance's track_bfd must name one defined before it (2.2.7, measured). */
  const bfdNames = new Set<string>();
  for (const s of tree) {
    const k = s.kw.text;
    if (k in TOP_LEVEL_227) {
      if (checkSpec(s, TOP_LEVEL_227[k], r)) notImplemented(s, r, 'the top level', TOP_LEVEL_DETAIL[k]);
      continue;
    }
    switch (k) {
      case 'global_defs': parseGlobalDefs(s.block ?? [], cfg.global, r); break;
      case 'vrrp_instance': {
        const x = parseInstance(s, r, cfg.global.garp, bfdNames);
        if (!x) break;
        if (names.has(x.name)) d.error(s.args[0], k, `vrrp instance ${x.name} already defined`, { expected: 'a vrrp_instance name not used before', found: x.name });
        else { names.add(x.name); drafts.push(x); }
        break;
      }
      case 'vrrp_script': { const v = parseVrrpScript(s, r); if (v) addNamed(cfg.scripts, v, r, k); break; }
      case 'vrrp_sync_group': { const g = parseSyncGroup(s, r); if (g) groups.push(g); break; }
      case 'track_file': case 'vrrp_track_file': { const f = parseTrackFile(s, r); if (f) addNamed(cfg.trackFiles, f, r, k); break; }
      case 'vrrp_track_process': { const p = parseTrackProcess(s, r); if (p) addNamed(cfg.trackProcesses, p, r, k); break; }
      // keepalived looks a static entry's track_group up when it reads the entry: it must be defined earlier.
      case 'static_ipaddress': case 'static_routes': case 'static_rules':
        blockExtraArgs(s, r);
        if (requireBlock(s, r)) parseStatic(s, r, cfg.static, cfg.trackGroups);
        break;
      case 'track_group': {
        if (s.args[0]) requireBlock(s, r);
        const tg = parseTrackGroup(s, r);
        if (tg) addNamed(cfg.trackGroups, tg, r, k);
        notImplemented(s, r, 'the configuration');
        break;
      }
      default:
        if (LVS_TOP.has(k)) {
          cfg.lvs.push(parseLvs(s, r));
          if (k === 'bfd_instance' && s.args[0]) bfdNames.add(s.args[0].text);
          notImplemented(s, r, 'the configuration (LVS/BFD side)');
        } else if (TOP_ACCEPTED.has(k)) {
          if (k === 'linkbeat_interfaces') blockExtraArgs(s, r);
          requireBlock(s, r);
          notImplemented(s, r, 'the configuration');
        }
        else unknownKeyword(s, r, 'the top level');
    }
  }
  const g = cfg.global;
  if (g.scriptUser && !sys.userExists(g.scriptUser.user)) {
    d.error(tree.find((s) => s.kw.text === 'global_defs')!.kw, 'script_user', `error setting global script uid/gid: user '${g.scriptUser.user}' does not exist`, { expected: 'an existing user', found: g.scriptUser.user });
  }
  // 2.2.7 resolves a vrrp_script's `user` while reading it: "Unable to set uid/gid for script" (exit 5, measured).
  for (const v of cfg.scripts) {
    if (v.runAs && !sys.userExists(v.runAs.user)) d.error(v.runAs.at, 'user', `unable to set uid/gid for script ${v.name}: user '${v.runAs.user}' does not exist`, { expected: 'an existing user', found: v.runAs.user });
  }
  cfg.instances = completeInstances(drafts, g, cfg, sys, d);
  cfg.syncGroups = completeSyncGroups(groups, cfg.instances, d);
  const allScripts: VrrpScript[] = cfg.scripts;
  checkScriptSecurity(cfg, allScripts, sys, d);
  return cfg;
}

function addNamed<T extends { name: string; at: { file: string; line: number; col: number } }>(list: T[], v: T, r: Reader, kw: string): void {
  if (list.some((o) => o.name === v.name)) r.diags.error(v.at, kw, `${kw} ${v.name} already defined; this one is ignored`, { expected: `a ${kw} name not used before`, found: v.name });
  else list.push(v);
}

export { unknownKeyword };
