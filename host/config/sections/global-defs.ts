// global_defs: the VRRP-relevant keywords go into the model, the rest is checked the way 2.2.7 checks it.
import { cpus } from 'node:os';
import type { Token } from '../lexer.ts';
import type { Stmt } from '../tree.ts';
import { flat } from '../tree.ts';
import type { GlobalDefs } from '../model.ts';
import { type Reader, parseBool, parseIp } from '../values.ts';
import { blockExtraArgs, notImplemented, requireBlock, unknownKeyword } from './common.ts';
import { includeCheckLevel } from '../include.ts';
import type { GlobalScripts } from '../model.ts';
import { scriptCommand } from './common.ts';

/** Flags whose optional argument must be a BOOL (2.2.7 reports "Invalid value" otherwise). */
const BOOL_ARG = new Set([
  'smtp_alert', 'smtp_alert_vrrp', 'smtp_alert_checker', 'vrrp_min_garp', 'vrrp_lower_prio_no_advert',
  'vrrp_higher_prio_send_advert', 'vrrp_notify_priority_changes', 'vrrp_netlink_cmd_rcv_bufs_force',
  'vrrp_netlink_monitor_rcv_bufs_force', 'process_monitor_rcv_bufs_force', 'lvs_netlink_cmd_rcv_bufs_force',
  'lvs_netlink_monitor_rcv_bufs_force', 'data_use_instance', 'rs_init_notifies', 'no_checker_emails',
  'checker_log_all_failures',
]);

const U32 = 4294967295;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/**
 * How a keyword without its value ends in 2.2.7 (measured with -t): 'abort' is the "missing a parameter" exit 2,
 * 'ok' is accepted, any other string is the config error (exit 5) keepalived reports.
 */
type Missing = 'abort' | 'ok' | string;

/** The value check of a keyword 2.2.7 accepts and vipd does not act on; `check` sees at least one argument. */
interface Spec { missing: Missing; check?: (s: Stmt, r: Reader) => void }

const any = (missing: Missing): Spec => ({ missing });
const int = (min: number, max: number, missing: Missing): Spec => ({ missing, check: (s, r) => { r.int(s.args[0], s.kw.text, min, max); } });
const uint = (min: number, max: number, missing: Missing): Spec => ({ missing, check: (s, r) => { r.uint(s.args[0], s.kw.text, min, max); } });
/** keepalived clamps real-time priorities to 1..99, and reports the clamp as a config error. */
const rtPriority: Spec = { missing: 'no real-time priority specified', check: (s, r) => { rtClamp(s.args[0], s.kw.text, r); } };
/** A CPU list: each id must be a CPU of this machine (2.2.7 checks against the configured CPUs). */
const cpuList: Spec = {
  missing: 'no cpu_id set specified',
  check: (s, r) => { const n = cpus().length; for (const t of s.args) r.int(t, s.kw.text, 0, Math.max(0, n - 1)); },
};
const rlimit = uint(1, U32, 'abort');
const rcvBufs = uint(0, U32, 'size missing');

