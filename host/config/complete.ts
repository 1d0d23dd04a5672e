// Instance completion and cross-checks (keepalived's vrrp_complete_instance and friends, 2.2.7 verdicts):
// defaults and global values filled in, strict-mode resets, VRID clashes, tracker references, script security.
import { type Diagnostics, type Position, Uncounted } from './diagnostics.ts';
import type { Config, Family, GlobalDefs, ScriptCommand, SyncGroup, VrrpInstance, VrrpScript } from './model.ts';
import { VRRP_PRIO_DFL, VRRP_PRIO_OWNER } from './model.ts';
import type { InstanceDraft } from './sections/vrrp-instance.ts';
import type { SystemView } from './system.ts';
import { scriptPathInsecureSync } from '../exec/script-security.ts';

/**
 * Runs where keepalived 2.2.7 stops after reading the file because an interface does not exist ("Non-existent
 * interface specified in configuration"): its later checks (instance completion, the VRRP process's script
 * security) never run, so vipd still reports what they would find but without a verdict.
 */
const stoppedAtBadInterface = new WeakSet<Diagnostics>();

/** Where the checks keepalived makes only after reading the whole file report to. */
function completionSink(d: Diagnostics): Diagnostics {
  return stoppedAtBadInterface.has(d) ? new Uncounted(d) : d;
}

export function completeInstances(drafts: InstanceDraft[], g: GlobalDefs, cfg: Config, sys: SystemView, d: Diagnostics): VrrpInstance[] {
  const ifaces = sys.interfaces();
  if (checkInterfacesExist(drafts, g, cfg, ifaces, d)) stoppedAtBadInterface.add(d);
  const dc = completionSink(d);
  const out: VrrpInstance[] = [];
  for (const x of drafts) {
    const inst = completeOne(x, g, cfg, ifaces, d, dc);
    if (inst) out.push(inst);
  }
  checkVridClashes(out, dc);
  return out;
}

/**
 * Every interface the file names must exist unless `dynamic_interfaces` (2.2.7: a config error where it is named,
 * then "Non-existent interface specified in configuration" and nothing more is checked). Returns whether one is missing.
 */
function checkInterfacesExist(drafts: InstanceDraft[], g: GlobalDefs, cfg: Config, ifaces: ReadonlySet<string> | null, d: Diagnostics): boolean {
  if (!ifaces || g.dynamicInterfaces) return false;
  let first: Position | null = null;
  const missing = (at: Position, kw: string, name: string, message: string, status?: 'fatal') => {
    first ??= at;
    d.error(at, kw, message, { expected: 'an existing interface', found: name, status });
  };
  for (const x of drafts) {
    const who = `(${x.name})`;
    if (x.interface && x.interface.v !== 'lo' && !ifaces.has(x.interface.v)) {
      first ??= x.interface.at;
      d.error(x.interface.at, 'interface', `${who} interface ${x.interface.v} does not exist`, { expected: `one of: ${[...ifaces].sort().join(', ')}`, found: x.interface.v });
    }
    if (x.vrf && !x.interface && !ifaces.has(x.vrf.v)) {
      first ??= x.vrf.at;
      d.error(x.vrf.at, 'vrf', `${who} VRF interface ${x.vrf.v} does not exist`, { expected: 'an existing VRF device', found: x.vrf.v });
    }
    for (const t of x.trackInterfaces) if (!ifaces.has(t.name)) missing(t.at, 'track_interface', t.name, `${who} tracked interface ${t.name} does not exist`);
    for (const v of [...x.vips, ...x.excludedVips]) if (v.dev && !ifaces.has(v.dev)) missing(v.at, 'dev', v.dev, `interface ${v.dev} for address ${v.addr} does not exist`);
    for (const rt of x.routes) if (rt.dev && !ifaces.has(rt.dev)) missing(rt.at, 'dev', rt.dev, `interface ${rt.dev} for route ${rt.dst} does not exist`);
    for (const ru of x.rules) for (const i of [ru.iif, ru.oif]) if (i && !ifaces.has(i)) missing(ru.at, 'virtual_rules', i, `interface ${i} for rule does not exist`);
  }
  for (const v of cfg.static.addresses) {
    if (v.dev) { if (!ifaces.has(v.dev)) missing(v.at, 'dev', v.dev, `interface ${v.dev} for static address ${v.addr} does not exist`); }
    else if (!ifaces.has(g.defaultInterface)) {
      missing(v.at, 'static_ipaddress', g.defaultInterface, `static address ${v.addr} needs 'dev IF' or an existing default_interface (${g.defaultInterface} does not exist)`, 'fatal');
    }
  }
  for (const rt of cfg.static.routes) if (rt.dev && !ifaces.has(rt.dev)) missing(rt.at, 'dev', rt.dev, `interface ${rt.dev} for static route ${rt.dst} does not exist`);
  for (const ru of cfg.static.rules) for (const i of [ru.iif, ru.oif]) if (i && !ifaces.has(i)) missing(ru.at, 'static_rules', i, `interface ${i} for static rule does not exist`);
  if (first === null) return false;
  d.note(first, '', 'a non-existent interface is named: keepalived 2.2.7 stops checking after reading the file, so the problems it would find later (instance completion, script security) are listed without changing the exit code');
  return true;
}

