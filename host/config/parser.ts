// Statement tree → Config: top-level keyword dispatch, then completion and cross-checks.
import type { Diagnostics } from './diagnostics.ts';
import type { Stmt } from './tree.ts';
import type { Config, VrrpScript } from './model.ts';
import { defaultGlobal } from './model.ts';
import { Reader } from './values.ts';
import { parseGlobalDefs } from './sections/global-defs.ts';
import { type InstanceDraft, parseInstance } from './sections/vrrp-instance.ts';
import { parseSyncGroup, parseTrackFile, parseTrackProcess, parseVrrpScript } from './sections/trackers.ts';
import { parseStatic, parseTrackGroup } from './sections/static.ts';
import { LVS_TOP, parseLvs } from './sections/lvs.ts';
import { notImplemented, unknownKeyword } from './sections/common.ts';
import { checkScriptSecurity, completeInstances, completeSyncGroups } from './complete.ts';
import type { SystemView } from './system.ts';

const TOP_ACCEPTED = new Set(['linkbeat_interfaces', 'interface_up_down_delays', 'garp_group', 'vrrp_track_file_DUMMY']);

export function buildConfig(file: string, tree: readonly Stmt[], sys: SystemView, d: Diagnostics): Config {
  const r = new Reader(d);
  const cfg: Config = {
    file, global: defaultGlobal(), instances: [], scripts: [], syncGroups: [], trackFiles: [], trackProcesses: [],
    static: { addresses: [], routes: [], rules: [] }, trackGroups: [], lvs: [],
  };
  const drafts: InstanceDraft[] = [];
  const names = new Set<string>();
  const groups = [];
  for (const s of tree) {
    const k = s.kw.text;
    switch (k) {
      case 'global_defs': parseGlobalDefs(s.block ?? [], cfg.global, r); break;
      case 'vrrp_instance': {
        const x = parseInstance(s, r, cfg.global.garp);
        if (!x) break;
        if (names.has(x.name)) d.error(s.args[0], k, `vrrp instance ${x.name} already defined`, { found: x.name });
        else { names.add(x.name); drafts.push(x); }
        break;
      }
      case 'vrrp_script': { const v = parseVrrpScript(s, r); if (v) addNamed(cfg.scripts, v, r, k); break; }
      case 'vrrp_sync_group': { const g = parseSyncGroup(s, r); if (g) groups.push(g); break; }
      case 'track_file': case 'vrrp_track_file': { const f = parseTrackFile(s, r); if (f) addNamed(cfg.trackFiles, f, r, k); break; }
      case 'vrrp_track_process': { const p = parseTrackProcess(s, r); if (p) addNamed(cfg.trackProcesses, p, r, k); break; }
      // keepalived looks a static entry's track_group up when it reads the entry: it must be defined earlier.
      case 'static_ipaddress': case 'static_routes': case 'static_rules': parseStatic(s, r, cfg.static, cfg.trackGroups); break;
      case 'track_group': {
        const tg = parseTrackGroup(s, r);
        if (tg) addNamed(cfg.trackGroups, tg, r, k);
        notImplemented(s, r, 'the configuration');
        break;
      }
      default:
        if (LVS_TOP.has(k)) { cfg.lvs.push(parseLvs(s, r)); notImplemented(s, r, 'the configuration (LVS/BFD side)'); }
        else if (TOP_ACCEPTED.has(k)) notImplemented(s, r, 'the configuration');
        else unknownKeyword(s, r, 'the top level');
    }
  }
  const g = cfg.global;
  if (g.scriptUser && !sys.userExists(g.scriptUser.user)) {
    d.error(tree.find((s) => s.kw.text === 'global_defs')!.kw, 'script_user', `error setting global script uid/gid: user '${g.scriptUser.user}' does not exist`, { found: g.scriptUser.user });
  }
  cfg.instances = completeInstances(drafts, g, cfg, sys, d);
  cfg.syncGroups = completeSyncGroups(groups, cfg.instances, d);
  const allScripts: VrrpScript[] = cfg.scripts;
  checkScriptSecurity(cfg, allScripts, sys, d);
  return cfg;
}

function addNamed<T extends { name: string; at: { file: string; line: number; col: number } }>(list: T[], v: T, r: Reader, kw: string): void {
  if (list.some((o) => o.name === v.name)) r.diags.error(v.at, kw, `${kw} ${v.name} already defined; this one is ignored`, { found: v.name });
  else list.push(v);
}

export { unknownKeyword };