/** Accepted by 2.2.7, not acted on by vipd (yet): each with the value check 2.2.7 makes (measured, `-t`). */
const ACCEPTED: Record<string, Spec> = {
  smtp_helo_name: any('ok'), smtp_alert_checker: any('ok'), no_email_faults: any('ok'),
  vrrp_garp_extra_if: { missing: 'vrrp_garp_extra_if specified without time - ignoring', check: (s, r) => garpExtraIf(s, r, 1) },
  nftables: any('ok'), nftables_priority: int(I32_MIN, I32_MAX, 'abort'), nftables_counters: any('ok'), nftables_ifindex: any('ok'),
  nftables_ipvs: any('ok'), nftables_ipvs_priority: int(I32_MIN, I32_MAX, 'abort'), nftables_ipvs_start_fwmark: uint(1, U32, 'abort'),
  checker_priority: int(-20, 19, 'no checker process priority specified'), bfd_priority: int(-20, 19, 'no bfd process priority specified'),
  checker_rt_priority: rtPriority, bfd_rt_priority: rtPriority,
  vrrp_no_swap: any('ok'), checker_no_swap: any('ok'), bfd_no_swap: any('ok'),
  vrrp_cpu_affinity: cpuList, checker_cpu_affinity: cpuList, bfd_cpu_affinity: cpuList,
  checker_rlimit_rttime: rlimit, bfd_rlimit_rttime: rlimit, checker_rlimit_rtime: rlimit, bfd_rlimit_rtime: rlimit,
  max_auto_priority: int(-1, 99, 'ok'), min_auto_priority_delay: int(1, 10_000_000, 'min_auto_priority_delay requires delay time'),
  vrrp_notify_fifo_script: any('no vrrp_notify_fifo_script specified'), notify_fifo_script: any('no notify_fifo_script specified'),
  lvs_notify_fifo: any('no lvs_notify_fifo name specified'), lvs_notify_fifo_script: any('no lvs_notify_fifo_script specified'),
  fifo_write_vrrp_states_on_reload: any('ok'),
  vrrp_netlink_cmd_rcv_bufs: rcvBufs, vrrp_netlink_cmd_rcv_bufs_force: any('ok'), vrrp_netlink_monitor_rcv_bufs: rcvBufs,
  vrrp_netlink_monitor_rcv_bufs_force: any('ok'), process_monitor_rcv_bufs: rcvBufs, process_monitor_rcv_bufs_force: any('ok'),
  lvs_netlink_cmd_rcv_bufs: rcvBufs, lvs_netlink_cmd_rcv_bufs_force: any('ok'), lvs_netlink_monitor_rcv_bufs: rcvBufs,
  lvs_netlink_monitor_rcv_bufs_force: any('ok'),
  vrrp_rx_bufs_policy: { missing: 'vrrp_rx_bufs_policy missing', check: rxBufsPolicy },
  vrrp_rx_bufs_multiplier: uint(1, U32, 'invalid vrrp_rx_bufs_multiplier'),
  log_unknown_vrids: any('ok'), vmac_prefix: any('abort'), vmac_addr_prefix: any('abort'),
  lvs_sync_daemon: any('lvs_sync_daemon requires interface'),
  reload_check_config: any('ok'), reload_time_file: any('reload_time_file invalid'), reload_repeat: any('ok'), reload_file: any('ok'),
  data_use_instance: any('ok'), startup_script: any('startup script missing'), shutdown_script: any('shutdown script missing'),
  startup_script_timeout: uint(1, 1000, 'startup_script_timeout requires value'),
  shutdown_script_timeout: uint(1, 1000, 'shutdown_script_timeout requires value'),
  snmp_socket: any('snmp socket name missing'), enable_snmp_vrrp: any('ok'), enable_snmp_keepalived: any('ok'),
  enable_snmp_rfc: any('ok'), enable_snmp_rfcv2: any('ok'), enable_snmp_rfcv3: any('ok'), enable_snmp_checker: any('ok'),
  enable_traps: any('ok'), enable_dbus: any('ok'), dbus_service_name: any('dbus_service_name missing'),
  disable_local_igmp: any('ok'), random_seed: uint(0, U32, 'abort'), tmp_config_directory: any('tmp_config_directory missing directory name'),
  config_save_dir: any('abort'), process_names: any('ok'), process_name: any('abort'), vrrp_process_name: any('abort'),
  checker_process_name: any('abort'), bfd_process_name: any('abort'), lvs_process_name: any('abort'),
  umask: { missing: 'abort', check: umask },
  rs_init_notifies: any('ok'), no_checker_emails: any('ok'), checker_log_all_failures: any('ok'),
  lvs_timeouts: { missing: 'lvs_timeouts requires at least one option', check: lvsTimeouts },
  lvs_flush: any('ok'), lvs_flush_on_stop: { missing: 'ok', check: lvsFlushOnStop }, lvs_flush_onstop: { missing: 'ok', check: lvsFlushOnStop },
  smtp_alert: any('ok'), smtp_alert_vrrp: any('ok'), vrrp_notify_priority_changes: any('ok'),
};