function completeOne(x: InstanceDraft, g: GlobalDefs, cfg: Config, ifaces: ReadonlySet<string> | null, d: Diagnostics, dc: Diagnostics): VrrpInstance | null {
  const who = `(${x.name})`;
  if (!x.vrid) {
    dc.error(x.at, 'virtual_router_id', `${who} the virtual router id must be set`, { expected: 'virtual_router_id 1..255', found: 'nothing' });
    return null;
  }
  const iface = x.interface?.v ?? null;
  if (x.interface && iface === 'lo') d.error(x.interface.at, 'interface', `${who} cannot use a loopback interface (lo) for vrrp`, { expected: 'a non-loopback interface', found: 'lo' });
  else if (x.interface && ifaces && !ifaces.has(x.interface.v) && g.dynamicInterfaces) {
    d.note(x.interface.at, 'interface', `${who} interface ${x.interface.v} does not exist yet (dynamic_interfaces)`);
  }
  const unicast = x.unicastPeers.length > 0;
  if (x.unicastKeyword && !unicast) {
    dc.warn(x.unicastKeyword, x.unicastKeyword === x.at ? 'unicast_peer' : 'unicast', `${who} a unicast keyword is used without any unicast peers; falling back to multicast (deprecated usage)`, { expected: 'unicast_peer { ADDR ... } with at least one peer', found: 'nothing' });
  }
  if (!iface && !(unicast && x.unicastSrcIp)) {
    dc.error(x.at, 'interface', `${who} no interface given`, { expected: 'interface IF (or unicast_src_ip with unicast peers)', found: 'nothing' });
  }

  // Family comes from the first VIP, else from the configured source address.
  const family: Family = x.vips[0]?.family ?? x.unicastSrcIp?.v.family ?? x.mcastSrcIp?.v.family ?? x.unicastPeers[0]?.family ?? 'inet';
  const vips = x.vips.filter((v) => {
    if (v.family === family) return true;
    d.error(v.at, 'virtual_ipaddress', `${who} address ${v.addr} is ${v.family === 'inet' ? 'IPv4' : 'IPv6'} but the instance is ${family === 'inet' ? 'IPv4' : 'IPv6'}; ignored (use virtual_ipaddress_excluded for the other family)`, { expected: family, found: v.addr });
    return false;
  });
  for (const p of x.unicastPeers) if (p.family !== family) d.error(p.at, 'unicast_peer', `${who} unicast peer ${p.addr} is not the instance's address family`, { expected: family, found: p.addr });

  const strict = x.bools.strict ?? g.strict;
  let explicitVersion = x.version ?? null;
  // 2.2.7 reads the family off the first address it meets; `version 2` after an IPv6 one is refused on the spot.
  if (explicitVersion?.v === 2 && familyBefore(x, explicitVersion.at) === 'inet6') {
    d.error(explicitVersion.at, 'version', `${who} version 2 conflicts with the IPv6 family of an address given before it; ignored (VRRPv2 is IPv4 only)`, { expected: 'version 3 with IPv6', found: '2' });
    explicitVersion = null;
  } else if (explicitVersion?.v === 2 && family === 'inet6' && strict) {
    dc.error(explicitVersion.at, 'version', `${who} IPv6 cannot use VRRP version 2 in strict mode; using version 3`, { expected: 'version 3 with IPv6', found: '2' });
  }
  let version: 2 | 3 = explicitVersion?.v ?? g.vrrpVersion;
  if (family === 'inet6' && version === 2) version = 3;

  // RFC 5798 §5.2.9: an IPv6 router's first address is its link-local one; strict mode enforces it (multicast only).
  const firstV6 = family === 'inet6' && !unicast ? vips[0] : undefined;
  if (firstV6 && !isLinkLocal6(firstV6.addr)) {
    if (strict) dc.error(firstV6.at, 'virtual_ipaddress', `${who} the first IPv6 VIP must be link-local in strict mode (RFC 5798 5.2.9)`, { expected: 'an fe80::/10 address listed first', found: firstV6.addr });
    else dc.add({ file: firstV6.at.file, line: firstV6.at.line, col: firstV6.at.col, severity: 'warning', status: null, keyword: 'virtual_ipaddress', message: `${who} the first IPv6 VIP should be link-local (RFC 5798 5.2.9); keepalived only logs this outside strict mode`, expected: 'an fe80::/10 address listed first', found: firstV6.addr });
  }

  if (x.vrf) {
    if (x.interface) d.error(x.vrf.at, 'vrf', `${who} vrf can only be given without interface; vrf ignored`, { expected: 'either vrf or interface', found: x.vrf.v });
    else if (ifaces && !ifaces.has(x.vrf.v) && !g.dynamicInterfaces) { /* reported with the other missing interfaces */ }
    else d.error(x.vrf.at, 'vrf', `${who} vipd does not run instances bound to a VRF (keepalived 2.2.7 accepts this only when ${x.vrf.v} is a VRF device); give the instance an interface`, { expected: 'interface IF', found: `vrf ${x.vrf.v}` });
  }

  let vmac = x.useVmac ?? null;
  if (x.vmacXmitBaseAt) {
    if (!x.useVmacAt) dc.error(x.vmacXmitBaseAt, 'vmac_xmit_base', `${who} vmac_xmit_base is only valid together with use_vmac; ignored`, { expected: 'use_vmac', found: 'vmac_xmit_base without use_vmac' });
    else if (strict) {
      dc.error(x.vmacXmitBaseAt, 'vmac_xmit_base', `${who} vmac_xmit_base is incompatible with strict mode; resetting`, { expected: 'no vmac_xmit_base in strict mode', found: 'vmac_xmit_base with strict mode' });
      vmac = vmac && { ...vmac, xmitBase: false };
    }
  }

  let priority = x.priority?.v ?? (x.state?.v === 'MASTER' ? VRRP_PRIO_OWNER : VRRP_PRIO_DFL);
  let state: 'MASTER' | 'BACKUP' = x.state?.v ?? (priority === VRRP_PRIO_OWNER ? 'MASTER' : 'BACKUP');
  if (strict && state === 'MASTER' && priority !== VRRP_PRIO_OWNER) {
    dc.error(x.state!.at, 'state', `${who} state MASTER must match being the address owner in strict mode; using BACKUP`, { expected: 'priority 255 with state MASTER', found: String(priority) });
    state = 'BACKUP';
  }

  let preempt = !x.nopreempt;
  if (x.nopreempt && (priority === VRRP_PRIO_OWNER || state === 'MASTER')) {
    dc.error(x.nopreempt, 'nopreempt', `${who} nopreempt is incompatible with ${priority === VRRP_PRIO_OWNER ? 'priority 255' : 'state MASTER'}; resetting nopreempt`, { expected: 'nopreempt only with a priority below 255 and state BACKUP', found: priority === VRRP_PRIO_OWNER ? 'priority 255' : 'state MASTER' });
    preempt = true;
  }
  let preemptDelayUs = x.preemptDelayUs?.v ?? 0;
  if (preemptDelayUs && strict) {
    dc.error(x.preemptDelayUs!.at, 'preempt_delay', `${who} preempt_delay is incompatible with strict mode; resetting`, { expected: 'no preempt_delay in strict mode', found: 'preempt_delay with strict mode' });
    preemptDelayUs = 0;
  } else if (preemptDelayUs && !preempt) {
    dc.error(x.preemptDelayUs!.at, 'preempt_delay', `${who} preempt_delay is incompatible with nopreempt; resetting`, { expected: 'preempt_delay only without nopreempt', found: 'preempt_delay with nopreempt' });
    preemptDelayUs = 0;
  }

  let advertIntUs = 1_000_000;
  if (x.advertInt) {
    const secs = x.advertInt.v;
    if (version === 2) {
      const rounded = Math.max(1, Math.round(secs));
      if (rounded !== secs) dc.warn(x.advertInt.at, 'advert_int', `${who} VRRPv2 advertisement interval ${secs}s must be an integer; rounding to ${rounded}s (use version 3 for sub-second intervals)`, { expected: 'whole seconds for VRRPv2', found: String(secs) });
      advertIntUs = rounded * 1_000_000;
    } else {
      const cs = Math.round(secs * 100);
      if (cs > 4095) {
        dc.error(x.advertInt.at, 'advert_int', `${who} VRRPv3 advertisement interval ${secs}s is above 40.95s; using 40.95s`, { expected: '0.01..40.95', found: String(secs) });
      }
      advertIntUs = Math.min(4095, Math.max(1, cs)) * 10_000;
    }
  }

  let auth = x.auth?.v ?? null;
  if (auth && strict) {
    dc.error(x.auth!.at, 'authentication', `${who} strict mode does not support authentication; ignoring it`, { expected: 'no authentication block in strict mode', found: `authentication (auth_type ${auth.type}) with strict mode` });
    auth = null;
  } else if (auth && version === 3) {
    dc.error(x.auth!.at, 'authentication', `${who} VRRPv3 has no authentication; ignoring it`, { expected: 'no authentication block with VRRPv3', found: `authentication (auth_type ${auth.type}) with version 3` });
    auth = null;
  } else if (auth && auth.type === 'AH' && family === 'inet6') {
    dc.error(x.auth!.at, 'authentication', `${who} AH authentication is not supported for IPv6; ignoring it`, { expected: 'auth_type PASS or no authentication for IPv6', found: 'auth_type AH' });
    auth = null;
  } else if (auth && x.authEmpty) {
    auth = null;
  }
  if (auth && auth.type === 'AH' && state === 'MASTER' && priority !== VRRP_PRIO_OWNER) {
    dc.error(x.auth!.at, 'auth_type', `${who} initial state MASTER is incompatible with AH authentication; using BACKUP`, { expected: 'state BACKUP (or priority 255) with auth_type AH', found: 'state MASTER' });
    state = 'BACKUP';
  }

  let accept = x.accept?.v ?? (strict ? priority === VRRP_PRIO_OWNER : true);
  if (x.accept?.v && strict && version === 2) {
    dc.error(x.accept.at, 'accept', `${who} accept mode for VRRPv2 does not comply with RFC 3768 in strict mode; resetting`, { expected: 'no accept with VRRPv2 in strict mode (or version 3)', found: 'accept' });
    accept = priority === VRRP_PRIO_OWNER;
  }

  const noVip = x.bools.noVirtualIpaddress ?? false;
  if (vips.length === 0 && !noVip) {
    if (version === 3 || strict) dc.error(x.vipsAt ?? x.at, 'virtual_ipaddress', `${who} no VIP specified; at least one is required for VRRPv3 or strict mode`, { expected: 'virtual_ipaddress { ADDR }', found: 'nothing' });
    else dc.warn(x.vipsAt ?? x.at, 'virtual_ipaddress', `${who} no VIP specified; at least one is sensible`, { expected: 'virtual_ipaddress { ADDR }', found: 'nothing' });
  } else if (noVip && strict) {
    dc.error(x.at, 'no_virtual_ipaddress', `${who} no_virtual_ipaddress is not allowed in strict mode`, { expected: 'virtual_ipaddress { ADDR } in strict mode', found: 'no_virtual_ipaddress' });
  }

  let downTimerAdverts = x.downTimerAdverts?.v ?? g.downTimerAdverts;
  if (strict) downTimerAdverts = 3;

  const garp = { ...x.garpBase, ...x.garp };
  if (strict) { garp.lowerPrioDelayUs = 0; garp.lowerPrioRepeat = 0; }

  for (const rt of x.routes) {
    if (!rt.dev && !rt.noTrack) dc.warn(rt.at, 'virtual_routes', `cannot track route ${rt.dst} with no interface specified; not tracking (add 'dev IF' or 'no_track')`, { expected: "'dev IF' or 'no_track'", found: rt.dst });
  }
  for (const ru of x.rules) {
    if (ru.priority === null) dc.warn(ru.at, 'virtual_rules', 'rule has no preference specified; the kernel picks one, which is probably not what you want', { expected: 'priority N', found: 'nothing' });
  }

  const refCheck = <T extends { name: string; at: Position }>(list: T[], have: { name: string }[], kw: string): T[] =>
    list.filter((t) => {
      if (have.some((h) => h.name === t.name)) return true;
      d.error(t.at, kw, `${who} ${kw.replace('_', ' ')} ${t.name} not found; ignoring`, { expected: `a defined ${kw === 'track_script' ? 'vrrp_script' : kw === 'track_file' ? 'track_file' : 'vrrp_track_process'}`, found: t.name });
      return false;
    });

  const excluded = [...x.excludedVips];
  // One advert carries at most 255 addresses; keepalived moves the rest to the excluded list.
  const maxVips = family === 'inet' ? 255 : 89;
  const advertised = vips.slice(0, maxVips);
  if (vips.length > maxVips) {
    dc.error(vips[maxVips].at, 'virtual_ipaddress', `${who} more VIPs than fit in one advert (${maxVips}); the rest are configured but not advertised`, { expected: `at most ${maxVips} addresses`, found: `${vips.length} addresses` });
    excluded.push(...vips.slice(maxVips));
  }
  const pick = (v: boolean | undefined, dflt: boolean) => v ?? dflt;
  return {
    at: x.at, name: x.name, initialState: state, interface: iface, family, version, vrid: x.vrid.v, priority,
    advertIntUs, preempt, preemptDelayUs, downTimerAdverts,
    v3ChecksumAsV2: pick(x.bools.v3ChecksumAsV2, g.v3ChecksumAsV2),
    unicastPeers: x.unicastPeers.filter((p) => p.family === family),
    unicastSrcIp: x.unicastSrcIp?.v.addr ?? null,
    mcastSrcIp: x.mcastSrcIp?.v.addr ?? null,
    mcastGroup: x.mcastDstIp?.v.addr ?? (family === 'inet' ? g.mcastGroup4 : g.mcastGroup6),
    unicastTtl: x.unicastTtl ?? null,
    checkUnicastSrc: pick(x.bools.checkUnicastSrc, g.checkUnicastSrc) || x.unicastPeers.some((p) => p.minTtl !== 0 || p.maxTtl !== 255),
    lowerPrioNoAdvert: strict || pick(x.bools.lowerPrioNoAdvert, g.lowerPrioNoAdvert),
    higherPrioSendAdvert: !strict && pick(x.bools.higherPrioSendAdvert, g.higherPrioSendAdvert),
    ownerIgnoreAdverts: strict || pick(x.bools.ownerIgnoreAdverts, g.ownerIgnoreAdverts),
    skipCheckAdvAddr: pick(x.bools.skipCheckAdvAddr, g.skipCheckAdvAddr),
    strict, accept, auth, garp, vips: advertised, excludedVips: excluded, routes: x.routes, rules: x.rules,
    trackInterfaces: x.trackInterfaces,
    trackScripts: refCheck(x.trackScripts, cfg.scripts, 'track_script'),
    trackFiles: refCheck(x.trackFiles, cfg.trackFiles, 'track_file'),
    trackProcesses: refCheck(x.trackProcesses, cfg.trackProcesses, 'track_process'),
    trackBfd: x.trackBfd,
    dontTrackPrimary: x.bools.dontTrackPrimary ?? false,
    notify: x.notify,
    notifyPriorityChanges: x.bools.notifyPriorityChanges ?? false,
    smtpAlert: x.bools.smtpAlert ?? null,
    useVmac: vmac,
    promoteSecondaries: x.bools.promoteSecondaries ?? false,
    trackSrcIp: x.bools.trackSrcIp ?? false,
    noVirtualIpaddress: noVip,
    syncGroup: null,
    debug: x.debug,
  };
}

