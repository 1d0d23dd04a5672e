// vrrp_instance NAME { ... } → an InstanceDraft: only what was written, with positions. complete.ts turns
// drafts into VrrpInstance (defaults, global values, cross-checks), as keepalived's vrrp_complete_instance does.
import type { Position } from '../diagnostics.ts';
import type { Stmt } from '../tree.ts';
import { flat } from '../tree.ts';
import type { Auth, Family, GarpSettings, Notify, RouteSpec, RuleSpec, TrackInterface, TrackRef, UnicastPeer, VipSpec } from '../model.ts';
import { emptyNotify } from '../model.ts';
import { type Reader, parseIp } from '../values.ts';
import { blockExtraArgs, notImplemented, requireBlock, notifyKeyword, trackInterfaces, trackRefs, unknownKeyword } from './common.ts';
import { garpExtraIf } from './global-defs.ts';
import { parseRoute, parseRule, parseVip } from './address.ts';

export interface Set<T> { v: T; at: Position }

export interface InstanceDraft {
  at: Position;
  name: string;
  state?: Set<'MASTER' | 'BACKUP'>;
  interface?: Set<string>;
  vrid?: Set<number>;
  /** A virtual_router_id line was present but invalid. */
  vridInvalid?: boolean;
  priority?: Set<number>;
  advertInt?: Set<number>;
  version?: Set<2 | 3>;
  nopreempt?: Position;
  preemptDelayUs?: Set<number>;
  downTimerAdverts?: Set<number>;
  unicastPeers: UnicastPeer[];
  /** Any unicast keyword (unicast_src_ip, unicast_peer, unicast_ttl...) was used. */
  unicastKeyword?: Position;
  unicastSrcIp?: Set<{ family: Family; addr: string }>;
  mcastSrcIp?: Set<{ family: Family; addr: string }>;
  mcastDstIp?: Set<{ family: Family; addr: string }>;
  unicastTtl?: number;
  bools: Partial<Record<'checkUnicastSrc' | 'lowerPrioNoAdvert' | 'higherPrioSendAdvert' | 'ownerIgnoreAdverts' | 'skipCheckAdvAddr' | 'v3ChecksumAsV2' | 'strict' | 'dontTrackPrimary' | 'promoteSecondaries' | 'trackSrcIp' | 'noVirtualIpaddress' | 'notifyPriorityChanges' | 'smtpAlert', boolean>>;
  accept?: Set<boolean>;
  auth?: Set<Auth>;
  authEmpty?: Position;
  garp: Partial<GarpSettings>;
  /** Global GARP values at the point the instance was parsed (keepalived copies them then). */
  garpBase: GarpSettings;
  vips: VipSpec[];
  vipsAt?: Position;
  excludedVips: VipSpec[];
  routes: RouteSpec[];
  rules: RuleSpec[];
  trackInterfaces: TrackInterface[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  trackBfd: TrackRef[];
  notify: Notify;
  useVmac?: { name: string | null; xmitBase: boolean };
  /** use_vmac and vmac_xmit_base, where they were written (completion checks their combination). */
  useVmacAt?: Position;
  vmacXmitBaseAt?: Position;
  vrf?: Set<string>;
  nativeIpv6?: Position;
  useIpvlanAt?: Position;
  useIpvlanAddr?: boolean;
  debug: number;
}

/** vrrp_instance keywords that 2.2.7 knows and vipd accepts without acting on them yet. */
const ACCEPTED = new Set(['use_vmac_addr', 'unicast_fault_no_peer']);

/** Block keywords of an instance: words between the keyword and its `{` are a config error in 2.2.7 (measured). */
const BLOCKS = new Set([
  'virtual_ipaddress', 'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'track_interface', 'track_script',
  'track_file', 'track_process', 'track_bfd', 'unicast_peer',
]);

/** Keywords of later releases: 2.2.7 says "Unknown keyword" (timer_expired_backup came with 2.2.8). */
const NEWER_THAN_227 = new Set(['owner_ignore_adverts', 'v3_checksum_as_v2', 'auth_hmac', 'timer_expired_backup', 'no_virtual_ipaddress']);

/** `bfdNames`: the bfd_instance names defined before this instance (track_bfd may only name those). */
export function parseInstance(s: Stmt, r: Reader, garpBase: GarpSettings, bfdNames: ReadonlySet<string> = new Set()): InstanceDraft | null {
  const nameTok = s.args[0];
  if (!nameTok) {
    r.diags.error(s.kw, 'vrrp_instance', 'vrrp_instance must have a name', { expected: 'vrrp_instance NAME {', found: undefined });
    return null;
  }
  const d: InstanceDraft = {
    at: s.kw, name: nameTok.text, unicastPeers: [], bools: {}, garp: {}, garpBase: { ...garpBase }, vips: [],
    excludedVips: [], routes: [], rules: [], trackInterfaces: [], trackScripts: [], trackFiles: [], trackProcesses: [],
    trackBfd: [], notify: emptyNotify(), debug: 0,
  };
  for (const k of s.block ?? []) instanceKeyword(k, d, r, bfdNames);
  // The instance's family as completion reads it: the first VIP, else the configured source address, else IPv4.
  const family = d.vips[0]?.family ?? d.unicastSrcIp?.v.family ?? d.mcastSrcIp?.v.family ?? d.unicastPeers[0]?.family ?? 'inet';
  if (d.nativeIpv6 && family === 'inet') {
    r.diags.error(d.nativeIpv6, 'native_ipv6', `(${d.name}) cannot specify native_ipv6 with IPv4 addresses`, { expected: 'an IPv6 instance (first virtual_ipaddress IPv6)', found: d.vips[0]?.addr ?? 'no VIP' });
  }
  // `use_ipvlan [NAME] [ADDR[/PREFIX]] [bridge|private|vepa]`: an IPv4 instance needs the ipvlan's own address.
  if (d.useIpvlanAt && !d.useIpvlanAddr && family === 'inet') {
    r.diags.error(d.useIpvlanAt, 'use_ipvlan', `(${d.name}) IPv4 ipvlan requires a source ip address to be configured`, { expected: 'use_ipvlan [NAME] ADDRESS[/PREFIX]', found: `use_ipvlan without an address` });
  }
  return d;
}

function instanceKeyword(s: Stmt, d: InstanceDraft, r: Reader, bfdNames: ReadonlySet<string>): void {
  const k = s.kw.text;
  const diags = r.diags;
  const who = `(${d.name})`;
  const boolKw = (field: keyof InstanceDraft['bools']) => { d.bools[field] = r.flag(s); };
  const garpSecs = (field: 'masterDelayUs' | 'masterRefreshUs' | 'lowerPrioDelayUs') => {
    const t = r.arg(s);
    if (!t) return;
    const v = r.int(t, k, 0, 4294);
    if (v === null) diags.error(t, k, `${who} ${k} '${t.text}' invalid - ignoring`, { expected: 'a number of seconds in [0, 4294]', found: t.text });
    else d.garp[field] = v * 1_000_000;
  };
  const garpCount = (field: 'masterRepeat' | 'masterRefreshRepeat' | 'lowerPrioRepeat', min: number) => {
    const t = r.arg(s);
    if (!t) return;
    const v = r.int(t, k, min, 2147483647);
    if (v !== null) d.garp[field] = v;
  };
  if (notifyKeyword(s, r, d.notify)) return;
  if (BLOCKS.has(k)) blockExtraArgs(s, r);
  if (NEWER_THAN_227.has(k)) {
    // A warning, not an error: keepalived 2.2.7's -t verdict (5) without refusing a reload of a configuration that
    // uses them (vipd implements owner_ignore_adverts and v3_checksum_as_v2).
    diags.warn(s.kw, k, `'${k}' is not a keepalived 2.2.7 keyword (added later); keepalived 2.2.7 reports it as unknown`, { expected: 'a keepalived 2.2.7 vrrp_instance keyword', found: k });
    if (k === 'owner_ignore_adverts') d.bools.ownerIgnoreAdverts = r.flag(s);
    if (k === 'v3_checksum_as_v2') d.bools.v3ChecksumAsV2 = r.flag(s);
    return;
  }
  switch (k) {
    case 'state': {
      const t = r.arg(s, 1, 'MASTER or BACKUP');
      if (!t) return;
      if (t.text === 'MASTER' || t.text === 'BACKUP') d.state = { v: t.text, at: t };
      else {
        diags.error(t, k, `${who} unknown state '${t.text}', defaulting to BACKUP`, { expected: 'MASTER or BACKUP', found: t.text });
        d.state = { v: 'BACKUP', at: t };
      }
      return;
    }
    case 'interface': {
      const t = r.arg(s, 1, 'an interface name');
      if (t) d.interface = { v: t.text, at: t };
      return;
    }
    case 'virtual_router_id': {
      const t = r.arg(s, 1, 'a VRID 1..255');
      if (!t) return;
      const v = r.int(t, k, 1, 255);
      if (v === null) d.vridInvalid = true;
      else d.vrid = { v, at: t };
      return;
    }
    case 'priority': {
      const t = r.arg(s, 1, 'a priority 1..255');
      if (!t) return;
      const v = r.int(t, k, 1, 255);
      if (v !== null) d.priority = { v, at: t };
      return;
    }
    case 'advert_int': {
      const t = r.arg(s, 1, 'seconds 0.01..255');
      if (!t) return;
      const v = r.decimal(t, k, 0.01, 255);
      if (v !== null) d.advertInt = { v, at: t };
      return;
    }
    case 'version': {
      const t = r.arg(s, 1, '2 or 3');
      if (!t) return;
      const v = r.int(t, k, 2, 3);
      if (v === null) return;
      // 2.2.7: a second, different version is refused and the first one stays (measured).
      if (d.version && d.version.v !== v) {
        r.diags.error(t, k, `(${d.name}) version ${v} conflicts with version ${d.version.v} given before; ignored`, { expected: String(d.version.v), found: t.text });
        return;
      }
      d.version = { v: v as 2 | 3, at: t };
      return;
    }
    case 'nopreempt': d.nopreempt = s.kw; return;
    case 'preempt': d.nopreempt = undefined; return;
    case 'preempt_delay': {
      const t = r.arg(s, 1, 'seconds 0..1000');
      if (!t) return;
      const v = r.timerUs(t, k, 0, 1000);
      if (v !== null) d.preemptDelayUs = { v, at: t };
      return;
    }
    case 'down_timer_adverts': {
      const t = r.arg(s);
      if (!t) return;
      const v = r.int(t, k, 1, 100);
      if (v !== null) d.downTimerAdverts = { v, at: t };
      return;
    }
    case 'unicast_src_ip': case 'mcast_src_ip': case 'mcast_dst_ip': {
      const t = r.arg(s, 1, 'an IP address');
      if (!t) return;
      const a = r.ip(t, k);
      if (!a) return;
      if (k === 'unicast_src_ip') { d.unicastSrcIp = { v: a, at: t }; d.unicastKeyword ??= s.kw; }
      else if (k === 'mcast_src_ip') d.mcastSrcIp = { v: a, at: t };
      else if (!isMulticast(a)) diags.error(t, k, `${who} mcast_dst_ip ${t.text} not multicast; skipped`, { expected: 'a multicast address', found: t.text });
      else d.mcastDstIp = { v: a, at: t };
      return;
    }
    case 'unicast_peer': {
      d.unicastKeyword ??= s.kw;
      for (const e of s.block ?? []) {
        const a = r.ip(e.kw, k);
        if (!a) {
          diags.error(e.kw, k, `${who} malformed unicast peer address '${e.kw.text}'; skipped`, { expected: 'an IP address', found: e.kw.text });
          continue;
        }
        const p: UnicastPeer = { at: e.kw, family: a.family, addr: a.addr, minTtl: 0, maxTtl: 255 };
        for (let i = 0; i < e.args.length; i++) {
          const o = e.args[i].text;
          if ((o === 'min_ttl' || o === 'max_ttl') && e.args[i + 1]) {
            const v = r.int(e.args[i + 1], o, 0, 255);
            if (v !== null) { if (o === 'min_ttl') p.minTtl = v; else p.maxTtl = v; }
            i++;
          } else diags.error(e.args[i], k, `unknown unicast_peer option '${o}'`, { expected: 'min_ttl N | max_ttl N', found: o });
        }
        d.unicastPeers.push(p);
      }
      return;
    }
    case 'unicast_ttl': {
      d.unicastKeyword ??= s.kw;
      const t = r.arg(s);
      if (!t) return;
      const v = r.int(t, k, 0, 255);
      if (v !== null) d.unicastTtl = v;
      return;
    }
    case 'check_unicast_src': d.unicastKeyword ??= s.kw; return boolKw('checkUnicastSrc');
    case 'lower_prio_no_advert': return boolKw('lowerPrioNoAdvert');
    case 'higher_prio_send_advert': return boolKw('higherPrioSendAdvert');
    case 'skip_check_adv_addr': return boolKw('skipCheckAdvAddr');
    case 'strict_mode': return boolKw('strict');
    case 'dont_track_primary': d.bools.dontTrackPrimary = true; return;
    case 'promote_secondaries':
      d.bools.promoteSecondaries = true;
      notImplemented(s, r, 'vrrp_instance', "the interface's promote_secondaries setting is left as it is");
      return;
    case 'track_src_ip': d.bools.trackSrcIp = true; return;
    case 'no_virtual_ipaddress': d.bools.noVirtualIpaddress = true; return;
    case 'notify_priority_changes': return boolKw('notifyPriorityChanges');
    case 'smtp_alert': return boolKw('smtpAlert');
    case 'accept': d.accept = { v: true, at: s.kw }; return;
    case 'no_accept': d.accept = { v: false, at: s.kw }; return;
    case 'debug': {
      const t = r.arg(s, 1, 'a debug level 0..4');
      if (!t) return;
      const v = r.int(t, k, 0, 4);
      if (v !== null) d.debug = v;
      notImplemented(s, r, 'vrrp_instance', 'the log detail is set with -D');
      return;
    }
    case 'authentication': return authBlock(s, d, r);
    case 'garp_master_delay': return garpSecs('masterDelayUs');
    case 'garp_master_refresh': return garpSecs('masterRefreshUs');
    case 'garp_lower_prio_delay': return garpSecs('lowerPrioDelayUs');
    case 'garp_master_repeat': return garpCount('masterRepeat', 1);
    case 'garp_master_refresh_repeat': return garpCount('masterRefreshRepeat', 1);
    case 'garp_lower_prio_repeat': return garpCount('lowerPrioRepeat', 0);
    case 'virtual_ipaddress': case 'virtual_ipaddress_excluded': {
      const into = k === 'virtual_ipaddress' ? d.vips : d.excludedVips;
      if (k === 'virtual_ipaddress') d.vipsAt = s.kw;
      for (const e of s.block ?? []) {
        const v = parseVip(e, r, k);
        if (v) into.push(v);
      }
      return;
    }
    case 'virtual_routes': for (const e of s.block ?? []) { const v = parseRoute(e, r, k); if (v) d.routes.push(v); } return;
    case 'virtual_rules': for (const e of s.block ?? []) { const v = parseRule(e, r, k); if (v) d.rules.push(v); } return;
    case 'track_interface': d.trackInterfaces.push(...trackInterfaces(s, r)); return;
    case 'track_script': d.trackScripts.push(...trackRefs(s, r, -253, 253)); return;
    case 'track_file': d.trackFiles.push(...trackRefs(s, r, -254, 254)); return;
    case 'track_process': d.trackProcesses.push(...trackRefs(s, r, -254, 254)); return;
    case 'use_vmac':
      d.useVmac = { name: s.args[0]?.text ?? null, xmitBase: d.useVmac?.xmitBase ?? d.vmacXmitBaseAt !== undefined };
      d.useVmacAt = s.kw;
      notImplemented(s, r, 'vrrp_instance');
      return;
    case 'vmac_xmit_base':
      d.vmacXmitBaseAt = s.kw;
      if (d.useVmac) d.useVmac.xmitBase = true;
      notImplemented(s, r, 'vrrp_instance');
      return;
    case 'vrf': {
      const t = r.arg(s, 1, 'a VRF interface name');
      if (t) d.vrf = { v: t.text, at: t };
      notImplemented(s, r, 'vrrp_instance');
      return;
    }
    case 'lvs_sync_daemon_interface':
      diags.warn(s.kw, k, `${who} lvs_sync_daemon_interface in a vrrp_instance is deprecated; use the global lvs_sync_daemon`, { expected: 'lvs_sync_daemon in global_defs', found: 'lvs_sync_daemon_interface' });
      r.arg(s, 1, 'an interface name');
      return;
    case 'linkbeat_use_polling':
      diags.warn(s.kw, k, `${who} 'linkbeat_use_polling' in a vrrp_instance is deprecated; use a linkbeat_interfaces block`, { expected: 'a linkbeat_interfaces block', found: 'linkbeat_use_polling' });
      return;
    case 'use_ipvlan':
      d.useIpvlanAt = s.kw;
      d.useIpvlanAddr = s.args.some((a) => parseIp(a.text.split('/')[0]) !== null);
      notImplemented(s, r, 'vrrp_instance');
      return;
    case 'native_ipv6':
      d.nativeIpv6 = s.kw;
      notImplemented(s, r, 'vrrp_instance');
      return;
    case 'kernel_rx_buf_size': {
      const t = s.args[0];
      if (!t) diags.error(s.kw, k, `${who} invalid kernel_rx_buf_size specified`, { expected: 'a size in bytes', found: 'nothing' });
      else r.uint(t, k, 0, 4294967295);
      notImplemented(s, r, 'vrrp_instance');
      return;
    }
    case 'old_unicast_checksum': {
      // A unicast keyword (its use without peers is the usual "defaulting to multicast" error); only 'never' is a mode.
      d.unicastKeyword ??= s.kw;
      const t = s.args[0];
      if (t && t.text !== 'never') diags.error(t, k, `${who} unknown old_unicast_checksum mode ${t.text} - ignoring`, { expected: "nothing or 'never'", found: t.text });
      notImplemented(s, r, 'vrrp_instance');
      return;
    }
    case 'garp_extra_if':
      garpExtraIf(s, r, 0);
      notImplemented(s, r, 'vrrp_instance');
      return;
    case 'track_bfd':
      for (const e of s.block ?? []) {
        if (!bfdNames.has(e.kw.text)) diags.error(e.kw, k, `${who} track bfd ${e.kw.text} not found, ignoring`, { expected: 'a bfd_instance defined before this vrrp_instance', found: e.kw.text });
        else d.trackBfd.push({ at: e.kw, name: e.kw.text, weight: null, reverse: false });
      }
      notImplemented(s, r, 'vrrp_instance');
      return;
  }
  if (ACCEPTED.has(k)) return notImplemented(s, r, 'vrrp_instance');
  unknownKeyword(s, r, 'vrrp_instance');
}

function authBlock(s: Stmt, d: InstanceDraft, r: Reader): void {
  if (!requireBlock(s, r)) return;
  let type: 'PASS' | 'AH' | null = null;
  let pass: Uint8Array | null = null;
  let at: Position = s.kw;
  for (const e of s.block ?? []) {
    const k = e.kw.text;
    if (k === 'auth_type') {
      const t = r.arg(e, 1, 'PASS or AH');
      if (!t) continue;
      if (t.text === 'PASS' || t.text === 'AH') { type = t.text; at = t; }
      else r.diags.error(t, k, `(${d.name}) unknown authentication type '${t.text}'`, { expected: 'PASS or AH', found: t.text });
    } else if (k === 'auth_pass') {
      const t = r.arg(e, 1, 'a password (max 8 characters)');
      if (!t) continue;
      const bytes = Buffer.from(t.text, 'utf8');
      if (bytes.length > 8) r.diags.warn(t, k, 'auth_pass is longer than 8 characters; truncated to 8, as keepalived does', { expected: 'at most 8 characters', found: t.text });
      pass = new Uint8Array(8);
      pass.set(bytes.subarray(0, 8));
      if (bytes.length === 0) d.authEmpty = t;
    } else unknownKeyword(e, r, 'authentication');
  }
  // 2.2.7: an auth_type without auth_pass is dropped with a config error (measured).
  if (type && !pass) r.diags.error(at, 'authentication', `(${d.name}) authentication specified but no password given; ignoring`, { expected: 'auth_pass PASSWORD', found: undefined });
  else if (type) d.auth = { v: { type, pass: pass ?? new Uint8Array(8) }, at };
  void flat;
}

function isMulticast(a: { family: Family; addr: string }): boolean {
  if (a.family === 'inet6') return a.addr.startsWith('ff');
  const first = Number(a.addr.split('.')[0]);
  return first >= 224 && first <= 239;
}