/** Keywords valid at the top level of a 2.2.7 file (outside global_defs), parsed before everything else. */
export const TOP_LEVEL_227: Record<string, Spec> = {
  net_namespace: any('net_namespace name missing'), net_namespace_ipvs: any('ok'), namespace_with_ipsets: any('ok'),
  use_pid_dir: any('ok'), instance: any('instance name missing'), child_wait_time: uint(0, U32, 'abort'),
  linkbeat_use_polling: any('ok'),
};

/** Newer keepalived keywords that 2.2.7 rejects as unknown: vipd reads them but keeps 2.2.7's verdict (measured). */
export const NEWER_THAN_227 = new Set([
  'vrrp_owner_ignore_adverts', 'v3_checksum_as_v2', 'set_supplementary_groups', 'use_symlink_paths',
  'state_dump_file', 'stats_dump_file', 'json_dump_file', 'json_version', 'iproute_usr_dir', 'iproute_etc_dir',
  'snmp_vrrp_stats_update_interval', 'snmp_rfc_stats_update_interval',
]);

/** 2.2.7 keywords that depend on a build option the Debian package lacks ("Unknown keyword" there, measured). */
const NOT_IN_DEBIAN_BUILD: Record<string, string> = {
  vrrp_ipsets: 'needs ipset support (LIBIPSET), which the Debian 2.2.7 build lacks',
};

export function parseGlobalDefs(block: readonly Stmt[], g: GlobalDefs, r: Reader): void {
  for (const s of block) globalKeyword(s, g, r);
}