/** The family of the instance's first address (VIP, unicast peer, unicast/mcast source) if it comes before `at` in the same file. */
function familyBefore(x: InstanceDraft, at: Position): Family | null {
  const sources: { at: Position; family: Family }[] = [];
  if (x.vips[0]) sources.push(x.vips[0]);
  if (x.unicastPeers[0]) sources.push(x.unicastPeers[0]);
  if (x.unicastSrcIp) sources.push({ at: x.unicastSrcIp.at, family: x.unicastSrcIp.v.family });
  if (x.mcastSrcIp) sources.push({ at: x.mcastSrcIp.at, family: x.mcastSrcIp.v.family });
  const before = sources
    .filter((src) => src.at.file === at.file && (src.at.line < at.line || (src.at.line === at.line && src.at.col < at.col)))
    .sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
  return before[0]?.family ?? null;
}

function isLinkLocal6(addr: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(addr);
}

/** Two instances on one socket (interface + family + group, or unicast source + overlapping peers) with one VRID. */
function checkVridClashes(list: VrrpInstance[], d: Diagnostics): void {
  const seen = new Map<string, VrrpInstance[]>();
  for (const i of list) {
    const key = `${i.interface ?? ''}|${i.family}|${i.vrid}`;
    const prior = seen.get(key) ?? [];
    for (const p of prior) {
      const uA = i.unicastPeers.length > 0;
      const uB = p.unicastPeers.length > 0;
      if (uA !== uB) continue;
      if (uA) {
        if ((i.unicastSrcIp ?? '') !== (p.unicastSrcIp ?? '')) continue;
        const overlap = i.unicastPeers.some((a) => p.unicastPeers.some((b) => a.addr === b.addr));
        if (!overlap) continue;
      } else if (i.mcastGroup !== p.mcastGroup) continue;
      d.error(i.at, 'virtual_router_id', `${p.name} and ${i.name} both use VRID ${i.vrid} with ${i.family === 'inet' ? 'IPv4' : 'IPv6'} on interface ${i.interface ?? '(none)'}`, { expected: 'a VRID unique on this interface and family', found: String(i.vrid) });
    }
    prior.push(i);
    seen.set(key, prior);
  }
}

