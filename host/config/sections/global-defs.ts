// global_defs: the VRRP-relevant keywords go into the model, the rest is checked the way 2.2.7 checks it.
import type { Stmt } from '../tree.ts';
import { flat } from '../tree.ts';
import type { GlobalDefs } from '../model.ts';
import { type Reader, parseBool, parseIp } from '../values.ts';
import { notImplemented, unknownKeyword } from './common.ts';
import { includeCheckLevel } from '../include.ts';

/** Flags whose optional argument must be a BOOL (2.2.7 reports "Invalid value" otherwise). */
const BOOL_ARG = new Set([
  'smtp_alert', 'smtp_alert_vrrp', 'smtp_alert_checker', 'vrrp_min_garp', 'vrrp_lower_prio_no_advert',
  'vrrp_higher_prio_send_advert', 'vrrp_notify_priority_changes', 'vrrp_netlink_cmd_rcv_bufs_force',
  'vrrp_netlink_monitor_rcv_bufs_force', 'process_monitor_rcv_bufs_force', 'lvs_netlink_cmd_rcv_bufs_force',
  'lvs_netlink_monitor_rcv_bufs_force', 'data_use_instance', 'rs_init_notifies', 'no_checker_emails',
  'checker_log_all_failures',
]);

/** Accepted by 2.2.7, not acted on by vipd (yet). */
const ACCEPTED = new Set([
  'smtp_helo_name', 'smtp_alert_checker', 'no_email_faults', 'vrrp_garp_extra_if', 'vrrp_iptables', 'nftables',
  'nftables_priority', 'nftables_counters', 'nftables_ifindex', 'checker_priority', 'bfd_priority',
  'checker_rt_priority', 'bfd_rt_priority', 'vrrp_no_swap', 'checker_no_swap', 'bfd_no_swap',
  'vrrp_cpu_affinity', 'checker_cpu_affinity', 'bfd_cpu_affinity', 'checker_rlimit_rttime',
  'bfd_rlimit_rttime', 'max_auto_priority', 'min_auto_priority_delay', 'vrrp_delay_after_boot',
  'vrrp_notify_fifo_script', 'notify_fifo_script', 'lvs_notify_fifo', 'lvs_notify_fifo_script',
  'fifo_write_vrrp_states_on_reload', 'vrrp_netlink_cmd_rcv_bufs', 'vrrp_netlink_cmd_rcv_bufs_force',
  'vrrp_netlink_monitor_rcv_bufs', 'vrrp_netlink_monitor_rcv_bufs_force', 'process_monitor_rcv_bufs',
  'process_monitor_rcv_bufs_force', 'lvs_netlink_cmd_rcv_bufs', 'lvs_netlink_cmd_rcv_bufs_force',
  'lvs_netlink_monitor_rcv_bufs', 'lvs_netlink_monitor_rcv_bufs_force', 'vrrp_rx_bufs_policy',
  'vrrp_rx_bufs_multiplier', 'log_unknown_vrids', 'vmac_prefix', 'vmac_addr_prefix', 'lvs_sync_daemon',
  'reload_check_config', 'reload_time_file', 'reload_repeat', 'reload_file', 'data_use_instance', 'net_namespace',
  'instance', 'startup_script', 'shutdown_script', 'snmp_socket', 'enable_snmp_vrrp', 'enable_snmp_keepalived',
  'enable_snmp_rfc', 'enable_snmp_rfcv2', 'enable_snmp_rfcv3', 'enable_snmp_checker', 'enable_traps', 'enable_dbus',
  'dbus_service_name', 'disable_local_igmp', 'random_seed', 'tmp_config_directory', 'config_save_dir',
  'process_names', 'process_name', 'vrrp_process_name', 'checker_process_name', 'bfd_process_name', 'umask',
  'rs_init_notifies', 'no_checker_emails', 'checker_log_all_failures', 'lvs_timeouts', 'lvs_flush',
  'lvs_flush_on_stop', 'smtp_alert', 'smtp_alert_vrrp', 'vrrp_notify_priority_changes', 'dynamic_interfaces',
  'vrrp_startup_delay', 'notify_fifo', 'vrrp_notify_fifo', 'script_user', 'enable_script_security',
  'notification_email', 'notification_email_from', 'smtp_server', 'smtp_connect_timeout', 'router_id',
  'default_interface',
]);