function globalKeyword(s: Stmt, g: GlobalDefs, r: Reader): void {
  const k = s.kw.text;
  const d = r.diags;
  const flag = () => r.flag(s, false);
  if (BOOL_ARG.has(k) && s.args[0] && parseBool(s.args[0].text) === null) {
    d.error(s.args[0], k, `invalid value '${s.args[0].text}' for ${k}`, { expected: 'on/off, true/false or yes/no', found: s.args[0].text });
    return;
  }
  if (NEWER_THAN_227.has(k)) {
    d.error(s.kw, k, `'${k}' is not a keepalived 2.2.7 keyword (added later); vipd ${k === 'v3_checksum_as_v2' || k === 'vrrp_owner_ignore_adverts' ? 'honours it' : 'ignores it'}, keepalived 2.2.7 reports it as unknown`, { expected: 'a keepalived 2.2.7 global_defs keyword', found: k });
    if (k === 'v3_checksum_as_v2') g.v3ChecksumAsV2 = r.flag(s);
    if (k === 'vrrp_owner_ignore_adverts') g.ownerIgnoreAdverts = r.flag(s);
    return;
  }
  if (k in TOP_LEVEL_227) {
    d.error(s.kw, k, `'${k}' belongs at the top level of the file in keepalived 2.2.7, not in global_defs, where it is an unknown keyword`, { expected: 'a global_defs keyword', found: k });
    return;
  }
  if (k in NOT_IN_DEBIAN_BUILD) {
    d.error(s.kw, k, `'${k}' ${NOT_IN_DEBIAN_BUILD[k]}: keepalived 2.2.7 (Debian) reports it as unknown; vipd ignores it`, { expected: 'a keyword of the keepalived 2.2.7 Debian build', found: k });
    return;
  }
  // Model keywords whose missing value is a plain config error in 2.2.7 (not the exit-2 abort of r.arg).
  const MISSING_IS_ERROR: Record<string, string> = {
    router_id: 'router_id name missing', notification_email_from: 'emailfrom missing', default_interface: 'default_interface requires interface name',
    notify_fifo: 'no notify_fifo name specified', vrrp_notify_fifo: 'no vrrp_notify_fifo name specified',
    vrrp_priority: 'no vrrp process priority specified', vrrp_rt_priority: 'no vrrp process real-time priority specified',
    script_user: 'no script username specified',
  };
  if (s.args.length === 0 && MISSING_IS_ERROR[k]) {
    d.error(s.kw, k, MISSING_IS_ERROR[k], { expected: 'a value', found: 'nothing' });
    return;
  }
  const garpSecs = (field: 'masterDelayUs' | 'masterRefreshUs' | 'lowerPrioDelayUs') => {
    const t = r.arg(s);
    if (!t) return;
    const v = r.int(t, k, 0, 4294);
    if (v !== null) g.garp[field] = v * 1_000_000;
  };
  const garpCount = (field: 'masterRepeat' | 'masterRefreshRepeat' | 'lowerPrioRepeat', min: number) => {
    const t = r.arg(s);
    if (!t) return;
    const v = r.int(t, k, min, 2147483647);
    if (v !== null) g.garp[field] = v;
  };
  switch (k) {
    case 'router_id': { const t = r.arg(s); if (t) g.routerId = t.text; return; }
    case 'notification_email':
      blockExtraArgs(s, r);
      if (!requireBlock(s, r)) return;
      g.notificationEmail = flat(s.block).map((t) => t.text);
      if (s.block && g.notificationEmail.length === 0) d.warn(s.kw, k, 'empty notification_email block', { expected: 'one address per line', found: 'nothing' });
      return;
    case 'notification_email_from': { const t = r.arg(s); if (t) g.notificationEmailFrom = t.text; return; }
    case 'smtp_server': {
      // `smtp_server ADDR [PORT]`: the port is a second word.
      const t = r.arg(s);
      if (!t) return;
      const port = s.args[1];
      if (!smtpHostOk(t.text)) d.error(t, k, `invalid smtp server ${t.text}`, { expected: 'an IP address or a host name', found: t.text });
      else if (!port || r.uint(port, k, 1, 65535) !== null) g.smtpServer = port ? `${t.text} ${port.text}` : t.text;
      return;
    }
    case 'smtp_connect_timeout': { const t = r.arg(s); if (t) { const v = r.int(t, k, 1, 2147483647); if (v !== null) g.smtpConnectTimeoutUs = v * 1e6; } return; }
    case 'vrrp_mcast_group4': case 'vrrp_mcast_group6': {
      const t = r.arg(s);
      if (!t) return;
      const a = parseIp(t.text);
      const want = k.endsWith('4') ? 'inet' : 'inet6';
      const isMcast = a && (want === 'inet' ? Number(a.addr.split('.')[0]) >= 224 && Number(a.addr.split('.')[0]) <= 239 : a.addr.startsWith('ff'));
      if (!a || a.family !== want || !isMcast) d.error(t, k, `cannot parse ${k} '${t.text}'; keeping the default`, { expected: `an ${want === 'inet' ? 'IPv4' : 'IPv6'} multicast address`, found: t.text });
      else if (want === 'inet') g.mcastGroup4 = a.addr; else g.mcastGroup6 = a.addr;
      return;
    }
    case 'vrrp_version': { const t = r.arg(s); if (t) { const v = r.int(t, k, 2, 3); if (v !== null) g.vrrpVersion = v as 2 | 3; } return; }
    case 'vrrp_garp_master_delay': return garpSecs('masterDelayUs');
    case 'vrrp_garp_master_refresh': return garpSecs('masterRefreshUs');
    case 'vrrp_garp_lower_prio_delay': return garpSecs('lowerPrioDelayUs');
    case 'vrrp_garp_master_repeat': return garpCount('masterRepeat', 1);
    case 'vrrp_garp_master_refresh_repeat': return garpCount('masterRefreshRepeat', 1);
    case 'vrrp_garp_lower_prio_repeat': return garpCount('lowerPrioRepeat', 0);
    case 'vrrp_garp_interval': case 'vrrp_gna_interval': {
      const t = r.arg(s);
      if (!t) return;
      // 0 is rejected (the stock sample config trips on this).
      const us = r.timerUs(t, k, 0.000001, 4294.967295);
      if (us === null) d.error(t, k, `${k} '${t.text}' is invalid; pacing stays off`, { expected: 'seconds > 0', found: t.text });
      else if (k === 'vrrp_garp_interval') g.garp.intervalUs = us; else g.garp.gnaIntervalUs = us;
      // Parsed and checked, but the daemon sends each burst at once (no per-interface pacing yet).
      notImplemented(s, r, 'global_defs');
      return;
    }
    case 'vrrp_min_garp':
      g.minGarp = flag();
      notImplemented(s, r, 'global_defs', 'the GARP/NA repeat and refresh settings are used as written');
      return;
    case 'vrrp_down_timer_adverts': { const t = r.arg(s); if (t) { const v = r.int(t, k, 1, 100); if (v !== null) g.downTimerAdverts = v; } return; }
    case 'vrrp_lower_prio_no_advert': g.lowerPrioNoAdvert = flag(); return;
    case 'vrrp_higher_prio_send_advert': g.higherPrioSendAdvert = flag(); return;
    case 'vrrp_skip_check_adv_addr': g.skipCheckAdvAddr = flag(); return;
    case 'vrrp_check_unicast_src': g.checkUnicastSrc = flag(); return;
    case 'vrrp_strict': g.strict = true; return;
    case 'enable_script_security': g.enableScriptSecurity = true; return;
    case 'script_user': {
      const t = r.arg(s, 1, 'a user name');
      if (!t) return;
      g.scriptUser = { user: t.text, group: s.args[1]?.text ?? null };
      return;
    }
    case 'default_interface': { const t = r.arg(s); if (t) g.defaultInterface = t.text; return; }
    case 'vrrp_priority': { const t = r.arg(s); if (t) { const v = r.int(t, k, -20, 19); if (v !== null) g.vrrpProcess.nice = v; } return; }
    case 'vrrp_rt_priority': {
      // 2.2.7 clamps to 1..99 with a warning rather than refusing.
      const c = rtClamp(s.args[0], k, r);
      if (c !== null) g.vrrpProcess.rtPriority = c;
      return;
    }
    // vrrp_rlimit_rtime is 2.2.7's older spelling of the same keyword (same handler, same messages; measured).
    case 'vrrp_rlimit_rttime': case 'vrrp_rlimit_rtime': {
      const t = r.arg(s);
      if (t) { const v = r.uint(t, k, 1, U32); if (v !== null) g.vrrpProcess.rlimitRttimeUs = v; }
      return;
    }
    case 'vrrp_startup_delay': {
      const t = r.arg(s);
      if (t) { const v = r.timerUs(t, k, 0.001, 4294.967295); if (v !== null) g.startupDelayUs = v; }
      notImplemented(s, r, 'global_defs');
      return;
    }
    case 'notify_fifo': { const t = r.arg(s); if (t) g.notifyFifo = t.text; return; }
    case 'vrrp_notify_fifo': { const t = r.arg(s); if (t) g.vrrpNotifyFifo = t.text; return; }
    case 'dynamic_interfaces': {
      const t = s.args[0];
      if (t && t.text !== 'allow_if_changes') { d.error(t, k, `unknown dynamic_interfaces option '${t.text}'`, { expected: 'allow_if_changes', found: t.text }); return; }
      g.dynamicInterfaces = true;
      notImplemented(s, r, 'global_defs', 'a missing interface passes the check, but vipd does not run an instance whose interface is missing when the configuration is loaded');
      return;
    }
    case 'vrrp_iptables':
      d.warn(s.kw, k, "iptables is not supported (as in keepalived 2.2.7 Debian): nftables is used instead; replace 'vrrp_iptables' with 'nftables'", { expected: 'nftables', found: 'vrrp_iptables' });
      return;
    case 'include_check': {
      // The lexer applies the level to the includes that follow; here only the words keepalived rejects.
      for (const p of includeCheckLevel(s.args.map((a) => a.text), 0).problems) d.error(s.args[p.index], k, p.message, { expected: 'LEVEL then +TYPE or -TYPE words (read, match, wildcard_match, brace_match)', found: s.args[p.index].text });
      return;
    }
  }
  const spec = ACCEPTED[k];
  if (spec) {
    if (!checkSpec(s, spec, r)) return;
    (g.other[k] ??= []).push(s.args.map((a) => a.text).join(' '));
    if (Object.hasOwn(GLOBAL_SCRIPTS, k)) keepScript(s, g, r);
    notImplemented(s, r, 'global_defs');
    return;
  }
  unknownKeyword(s, r, 'global_defs');
}