export function completeSyncGroups(groups: SyncGroup[], instances: VrrpInstance[], diags: Diagnostics): SyncGroup[] {
  const d = completionSink(diags);
  const out: SyncGroup[] = [];
  for (const g of groups) {
    const members = g.members.filter((m) => {
      const inst = instances.find((i) => i.name === m);
      if (!inst) { d.error(g.at, 'group', `virtual router ${m} in sync group ${g.name} does not exist`, { expected: 'the name of a vrrp_instance', found: m }); return false; }
      if (inst.syncGroup) { d.error(g.at, 'group', `virtual router ${m} cannot be in sync group ${g.name}: already in ${inst.syncGroup}`, { expected: 'an instance in no other sync group', found: m }); return false; }
      inst.syncGroup = g.name;
      return true;
    });
    if (members.length === 0) { d.error(g.at, 'vrrp_sync_group', `sync group ${g.name} has no virtual routers; removed`, { expected: 'group { INSTANCE ... }', found: 'nothing' }); continue; }
    if (members.length === 1) d.warn(g.at, 'vrrp_sync_group', `sync group ${g.name} has only 1 virtual router; this probably is not what you want`, { expected: 'at least 2 virtual routers in group { ... }', found: members[0] });
    out.push({ ...g, members });
  }
  return out;
}

