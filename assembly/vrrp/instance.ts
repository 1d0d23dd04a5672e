// One virtual router (one VRID on one socket): its configuration, protocol state, timers and counters.
// Objects are made by configure() (the cold path); the packet and timer paths only change their fields.
import { N_STATS, STATE_INIT } from '../abi';
import { NEVER } from '../time';

export class Instance {
  handle: i32 = 0;
  sock: i32 = 0;
  version: i32 = 2;
  family: i32 = 4;
  vrid: i32 = 0;
  alen: i32 = 4;                 // address size on the wire: 4 or 16

  // configuration
  basePriority: i32 = 100;
  adverIntUs: i64 = 1000000;     // own Advertisement_Interval, rounded as the version requires
  adverIntWire: i32 = 1;         // the same in the advert's unit: v2 seconds, v3 centiseconds
  flags: u32 = 0;
  preemptDelayUs: i64 = 0;
  downAdverts: i32 = 3;
  garpRepeat: i32 = 5;
  garpLowerRepeat: i32 = 5;
  garpRefreshRepeat: i32 = 1;
  garpDelayUs: i64 = 5000000;
  garpLowerDelayUs: i64 = 5000000;
  garpRefreshUs: i64 = 0;
  authType: i32 = 0;
  authPass: StaticArray<u8> = new StaticArray<u8>(8);
  // AH (authType 2): the HMAC key's prepared inner and outer MD5 states, and the TTL of the IPv4 header we write
  ahInner: StaticArray<u8> = new StaticArray<u8>(16);
  ahOuter: StaticArray<u8> = new StaticArray<u8>(16);
  txTtl: i32 = 255;
  src: StaticArray<u8> = new StaticArray<u8>(16);
  group: StaticArray<u8> = new StaticArray<u8>(16);
  naddr: i32 = 0;
  addrs: StaticArray<u8> = new StaticArray<u8>(0);     // naddr x alen, wire order
  npeers: i32 = 0;
  peers: StaticArray<u8> = new StaticArray<u8>(0);     // npeers x 16
  peerMinTtl: StaticArray<u8> = new StaticArray<u8>(0);
  peerMaxTtl: StaticArray<u8> = new StaticArray<u8>(0);

  // protocol state
  state: i32 = STATE_INIT;
  effPriority: i32 = 100;
  trackDelta: i32 = 0;
  fault: bool = false;           // held by the host (interface down, tracker at weight 0, ...)
  started: bool = false;
  masterAdverIntUs: i64 = 1000000; // Master_Adver_Interval: learned from the master in v3
  masterPriority: i32 = -1;      // last accepted master's priority, -1 when none
  masterAddr: StaticArray<u8> = new StaticArray<u8>(16);
  preemptAt: i64 = NEVER;        // preempt_delay: lower adverts are accepted until then
  heardAdvert: bool = false;     // a valid advert arrived since start(): a later takeover is a failover, not a start
  // AH: keepalived's one sequence counter serves both ways: the last number accepted or sent. ahCycle: it reached
  // the top and stopped (reset on becoming master). ipId: the IPv4 ID of the last advert, never 0.
  ahSeq: u32 = 0;
  ahCycle: bool = false;
  ipId: i32 = 0;

  // timers (µs deadlines, NEVER when off); `next` is their minimum and keys the engine's heap
  tAdver: i64 = NEVER;           // MASTER: next advert
  tMasterDown: i64 = NEVER;      // BACKUP: Master_Down_Timer
  tGarp: i64 = NEVER;            // MASTER: second GARP burst after garp_master_delay
  tRefresh: i64 = NEVER;         // MASTER: garp_master_refresh
  tLowerGarp: i64 = NEVER;       // MASTER: second burst after a lower-priority advert
  tPreempt: i64 = NEVER;         // BACKUP, fast preemption: preempt_delay ends while a lower master is followed
  tClaim: i64 = NEVER;           // BACKUP claiming (F_STARTUP_CLAIM): becomes MASTER then, unless a better advert came
  claimWhy: i32 = 0;             // the WHY_* the claim's MASTER transition will carry
  next: i64 = NEVER;
  heapPos: i32 = -1;

  stats: StaticArray<i64> = new StaticArray<i64>(N_STATS);

  // vrrp_sync_group: id + 1 (0: none), every member including this one, and whether this member's own timer
  // has run out (it wants MASTER but waits for the others).
  syncGroup: i32 = 0;
  members: StaticArray<Instance> | null = null;
  wantsMaster: bool = false;

  // @ts-ignore: decorator
  @inline has(f: u32): bool { return (this.flags & f) != 0; }

  recomputeNext(): void {
    let n = this.tAdver;
    if (this.tMasterDown < n) n = this.tMasterDown;
    if (this.tGarp < n) n = this.tGarp;
    if (this.tRefresh < n) n = this.tRefresh;
    if (this.tLowerGarp < n) n = this.tLowerGarp;
    if (this.tClaim < n) n = this.tClaim;
    if (this.tPreempt < n) n = this.tPreempt;
    this.next = n;
  }

  stopTimers(): void {
    this.tAdver = NEVER;
    this.tMasterDown = NEVER;
    this.tGarp = NEVER;
    this.tRefresh = NEVER;
    this.tLowerGarp = NEVER;
    this.tClaim = NEVER;
    this.tPreempt = NEVER;
  }

  // @ts-ignore: decorator
  @inline count(i: i32): void { unchecked(this.stats[i]++); }
}