/** Global scripts keepalived runs itself; kept for the script-security check (host/config/complete.ts). */
const GLOBAL_SCRIPTS: Record<string, keyof GlobalScripts> = {
  startup_script: 'startup', shutdown_script: 'shutdown', notify_fifo_script: 'notifyFifo', vrrp_notify_fifo_script: 'vrrpNotifyFifo',
};

/** `KEYWORD "cmd args" [user [group]]`; a second one is a config error in 2.2.7 (measured), the first stays. */
function keepScript(s: Stmt, g: GlobalDefs, r: Reader): void {
  const key = GLOBAL_SCRIPTS[s.kw.text];
  const cmd = scriptCommand(s, r);
  if (!cmd) return;
  if (g.scripts[key]) r.diags.error(s.kw, s.kw.text, `${s.kw.text} already specified; ignoring ${cmd.argv.join(' ')}`, { expected: `one ${s.kw.text}`, found: cmd.argv.join(' ') });
  else g.scripts[key] = cmd;
}

/** Applies a Spec: the missing-value verdict, then the value check. False when the keyword was missing its value. */
export function checkSpec(s: Stmt, spec: Spec, r: Reader): boolean {
  if (s.args.length === 0) {
    if (spec.missing === 'abort') r.arg(s);
    else if (spec.missing !== 'ok') r.diags.error(s.kw, s.kw.text, spec.missing, { expected: 'a value', found: 'nothing' });
    return spec.missing === 'ok';
  }
  spec.check?.(s, r);
  return true;
}