/** Newer keepalived keywords that 2.2.7 rejects as unknown: vipd reads them but keeps 2.2.7's verdict. */
export const NEWER_THAN_227 = new Set([
  'vrrp_owner_ignore_adverts', 'v3_checksum_as_v2', 'vrrp_ipsets', 'set_supplementary_groups', 'use_symlink_paths',
  'state_dump_file', 'stats_dump_file', 'json_dump_file', 'json_version', 'net_namespace_ipvs',
  'namespace_with_ipsets', 'use_pid_dir', 'child_wait_time', 'linkbeat_use_polling', 'iproute_usr_dir',
  'iproute_etc_dir', 'snmp_vrrp_stats_update_interval', 'snmp_rfc_stats_update_interval',
]);

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
    d.error(s.kw, k, `'${k}' is not a keepalived 2.2.7 keyword (added later); vipd ${k === 'v3_checksum_as_v2' || k === 'vrrp_owner_ignore_adverts' ? 'honours it' : 'ignores it'}, keepalived 2.2.7 reports it as unknown`, { found: k });
    if (k === 'v3_checksum_as_v2') g.v3ChecksumAsV2 = r.flag(s);
    if (k === 'vrrp_owner_ignore_adverts') g.ownerIgnoreAdverts = r.flag(s);
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
    case 'notification_email': g.notificationEmail = flat(s.block).map((t) => t.text); return;
    case 'notification_email_from': { const t = r.arg(s); if (t) g.notificationEmailFrom = t.text; return; }
    case 'smtp_server': {
      // `smtp_server ADDR [PORT]`: the port is a second word.
      const t = r.arg(s);
      if (t) g.smtpServer = s.args.length > 1 ? `${t.text} ${s.args[1].text}` : t.text;
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
    case 'vrrp_min_garp': g.minGarp = flag(); return;
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
      const t = r.arg(s);
      const v = t ? r.int(t, k, -2_147_483_648, 2_147_483_647) : null;
      if (t && v !== null) {
        const c = Math.min(99, Math.max(1, v));
        if (c !== v) d.warn(t, k, `vrrp process real-time priority ${v} ${v > 99 ? 'greater than maximum 99' : 'less than minimum 1'} - setting to ${c}`, { expected: '1..99', found: t.text });
        g.vrrpProcess.rtPriority = c;
      }
      return;
    }
    case 'vrrp_rlimit_rttime': { const t = r.arg(s); if (t) { const v = r.int(t, k, 1, 2_000_000_000); if (v !== null) g.vrrpProcess.rlimitRttimeUs = v; } return; }
    case 'vrrp_startup_delay': {
      const t = r.arg(s);
      if (t) { const v = r.timerUs(t, k, 0, 4294); if (v !== null) g.startupDelayUs = v; }
      notImplemented(s, r, 'global_defs');
      return;
    }
    case 'notify_fifo': { const t = r.arg(s); if (t) g.notifyFifo = t.text; return; }
    case 'vrrp_notify_fifo': { const t = r.arg(s); if (t) g.vrrpNotifyFifo = t.text; return; }
    case 'dynamic_interfaces': {
      const t = s.args[0];
      if (t && t.text !== 'allow_if_changes') { d.error(t, k, `unknown dynamic_interfaces option '${t.text}'`, { expected: 'allow_if_changes', found: t.text }); return; }
      g.dynamicInterfaces = true;
      return;
    }
    case 'vrrp_iptables':
      d.warn(s.kw, k, "iptables is not supported (as in keepalived 2.2.7 Debian): nftables is used instead; replace 'vrrp_iptables' with 'nftables'");
      return;
    case 'include_check': {
      // The lexer applies the level to the includes that follow; here only the words keepalived rejects.
      for (const p of includeCheckLevel(s.args.map((a) => a.text), 0).problems) d.error(s.args[p.index], k, p.message, { found: s.args[p.index].text });
      return;
    }
    case 'lvs_timeouts':
      if (s.args.length === 0) d.error(s.kw, k, 'lvs_timeouts requires at least one option', { expected: 'tcp N | tcpfin N | udp N' });
      return;
    case 'lvs_flush_on_stop': {
      const t = s.args[0];
      if (t && t !== undefined && !['VS', 'vs', 'all', 'ALL'].includes(t.text)) d.error(t, k, `unknown lvs_flush_on_stop type '${t.text}'`, { expected: 'VS', found: t.text });
      return;
    }
  }
  if (ACCEPTED.has(k)) {
    (g.other[k] ??= []).push(s.args.map((a) => a.text).join(' '));
    notImplemented(s, r, 'global_defs');
    return;
  }
  unknownKeyword(s, r, 'global_defs');
}