/**
 * Where a script's argv[0] leads, as 2.2.7 decides: `<PATH` (a shell redirection, e.g. `</dev/tcp/HOST/PORT`) is
 * run by /bin/sh and is found when bash would open it; otherwise the resolved file. `counts`: keepalived treats it
 * as a script it executes (a regular file or a directory), which needs enable_script_security.
 */
function scriptTarget(sys: SystemView, argv0: string): { counts: boolean } | null {
  if (argv0.startsWith('<')) {
    const p = argv0.slice(1);
    return /^\/dev\/(tcp|udp)\//.test(p) || sys.resolveExecutable(p) !== null ? { counts: false } : null;
  }
  const r = sys.resolveExecutable(argv0);
  if (r === null) return null;
  return { counts: (sys.pathKind?.(r) ?? 'file') !== 'other' };
}

/** Scripts of global_defs that keepalived runs itself; vipd keeps them only for this check. */
interface GlobalScripts {
  startup: ScriptCommand | null;
  shutdown: ScriptCommand | null;
  notifyFifo: ScriptCommand | null;
  vrrpNotifyFifo: ScriptCommand | null;
}

const GLOBAL_SCRIPT_KEYWORDS: Record<keyof GlobalScripts, string> = {
  startup: 'startup_script', shutdown: 'shutdown_script', notifyFifo: 'notify_fifo_script', vrrpNotifyFifo: 'vrrp_notify_fifo_script',
};