/** Real-time priority: 2.2.7 clamps to 1..99 and reports the clamp as a config error; a non-number is refused. */
function rtClamp(t: Token | undefined, kw: string, r: Reader): number | null {
  if (!t) return null;
  const v = r.int(t, kw, I32_MIN, I32_MAX);
  if (v === null) return null;
  const c = Math.min(99, Math.max(1, v));
  if (c !== v) r.diags.warn(t, kw, `real-time priority ${v} ${v > 99 ? 'greater than maximum 99' : 'less than minimum 1'} - setting to ${c}`, { expected: '1..99', found: t.text });
  return c;
}

/** `[vrrp_]garp_extra_if [all] SECONDS` (either order); the instance form also takes 0. */
export function garpExtraIf(s: Stmt, r: Reader, min: number): void {
  const nums = s.args.filter((a) => a.text !== 'all');
  if (nums.length === 0) r.diags.error(s.kw, s.kw.text, `${s.kw.text} specified without time - ignoring`, { expected: `[all] seconds ${min}..86400`, found: s.args.length ? s.args.map((a) => a.text).join(' ') : 'nothing' });
  for (const t of nums) if (r.uint(t, s.kw.text, min, 86400) === null) break;
}

function rxBufsPolicy(s: Stmt, r: Reader): void {
  let mtu = false;
  let advert = false;
  for (const t of s.args) {
    const w = t.text.toUpperCase();
    if (w === 'MTU') mtu = true;
    else if (w === 'ADVERT') advert = true;
    else r.uint(t, s.kw.text, 0, U32);
  }
  if (mtu && advert) r.diags.error(s.kw, s.kw.text, 'cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT', { expected: 'MTU, ADVERT or a size', found: 'MTU and ADVERT' });
}

