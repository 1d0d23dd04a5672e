// From the typed configuration and the interfaces as they are now, to what the daemon runs: the VRRP sockets
// (one per family + interface + group or unicast source, shared by VRID as keepalived does) and, per instance,
// the core's configuration. Pure: the interface view is passed in.
import type { Config, VrrpInstance } from '../config/index.ts';
import type { InstanceConfig } from '../core/wasm-core.ts';

export interface InterfaceView {
  index: number;
  name: string;
  mac: Uint8Array | undefined;
  up: boolean;
  running: boolean;
  /** IPv4 addresses in kernel order (the first is keepalived's "primary"). */
  ipv4: string[];
  /** The first IPv6 link-local address. */
  ipv6LinkLocal: string | null;
}

export type InterfaceLookup = (name: string) => InterfaceView | undefined;

export interface SocketPlan {
  id: number;
  key: string;
  family: 4 | 6;
  ifname: string;
  ifindex: number;
  /** Multicast: joins the group on the interface. Unicast: bound to `bindAddress`. */
  multicast: boolean;
  bindAddress: string | null;
  group: string;
  /** TTL / hop limit for what this socket sends (unicast_ttl, else 255). */
  ttl: number;
  /**
   * 112, or 51 for instances with `auth_type AH`: as keepalived's socket pool, AH instances share a socket of their
   * own, which sends the whole IPv4 packets the core builds (IP_HDRINCL).
   */
  proto: 112 | 51;
}

export interface InstancePlan {
  handle: number;
  name: string;
  model: VrrpInstance;
  socket: SocketPlan;
  core: InstanceConfig;
  ifname: string;
  ifindex: number;
  src: string;
}

export interface Plan {
  sockets: SocketPlan[];
  instances: InstancePlan[];
  /** Instances that cannot run (no interface, no source address): name and why. They are reported, not dropped. */
  problems: { name: string; why: string }[];
}

const fam = (f: 'inet' | 'inet6'): 4 | 6 => (f === 'inet' ? 4 : 6);

/**
 * Where vipd improves on keepalived 2.2.7 by default (docs/compat.md): fast preemption (a backup that may preempt
 * takes over on the first lower-priority advert, so a recovered or restarted higher-priority host is master again at
 * once instead of a Master_Down_Interval later), and a master that yields sends one last advert first (keepalived's
 * higher_prio_send_advert), so the winner hears a lower priority and re-announces with gratuitous ARP — after a
 * partition heals, clients no longer keep the loser's MAC; and the start-up claim (the first takeover after start
 * advertises a moment before it takes the VIPs, so hosts started together never both hold them).
 * `keepalivedCompat` turns all three off.
 */
export interface Policy {
  keepalivedCompat: boolean;
}

export function buildPlan(cfg: Config, lookup: InterfaceLookup, policy: Policy = { keepalivedCompat: false }): Plan {
  const sockets = new Map<string, SocketPlan>();
  const instances: InstancePlan[] = [];
  const problems: Plan['problems'] = [];
  const groups = new Map(cfg.syncGroups.map((g, k) => [g.name, k]));
  cfg.instances.forEach((m) => {
    const family = fam(m.family);
    const ifname = m.interface ?? cfg.global.defaultInterface;
    const itf = lookup(ifname);
    if (!itf) {
      problems.push({ name: m.name, why: `interface ${ifname} does not exist` });
      return;
    }
    const unicast = m.unicastPeers.length > 0;
    const src = (unicast ? m.unicastSrcIp : m.mcastSrcIp) ?? m.unicastSrcIp ?? m.mcastSrcIp
      ?? (family === 4 ? itf.ipv4[0] : itf.ipv6LinkLocal) ?? null;
    if (!src) {
      problems.push({ name: m.name, why: `interface ${ifname} has no ${family === 4 ? 'IPv4' : 'IPv6 link-local'} address to send from` });
      return;
    }
    const group = m.mcastGroup;
    const proto = m.auth?.type === 'AH' ? 51 : 112;
    const key = `${family}|${ifname}|${unicast ? `u:${src}` : `m:${group}`}${proto === 51 ? '|ah' : ''}`;
    let s = sockets.get(key);
    if (!s) {
      s = {
        id: sockets.size, key, family, ifname, ifindex: itf.index, multicast: !unicast,
        bindAddress: unicast ? src : null, group, ttl: unicast ? (m.unicastTtl ?? 255) : 255, proto,
      };
      sockets.set(key, s);
    }
    const handle = instances.length;
    const core = coreConfig(m, s, src, policy);
    const g = m.syncGroup === null ? undefined : groups.get(m.syncGroup);
    if (g !== undefined) core.syncGroup = g;
    instances.push({ handle, name: m.name, model: m, socket: s, core, ifname, ifindex: itf.index, src });
  });
  return { sockets: [...sockets.values()], instances, problems };
}

/** The configured auth_pass (8 zero-padded bytes) as the core's binding takes it. */
const authText = (pass: Uint8Array): string => Buffer.from(pass).toString('latin1').replace(/\0+$/, '');

export function coreConfig(m: VrrpInstance, s: SocketPlan, src: string, policy: Policy = { keepalivedCompat: false }): InstanceConfig {
  const improve = !policy.keepalivedCompat;
  return {
    socket: s.id,
    version: m.version,
    family: fam(m.family),
    vrid: m.vrid,
    priority: m.priority,
    advertIntUs: m.advertIntUs,
    src,
    group: m.mcastGroup,
    vips: m.vips.map((v) => v.addr),
    peers: m.unicastPeers.map((p) => ({ address: p.addr, minTtl: p.minTtl, maxTtl: p.maxTtl })),
    nopreempt: !m.preempt,
    preemptDelayUs: m.preemptDelayUs,
    downTimerAdverts: m.downTimerAdverts,
    v3ChecksumAsV2: m.v3ChecksumAsV2,
    checkUnicastSrc: m.checkUnicastSrc,
    lowerPrioNoAdvert: m.lowerPrioNoAdvert,
    higherPrioSendAdvert: m.higherPrioSendAdvert || (improve && !m.strict),
    fastPreempt: improve,
    startupClaim: improve,
    ahSeqSkip: improve,
    ownerIgnoreAdverts: m.ownerIgnoreAdverts,
    skipCheckAdvAddr: m.skipCheckAdvAddr,
    wantMaster: m.initialState === 'MASTER',
    authPass: m.auth?.type === 'PASS' ? authText(m.auth.pass) : undefined,
    authAh: m.auth?.type === 'AH' ? authText(m.auth.pass) : undefined,
    txTtl: s.ttl,
    garpMasterDelayUs: m.garp.masterDelayUs,
    garpMasterRepeat: m.garp.masterRepeat,
    garpMasterRefreshUs: m.garp.masterRefreshUs,
    garpMasterRefreshRepeat: m.garp.masterRefreshRepeat,
    garpLowerPrioDelayUs: m.garp.lowerPrioDelayUs,
    garpLowerPrioRepeat: m.garp.lowerPrioRepeat,
  };
}
