// The one typed model of a keepalived.conf. Times are µs (keepalived's TIMER_HZ). Everything the VRRP engine
// needs is resolved here: defaults applied, global defaults copied in, strict-mode resets done.
import type { Position } from './diagnostics.ts';

export type Family = 'inet' | 'inet6';

export interface VipSpec {
  at: Position;
  family: Family;
  addr: string;
  prefix: number;
  /** `brd ADDR`, or '+' / '-' to set / clear the host bits. */
  brd: string | null;
  dev: string | null;
  scope: 'global' | 'site' | 'link' | 'host' | 'nowhere' | null;
  label: string | null;
  peer: string | null;
  noTrack: boolean;
  /** Seconds; 'forever'; null = kernel default (keepalived sets 0 for a /128 IPv6 VIP). */
  preferredLft: number | 'forever' | null;
  /** home, -nodad, mngtmpaddr, noprefixroute, autojoin, use_vmac. */
  flags: string[];
  /** static_* only: the track_group whose instances go to FAULT if this entry is lost. */
  trackGroup?: string;
}

/** `ip route`-style entry; the common fields are typed, the rest kept as written. */
export interface RouteSpec {
  at: Position;
  family: Family;
  /** 'unicast' unless blackhole/unreachable/prohibit/throw... */
  type: string;
  dst: string;
  src: string | null;
  via: string | null;
  dev: string | null;
  table: string | null;
  metric: number | null;
  scope: string | null;
  noTrack: boolean;
  words: string[];
  trackGroup?: string;
  /** `default` with neither `via` nor `src`: the family is the instance's (dst then 0.0.0.0/0 or ::/0). */
  familyFromInstance?: boolean;
  onlink?: boolean;
  tos?: number;
  /** RTA_FLOW: (from realm << 16) | to realm. */
  realms?: number;
  /** RTA_METRICS by iproute2 name (mtu, advmss, hoplimit, window, ...); `lock`ed ones are listed in `locked`. */
  metrics?: Record<string, number>;
  locked?: string[];
  congctl?: string;
  /** IPv6 only: source prefix (`from`), router preference (`pref`: 0 medium, 1 high, 3 low), `expires` seconds. */
  from?: string;
  pref?: number;
  expires?: number;
  /** Why vipd will not install this entry at all: a word it cannot install yet, or an error in the line. */
  skip?: string;
}

export interface RuleSpec {
  at: Position;
  family: Family | null;
  from: string | null;
  to: string | null;
  table: string | null;
  priority: number | null;
  iif: string | null;
  oif: string | null;
  fwmark: string | null;
  /** table (also with l3mdev), goto, nop, blackhole, unreachable, prohibit. */
  action: string | null;
  noTrack: boolean;
  words: string[];
  trackGroup?: string;
  not?: boolean;
  tos?: number;
  goto?: number;
  l3mdev?: boolean;
  uidrange?: [number, number];
  sport?: [number, number];
  dport?: [number, number];
  ipproto?: number;
  suppressPrefixlength?: number;
  suppressIfgroup?: number;
  /** FRA_FLOW: (from realm << 16) | to realm. */
  realms?: number;
  /** Why vipd will not install this entry at all: a word it cannot install yet, or an error in the line. */
  skip?: string;
}

/** `track_group NAME { group { INSTANCE... } }`: instances that go to FAULT when a static entry naming it is lost. */
export interface TrackGroup {
  at: Position;
  name: string;
  members: string[];
}

export interface ScriptCommand {
  at: Position;
  /** argv as keepalived splits it (quotes respected). */
  argv: string[];
  user: string | null;
  group: string | null;
}

export interface TrackRef {
  at: Position;
  name: string;
  /** null: use the tracked object's own weight. */
  weight: number | null;
  reverse: boolean;
}

export interface TrackInterface {
  at: Position;
  name: string;
  weight: number;
  reverse: boolean;
}

export interface UnicastPeer {
  at: Position;
  family: Family;
  addr: string;
  minTtl: number;
  maxTtl: number;
}

export type Auth =
  | { type: 'PASS'; /** exactly 8 bytes, zero padded */ pass: Uint8Array }
  | { type: 'AH'; pass: Uint8Array };

