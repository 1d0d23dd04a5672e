// The LVS / checker side (virtual_server, virtual_server_group, real_server, *_CHECK, SSL) and BFD: kept as raw
// blocks with keyword checking, so keepalived's sample files load. vipd does not run IPVS.
import type { Stmt } from '../tree.ts';
import type { RawBlock } from '../model.ts';
import type { Reader } from '../values.ts';

const CHECK_COMMON = ['connect_ip', 'connect_port', 'bindto', 'bind_if', 'bind_port', 'fwmark', 'connect_timeout', 'retry', 'nb_get_retry', 'delay_before_retry', 'warmup', 'log_all_failures', 'delay_loop', 'alpha', 'omega'];
const URL = ['path', 'digest', 'status_code', 'virtualhost', 'regex', 'regex_no_match', 'regex_options', 'regex_min_offset', 'regex_max_offset', 'regex_stack'];

/** Allowed child keywords per block keyword; `*` entries take any child (value blocks). */
const CHILDREN: Record<string, string[]> = {
  virtual_server: [
    'delay_loop', 'lvs_sched', 'lb_algo', 'lvs_method', 'lb_kind', 'persistence_timeout', 'persistence_granularity',
    'persistence_engine', 'protocol', 'ha_suspend', 'alpha', 'omega', 'quorum', 'hysteresis', 'quorum_up', 'quorum_down',
    'sorry_server', 'sorry_server_inhibit', 'sorry_server_lvs_method', 'virtualhost', 'ops', 'flag-1', 'flag-2', 'flag-3',
    'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback', 'ip_family', 'smtp_alert', 'snmp_name', 'hashed', 'real_server',
    'connect_timeout', 'retry', 'delay_before_retry', 'warmup', 'inhibit_on_failure', 'one_packet_scheduling',
    'quorum_up', 'virtualhost', 'nat_mask', 'syncd_group', 'genhash'
  ],
  real_server: [
    'weight', 'lvs_method', 'notify_up', 'notify_down', 'uthreshold', 'lthreshold', 'inhibit_on_failure', 'alpha',
    'smtp_alert', 'virtualhost', 'connect_timeout', 'retry', 'delay_before_retry', 'warmup', 'delay_loop',
    'TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK',
  ],
  TCP_CHECK: CHECK_COMMON,
  PING_CHECK: CHECK_COMMON,
  HTTP_GET: [...CHECK_COMMON, 'url', 'http_protocol', 'fast_recovery', 'enable_sni', 'sni_name', 'tls_compliant', 'virtualhost'],
  SSL_GET: [...CHECK_COMMON, 'url', 'http_protocol', 'fast_recovery', 'enable_sni', 'sni_name', 'tls_compliant', 'virtualhost'],
  url: URL,
  MISC_CHECK: [...CHECK_COMMON, 'misc_path', 'misc_timeout', 'misc_dynamic', 'user'],
  SMTP_CHECK: [...CHECK_COMMON, 'helo_name', 'host'],
  host: CHECK_COMMON,
  DNS_CHECK: [...CHECK_COMMON, 'type', 'name'],
  UDP_CHECK: [...CHECK_COMMON, 'payload', 'require_reply', 'min_reply_length', 'max_reply_length'],
  FILE_CHECK: ['track_file', 'dynamic', 'weight'],
  BFD_CHECK: ['name', 'weight'],
  SSL: ['password', 'ca', 'certificate', 'key'],
  bfd_instance: ['neighbor_ip', 'source_ip', 'min_rx', 'min_tx', 'idle_tx', 'multiplier', 'passive', 'ttl', 'hoplimit', 'max_hops', 'multihop', 'weight', 'vrrp', 'checker', 'disabled'],
};
const VALUE_BLOCKS = new Set(['virtual_server_group', 'status_code']);

export const LVS_TOP = new Set(['virtual_server', 'virtual_server_group', 'SSL', 'bfd_instance']);

export function parseLvs(s: Stmt, r: Reader): RawBlock {
  const b = raw(s, r, s.kw.text);
  // 2.2.7 reports a protocol on a fwmark service as a config error (the protocol is ignored).
  if (s.kw.text === 'virtual_server' && s.args[0]?.text === 'fwmark') {
    const proto = (s.block ?? []).find((c) => c.kw.text === 'protocol');
    if (proto) r.diags.warn(proto.kw, 'protocol', `virtual server fwmark ${s.args[1]?.text ?? ''}: protocol specified for fwmark - protocol will be ignored`, { expected: 'no protocol for a fwmark virtual_server', found: `protocol ${proto.args[0]?.text ?? ''}`.trim() });
  }
  return b;
}

function raw(s: Stmt, r: Reader, kind: string): RawBlock {
  const out: RawBlock = { at: s.kw, keyword: s.kw.text, args: s.args.map((a) => a.text), children: [] };
  if (!s.block) return out;
  const allowed = CHILDREN[kind];
  for (const c of s.block) {
    const k = c.kw.text;
    if (!VALUE_BLOCKS.has(kind) && allowed && !allowed.includes(k)) {
      r.diags.error(c.kw, k, `unknown keyword '${k}' in ${kind}`, { expected: `a ${kind} keyword`, found: k });
      continue;
    }
    out.children.push(raw(c, r, k));
  }
  return out;
}