/**
 * The global scripts, from the model when global_defs keeps them (`scripts`), else from the words it kept as
 * accepted-only (`other`), placed at the keyword's "not implemented" note.
 */
function globalScripts(g: GlobalDefs, d: Diagnostics): GlobalScripts {
  const kept = (g as GlobalDefs & { scripts?: GlobalScripts }).scripts;
  if (kept) return kept;
  const pick = (kw: string): ScriptCommand | null => {
    const text = g.other[kw]?.[0];
    const note = d.list.find((n) => n.keyword === kw);
    const argv = text?.split(/\s+/).filter(Boolean) ?? [];
    if (argv.length === 0 || !note) return null;
    return { at: { file: note.file, line: note.line, col: note.col }, argv, user: null, group: null };
  };
  return { startup: pick('startup_script'), shutdown: pick('shutdown_script'), notifyFifo: pick('notify_fifo_script'), vrrpNotifyFifo: pick('vrrp_notify_fifo_script') };
}

interface Candidate {
  cmd: ScriptCommand;
  /** The user named with the script itself, null for the default (script_user, else keepalived_script). */
  user: string | null;
  /** 'parent': startup/shutdown, run by keepalived's parent process, which checks them before the VRRP process starts. */
  kind: 'track' | 'notify' | 'parent';
  name: string;
}