export interface GarpSettings {
  masterDelayUs: number;
  masterRepeat: number;
  masterRefreshUs: number;
  masterRefreshRepeat: number;
  lowerPrioDelayUs: number;
  lowerPrioRepeat: number;
  /** Pacing per interface (0 = none). */
  intervalUs: number;
  gnaIntervalUs: number;
}

export interface Notify {
  master: ScriptCommand | null;
  backup: ScriptCommand | null;
  fault: ScriptCommand | null;
  stop: ScriptCommand | null;
  deleted: ScriptCommand | null;
  /**
   * A bare `notify_deleted` (no script): keepalived 2.2.7 then writes DELETED, not FAULT, to the notify fifo when
   * the instance is removed. Set only when written.
   */
  deletedToFifo?: boolean;
  masterRxLowerPri: ScriptCommand | null;
  generic: ScriptCommand | null;
}

export interface VrrpInstance {
  at: Position;
  name: string;
  /** The state asked for at startup. */
  initialState: 'MASTER' | 'BACKUP';
  interface: string | null;
  family: Family;
  version: 2 | 3;
  vrid: number;
  /** Base priority 1..255; 255 = address owner. */
  priority: number;
  advertIntUs: number;
  preempt: boolean;
  preemptDelayUs: number;
  downTimerAdverts: number;
  v3ChecksumAsV2: boolean;
  unicastPeers: UnicastPeer[];
  unicastSrcIp: string | null;
  mcastSrcIp: string | null;
  /** Multicast group (instance mcast_dst_ip or the global vrrp_mcast_group4/6). Unused with unicast peers. */
  mcastGroup: string;
  unicastTtl: number | null;
  checkUnicastSrc: boolean;
  lowerPrioNoAdvert: boolean;
  higherPrioSendAdvert: boolean;
  ownerIgnoreAdverts: boolean;
  skipCheckAdvAddr: boolean;
  strict: boolean;
  accept: boolean;
  auth: Auth | null;
  garp: GarpSettings;
  /** Advertised addresses (same family as the instance). */
  vips: VipSpec[];
  /** Configured but not advertised: virtual_ipaddress_excluded, plus overflow beyond one packet. */
  excludedVips: VipSpec[];
  routes: RouteSpec[];
  rules: RuleSpec[];
  trackInterfaces: TrackInterface[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  trackBfd: TrackRef[];
  dontTrackPrimary: boolean;
  notify: Notify;
  notifyPriorityChanges: boolean;
  smtpAlert: boolean | null;
  useVmac: { name: string | null; xmitBase: boolean } | null;
  promoteSecondaries: boolean;
  trackSrcIp: boolean;
  noVirtualIpaddress: boolean;
  syncGroup: string | null;
  debug: number;
}

export interface VrrpScript {
  at: Position;
  name: string;
  script: ScriptCommand | null;
  intervalUs: number;
  /** 0 = use interval. */
  timeoutUs: number;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  initFail: boolean;
  /** `user NAME [GROUP]`: parsed and checked (the user must exist), not applied by vipd. */
  runAs?: { user: string; group: string | null; at: Position };
}

export interface SyncGroup {
  at: Position;
  name: string;
  members: string[];
  trackInterfaces: TrackInterface[];
  trackScripts: TrackRef[];
  trackFiles: TrackRef[];
  trackProcesses: TrackRef[];
  notify: Notify;
  smtpAlert: boolean | null;
  notifyPriorityChanges: boolean;
  trackingWeight: boolean;
}

export interface TrackFile {
  at: Position;
  name: string;
  file: string | null;
  weight: number;
  reverse: boolean;
  initFile: { value: number; overwrite: boolean } | null;
}

export interface TrackProcess {
  at: Position;
  name: string;
  argv: string[];
  paramMatch: 'exact' | 'initial' | 'partial';
  weight: number;
  reverse: boolean;
  quorum: number;
  quorumMax: number;
  forkDelayUs: number;
  terminateDelayUs: number;
  fullCommand: boolean;
}

export interface GlobalDefs {
  routerId: string | null;
  notificationEmail: string[];
  notificationEmailFrom: string | null;
  smtpServer: string | null;
  smtpConnectTimeoutUs: number;
  mcastGroup4: string;
  mcastGroup6: string;
  vrrpVersion: 2 | 3;
  garp: GarpSettings;
  minGarp: boolean;
  downTimerAdverts: number;
  lowerPrioNoAdvert: boolean;
  higherPrioSendAdvert: boolean;
  ownerIgnoreAdverts: boolean;
  v3ChecksumAsV2: boolean;
  skipCheckAdvAddr: boolean;
  checkUnicastSrc: boolean;
  strict: boolean;
  scriptUser: { user: string; group: string | null } | null;
  enableScriptSecurity: boolean;
  defaultInterface: string;
  startupDelayUs: number;
  /** vrrp_priority, vrrp_rt_priority, vrrp_rlimit_rttime: how the daemon's event-loop thread is scheduled. */
  vrrpProcess: ProcessPriority;
  notifyFifo: string | null;
  vrrpNotifyFifo: string | null;
  dynamicInterfaces: boolean;
  /** Scripts keepalived runs itself (vipd does not run them): kept for the script-security verdict of -t. */
  scripts: GlobalScripts;
  /** Keywords seen that vipd accepts but does not act on (name → first position). */
  other: Record<string, string[]>;
}

/** startup_script, shutdown_script, notify_fifo_script, vrrp_notify_fifo_script (the first of each). */
export interface GlobalScripts {
  startup: ScriptCommand | null;
  shutdown: ScriptCommand | null;
  notifyFifo: ScriptCommand | null;
  vrrpNotifyFifo: ScriptCommand | null;
}

/** keepalived's per-process priority settings (only the VRRP process's apply to vipd). */
export interface ProcessPriority {
  /** vrrp_priority: nice -20..19. */
  nice: number | null;
  /** vrrp_rt_priority: SCHED_RR 1..99. */
  rtPriority: number | null;
  /** vrrp_rlimit_rttime: µs of CPU a realtime thread may use without blocking (keepalived's default 10 000). */
  rlimitRttimeUs: number | null;
}

/** A generic block, kept for the parts vipd does not run yet (LVS, BFD...). */
export interface RawBlock {
  at: Position;
  keyword: string;
  args: string[];
  children: RawBlock[];
}

export interface StaticConfig {
  addresses: VipSpec[];
  routes: RouteSpec[];
  rules: RuleSpec[];
}

export interface Config {
  /** The file given with -f. */
  file: string;
  global: GlobalDefs;
  instances: VrrpInstance[];
  scripts: VrrpScript[];
  syncGroups: SyncGroup[];
  trackFiles: TrackFile[];
  trackProcesses: TrackProcess[];
  static: StaticConfig;
  trackGroups: TrackGroup[];
  /** virtual_server / virtual_server_group / SSL / bfd_instance ... parsed structurally, not run. */
  lvs: RawBlock[];
}

export const VRRP_PRIO_OWNER = 255;
export const VRRP_PRIO_DFL = 100;

export function defaultGarp(): GarpSettings {
  return {
    masterDelayUs: 5_000_000,
    masterRepeat: 5,
    masterRefreshUs: 0,
    masterRefreshRepeat: 1,
    lowerPrioDelayUs: 5_000_000,
    lowerPrioRepeat: 5,
    intervalUs: 0,
    gnaIntervalUs: 0,
  };
}

export function defaultGlobal(): GlobalDefs {
  return {
    routerId: null,
    notificationEmail: [],
    notificationEmailFrom: null,
    smtpServer: null,
    smtpConnectTimeoutUs: 30_000_000,
    mcastGroup4: '224.0.0.18',
    mcastGroup6: 'ff02::12',
    vrrpVersion: 2,
    garp: defaultGarp(),
    minGarp: false,
    downTimerAdverts: 3,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    ownerIgnoreAdverts: false,
    v3ChecksumAsV2: false,
    skipCheckAdvAddr: false,
    checkUnicastSrc: false,
    strict: false,
    scriptUser: null,
    enableScriptSecurity: false,
    defaultInterface: 'eth0',
    startupDelayUs: 0,
    vrrpProcess: { nice: null, rtPriority: null, rlimitRttimeUs: null },
    notifyFifo: null,
    vrrpNotifyFifo: null,
    dynamicInterfaces: false,
    scripts: { startup: null, shutdown: null, notifyFifo: null, vrrpNotifyFifo: null },
    other: {},
  };
}

export function emptyNotify(): Notify {
  return { master: null, backup: null, fault: null, stop: null, deleted: null, masterRxLowerPri: null, generic: null };
}