const UMASK_BITS = new Set(['IRUSR', 'IWUSR', 'IXUSR', 'IRGRP', 'IWGRP', 'IXGRP', 'IROTH', 'IWOTH', 'IXOTH']);

/** `umask NUMBER` (C notation: 022, 0x12, 18; at most 0777) or `umask IWGRP|IWOTH` (words may be spaced). */
function umask(s: Stmt, r: Reader): void {
  const t = s.args[0];
  if (/^\d/.test(t.text)) {
    if (s.args.length > 1) r.diags.error(s.args[1], s.kw.text, 'extra parameter(s) to umask option', { expected: 'one umask value (numbers joined with |)', found: s.args[1].text });
    const v = /^0[xX][0-9a-fA-F]+$/.test(t.text) ? parseInt(t.text, 16) : /^0[0-7]*$/.test(t.text) ? parseInt(t.text, 8) : /^[1-9]\d*$/.test(t.text) ? Number(t.text) : NaN;
    if (!(v >= 0 && v <= 0o777)) r.diags.error(t, s.kw.text, `invalid umask value ${t.text}`, { expected: 'an octal mode at most 0777 or IRUSR|IWGRP|...', found: t.text });
    return;
  }
  for (const w of s.args.map((a) => a.text).join('').split('|')) {
    if (!UMASK_BITS.has(w)) r.diags.error(t, s.kw.text, `unknown umask bit ${w}`, { expected: [...UMASK_BITS].join('|'), found: w });
  }
}

/** `lvs_timeouts [tcp N] [tcpfin N] [udp N]`, seconds 0..2678400. */
function lvsTimeouts(s: Stmt, r: Reader): void {
  const a = s.args;
  let options = 0;
  for (let i = 0; i < a.length; i++) {
    const w = a[i].text;
    if (w === 'tcp' || w === 'tcpfin' || w === 'udp') {
      const v = a[i + 1];
      if (!v) { r.diags.error(a[i], s.kw.text, `no value specified for lvs_timeout ${w} - ignoring`, { expected: `${w} SECONDS`, found: 'nothing' }); options++; break; }
      r.uint(v, s.kw.text, 0, 2_678_400);
      options++;
      i++;
    } else r.diags.error(a[i], s.kw.text, `unknown option ${w} specified for lvs_timeouts`, { expected: 'tcp N, tcpfin N or udp N', found: w });
  }
  if (options === 0) r.diags.error(s.kw, s.kw.text, 'lvs_timeouts requires at least one option', { expected: 'tcp N | tcpfin N | udp N', found: 'nothing' });
}

function lvsFlushOnStop(s: Stmt, r: Reader): void {
  const t = s.args[0];
  if (t.text !== 'VS') r.diags.error(t, s.kw.text, `unknown lvs_flush_on_stop type ${t.text}`, { expected: 'VS (or nothing: all)', found: t.text });
}

/**
 * An address as inet_aton/inet_pton read it (`10.1`, `167772161` included), or a host name. keepalived also
 * resolves names at -t time; vipd checks only their form (a name that does not resolve is not reported).
 */
function smtpHostOk(h: string): boolean {
  if (parseIp(h)) return true;
  if (/^[\d.]+$/.test(h)) {
    const parts = h.split('.');
    if (parts.length > 4 || parts.some((p) => p === '')) return false;
    const nums = parts.map(Number);
    const last = 2 ** (8 * (5 - parts.length)) - 1;
    return nums.slice(0, -1).every((n) => n <= 255) && nums[nums.length - 1] <= last;
  }
  return /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(h);
}