/**
 * 2.2.7 (measured with -t):
 * - a vrrp_script whose command is not found is disabled with a config error, used or not; other scripts that are
 *   not found are fine;
 * - without enable_script_security, any script that exists (a file or a directory) makes -t exit 6: startup_script
 *   and shutdown_script are checked by the parent process before anything else, the rest (vrrp_script, notify,
 *   notify_fifo_script, vrrp_notify_fifo_script) by the VRRP process after the instances are completed;
 * - a script without its own user runs as script_user, else keepalived_script: with enable_script_security a
 *   missing keepalived_script is a config error for each such script; a script_user that does not exist drops them,
 *   and so does a user named with the script that does not exist (an error except for notify scripts);
 * - with enable_script_security a vrrp_script running as root whose path a non-root user could change is disabled
 *   ("due to insecure", a config error); other insecure scripts are only refused, without a verdict;
 */
export function checkScriptSecurity(cfg: Config, scriptsAll: VrrpScript[], sys: SystemView, d: Diagnostics): void {
  const dc = completionSink(d);
  const g = cfg.global;
  const cands: Candidate[] = [];
  for (const s of scriptsAll) {
    if (!s.script) continue;
    cands.push({ cmd: s.script, user: s.runAs?.user ?? null, kind: 'track', name: `vrrp_script ${s.name}` });
    if (scriptTarget(sys, s.script.argv[0]) === null) {
      // A warning (-t exits 5 either way): keepalived runs on with the script disabled, and so does a reload here.
      dc.warn(s.script.at, 'script', `disabling track script ${s.name}: '${s.script.argv[0]}' is not found or not accessible`, { expected: 'an existing executable (a bare name is searched in PATH)', found: s.script.argv[0] });
    }
  }
  const isCommand = (c: unknown): c is ScriptCommand => typeof c === 'object' && c !== null && Array.isArray((c as ScriptCommand).argv);
  for (const n of [...cfg.instances.map((i) => i.notify), ...cfg.syncGroups.map((sg) => sg.notify)]) {
    for (const c of Object.values(n)) if (isCommand(c)) cands.push({ cmd: c, user: c.user, kind: 'notify', name: 'notify script' });
  }
  const gs = globalScripts(g, d);
  for (const k of Object.keys(GLOBAL_SCRIPT_KEYWORDS) as (keyof GlobalScripts)[]) {
    const c = gs[k];
    if (c) cands.push({ cmd: c, user: c.user, kind: k === 'startup' || k === 'shutdown' ? 'parent' : 'notify', name: GLOBAL_SCRIPT_KEYWORDS[k] });
  }
  if (cands.length === 0) return;

  // A script left without a user to run as is dropped, and no longer counts below: its own user must exist (a
  // config error for vrrp_script, reported where it is read, and for start/shutdown scripts; silent for notify
  // scripts), else script_user must.
  const scriptUserMissing = g.scriptUser !== null && !sys.userExists(g.scriptUser.user);
  const kept = cands.filter((c) => {
    if (c.user !== null) {
      if (sys.userExists(c.user)) return true;
      if (c.kind === 'parent') d.error(c.cmd.at, c.name, `invalid ${c.name}: user ${c.user} does not exist`, { expected: 'an existing user', found: c.user });
      return false;
    }
    if (!scriptUserMissing) return true;
    if (c.kind === 'track') d.error(c.cmd.at, 'script', `unable to set the default user ${g.scriptUser!.user} for ${c.name}; the script is removed`, { expected: 'an existing script_user', found: g.scriptUser!.user });
    return false;
  });

  if (g.enableScriptSecurity) {
    const user = g.scriptUser?.user ?? 'keepalived_script';
    if (!g.scriptUser && !sys.userExists(user)) {
      for (const c of kept) {
        if (c.user === null) d.error(c.cmd.at, 'script', `unable to set default user ${user} for script (create the user or set global_defs script_user)`, { expected: `an existing user '${user}'`, found: `no user ${user}` });
      }
    }
    // Only a script that runs with root powers gets its path checked; only a vrrp_script refused that way is an error.
    const unsafe = pathInsecure(sys);
    for (const c of kept) {
      if (c.kind !== 'track' || (c.user ?? g.scriptUser?.user) !== 'root') continue;
      const resolved = sys.resolveExecutable(c.cmd.argv[0]);
      if (resolved !== null && unsafe(resolved)) {
        dc.warn(c.cmd.at, 'script', `disabling track script ${c.name.replace('vrrp_script ', '')}: it runs as root and its path can be changed by a non-root user`, { expected: 'a script whose file and directories only root can change', found: resolved });
      }
    }
    return;
  }
  const violation = (list: Candidate[], sink: Diagnostics, what: string) => {
    const runnable = list.filter((c) => scriptTarget(sys, c.cmd.argv[0])?.counts);
    if (runnable.length === 0) return;
    const unsafe = pathInsecure(sys);
    const insecure = runnable.some((c) => {
      const r = sys.resolveExecutable(c.cmd.argv[0]);
      return r !== null && unsafe(r);
    });
    sink.error(runnable[0].cmd.at, 'script', `SECURITY VIOLATION - ${what} are being executed but script_security not enabled${insecure ? ', and some are insecure' : ''} (add enable_script_security to global_defs)`, { expected: 'enable_script_security in global_defs', found: runnable[0].cmd.argv.join(' '), status: 'security' });
  };
  violation(kept.filter((c) => c.kind === 'parent'), d, 'start/shutdown scripts');
  violation(kept.filter((c) => c.kind !== 'parent'), dc, 'scripts');
}

/** How a resolved script path is judged: the view's own check, else the file system when the view reads it (pathKind). */
function pathInsecure(sys: SystemView): (path: string) => boolean {
  const own = (sys as SystemView & { scriptPathInsecure?(path: string): boolean }).scriptPathInsecure;
  if (own) return (p) => own.call(sys, p);
  return sys.pathKind ? scriptPathInsecureSync : () => false;
}
