// The engine: the instance table, demultiplexing by (socket, VRID), the receive path, the timer queue and
// the drain of outputs. index.ts is its only caller.
import * as abi from './abi';
import * as out from './output';
import * as queue from './timer/queue';
import * as fsm from './vrrp/fsm';
import * as ip from './wire/ip';
import * as wire from './wire/advert';
import * as ah from './wire/ah';
import { CFG, INFO, OUT, RX, TX } from './regions';
import { NEVER, toHost } from './time';
import { Instance } from './vrrp/instance';
import { readConfig } from './vrrp/config';
import { masterDownUs } from './vrrp/timers';
import { check, matchChecksum } from './vrrp/validate';

let instances = new StaticArray<Instance | null>(0);
// (socket << 8 | VRID) -> handle + 1; 0 when free.
let demux = new StaticArray<i32>(0);
let live: i32 = 0;
let dueAt: i64 = 0;
let duePending = false;
const gstats = new StaticArray<i64>(abi.N_GSTATS);
// A spare instance for encodeScratch(): the packet tool encodes without touching the table.
let scratch: Instance | null = null;

// @ts-ignore: decorator
@inline function get(handle: i32): Instance | null {
  return handle >= 0 && handle < instances.length ? unchecked(instances[handle]) : null;
}

function lookup(sock: i32, vrid: i32): Instance | null {
  const k = (sock << 8) | vrid;
  if (k < 0 || k >= demux.length) return null;
  const h = unchecked(demux[k]);
  return h == 0 ? null : get(h - 1);
}

function growTables(handle: i32, sock: i32): void {
  if (handle >= instances.length) {
    let cap = instances.length < 16 ? 16 : instances.length;
    while (cap <= handle) cap <<= 1;
    const grown = new StaticArray<Instance | null>(cap);
    for (let k = 0; k < instances.length; k++) unchecked(grown[k] = instances[k]);
    instances = grown;
    fsm.reserveHandles(cap);
  }
  const need = (sock + 1) << 8;
  if (need > demux.length) {
    let cap = demux.length < 256 ? 256 : demux.length;
    while (cap < need) cap <<= 1;
    const grown = new StaticArray<i32>(cap);
    for (let k = 0; k < demux.length; k++) unchecked(grown[k] = demux[k]);
    demux = grown;
  }
}

/** Adds or reconfigures instance `handle` from CFG. A running instance keeps its state and counters. */
export function configure(handle: i32, len: i32): i32 {
  if (handle < 0 || handle >= (1 << 20)) return abi.CFG_BAD_HANDLE;
  const existing = get(handle);
  const i = existing ? existing : new Instance();
  const sock = load<i32>(CFG + abi.CFG_SOCKET);
  const vrid = <i32>load<u8>(CFG + abi.CFG_VRID);
  // The version is not part of an instance's identity (keepalived's vrrp_exist matches VRID, family, interface
  // and unicast source): a reload from v2 to v3 keeps the state, the next advert goes out in the new version.
  const oldVersion = existing ? existing.version : 0;
  if (existing) {
    if (existing.sock != sock || existing.vrid != vrid || existing.family != <i32>load<u8>(CFG + abi.CFG_FAMILY)) return abi.CFG_IDENTITY_CHANGED;
  } else if (sock >= 0 && sock < 65536) {
    const other = lookup(sock, vrid);
    if (other) return abi.CFG_DUPLICATE_VRID;
  }
  const group = <i32>load<u16>(CFG + abi.CFG_SYNC_GROUP);
  if (group != 0 && (!existing || existing.syncGroup != group) && groupCount(group) >= abi.MAX_GROUP) return abi.CFG_GROUP_TOO_BIG;
  const oldGroup = existing ? existing.syncGroup : 0;
  const r = readConfig(i, CFG, len, false);
  if (r != abi.CFG_OK) return r;
  // An interval learned from a v3 master means nothing in v2 (whole seconds, never adopted), nor the reverse.
  if (existing && oldVersion != i.version) i.masterAdverIntUs = i.adverIntUs;
  growTables(handle, sock);
  i.handle = handle;
  if (!existing) {
    unchecked(instances[handle] = i);
    unchecked(demux[(sock << 8) | vrid] = handle + 1);
    live++;
    queue.reserve(live);
    i.effPriority = fsm.effective(i.basePriority, i.trackDelta);
  } else {
    fsm.setDelta(i, 0, i.trackDelta);
    i.effPriority = fsm.effective(i.basePriority, i.trackDelta);
  }
  if (oldGroup != i.syncGroup) regroup(oldGroup);
  regroup(i.syncGroup);
  return abi.CFG_OK;
}

function groupCount(group: i32): i32 {
  let n = 0;
  for (let k = 0; k < instances.length; k++) {
    const x = unchecked(instances[k]);
    if (x && x.syncGroup == group) n++;
  }
  return n;
}

/** Rebuilds the member list every instance of a sync group shares. Cold path. */
function regroup(group: i32): void {
  if (group == 0) return;
  const n = groupCount(group);
  const members = new StaticArray<Instance>(n);
  let j = 0;
  for (let k = 0; k < instances.length; k++) {
    const x = unchecked(instances[k]);
    if (x && x.syncGroup == group) unchecked(members[j++] = x);
  }
  for (let k = 0; k < n; k++) unchecked(members[k]).members = n > 1 ? members : null;
}

/** Forgets an instance at once, with no outputs: call shutdown() first to resign gracefully. */
export function removeInstance(handle: i32): void {
  const i = get(handle);
  if (!i) return;
  queue.remove(i);
  unchecked(demux[(i.sock << 8) | i.vrid] = 0);
  unchecked(instances[handle] = null);
  live--;
  i.members = null;
  regroup(i.syncGroup);
}

// @ts-ignore: decorator
@inline function room(i: Instance): void {
  if (out.room() < fsm.roomFor(i)) abort('output ring full: the host must drain pollOutput() after every input');
}

export function start(now: i64, handle: i32): void {
  const i = get(handle);
  if (!i) return;
  room(i);
  fsm.start(i, now);
}

export function shutdown(now: i64, handle: i32): void {
  const i = get(handle);
  if (!i) return;
  room(i);
  fsm.shutdown(i, now);
}

export function setFault(now: i64, handle: i32, fault: bool): void {
  const i = get(handle);
  if (!i) return;
  room(i);
  fsm.setFault(i, now, fault);
}

export function setPriorityAdjust(now: i64, handle: i32, delta: i32): void {
  const i = get(handle);
  if (!i) return;
  room(i);
  fsm.setDelta(i, now, delta);
}

/** The instance the last datagram was demultiplexed to (-1: none), so the host can name it in a refusal. */
export let lastReceiver: i32 = -1;

/** The receive path: locate, demultiplex, validate (§10.2), then the state machine. */
export function receive(now: i64, sock: i32, family: i32, ttl: i32, len: i32): i32 {
  lastReceiver = -1;
  if ((family != 4 && family != 6) || len < 0 || len > abi.RX_CAP) {
    unchecked(gstats[abi.G_BAD_FAMILY]++);
    return abi.RX_BAD_FAMILY;
  }
  const r = ip.locate(RX, family, ttl, len);
  if (r != abi.RX_OK) {
    if (r == abi.RX_TOO_SHORT) unchecked(gstats[abi.G_TOO_SHORT]++);
    else if (r == abi.RX_TRUNCATED) unchecked(gstats[abi.G_TRUNCATED]++);
    else if (r == abi.RX_BAD_PROTOCOL) unchecked(gstats[abi.G_BAD_PROTOCOL]++);
    else unchecked(gstats[abi.G_BAD_IP_HEADER]++);
    return r;
  }
  const i = lookup(sock, wire.vrid(ip.msg));
  if (!i || i.family != family) {
    unchecked(gstats[abi.G_UNKNOWN_VRID]++);
    return abi.RX_UNKNOWN_VRID;
  }
  lastReceiver = i.handle;
  if (i.state != abi.STATE_BACKUP && i.state != abi.STATE_MASTER) {
    i.count(abi.S_NOT_RUNNING_DROP);
    return abi.RX_NOT_RUNNING;
  }
  const v = check(i);
  if (v != abi.RX_OK) return v;
  room(i);
  i.count(abi.S_ADVERT_RCVD);
  const prio = wire.priority(ip.msg);
  if (prio == 0) i.count(abi.S_PRI_ZERO_RCVD);
  const rxInt = i.version == 3 ? <i64>wire.intervalV3(ip.msg) * 10000 : i.adverIntUs;
  fsm.onAdvert(i, now, prio, rxInt, ip.src);
  return abi.RX_OK;
}

/** Timers due by `now` are run lazily from poll(), a bounded batch at a time, so the ring never overflows. */
/**
 * Timers due by `now` are run lazily from poll(), a bounded batch at a time, so the ring never overflows. With
 * `slack`, a master's advert due within `slack` µs after `now` goes out in the same batch (early by at most
 * that): many instances then share one wake-up and one send. Only adverts move; a Master_Down_Timer never fires
 * early.
 */
export function timeout(now: i64, slack: i64): void {
  dueAt = now;
  dueSlack = slack < 0 ? 0 : slack;
  duePending = true;
}

let dueSlack: i64 = 0;

function runDue(): void {
  for (;;) {
    const t = queue.earliest();
    if (t > dueAt + dueSlack) break;
    const i = queue.top();
    if (out.room() < fsm.roomFor(i)) return;
    if (t <= dueAt) {
      fsm.onTimers(i, dueAt);
    } else if (i.state == abi.STATE_MASTER && i.next == i.tAdver) {
      fsm.onTimers(i, t);
    } else {
      break;
    }
  }
  duePending = false;
}

function writeOut(kind: i32, handle: i32, a: i32, b: i32, c: i32, d: i32, t: i64): void {
  store<i32>(OUT, kind, 0);
  store<i32>(OUT, handle, 4);
  store<i32>(OUT, a, 8);
  store<i32>(OUT, b, 12);
  store<i32>(OUT, c, 16);
  store<i32>(OUT, d, 20);
  store<f64>(OUT, toHost(t), 24);
}

/**
 * Builds the advert of `i` with priority `prio` to destination `dst` into TX; returns its length. With AH the
 * whole IPv4 packet is built; `fresh` says this is a new advert rather than its copy to a further unicast peer,
 * which keeps the ID and sequence number of the first (keepalived's vrrp_send_adv).
 */
function encode(i: Instance, prio: i32, dst: usize, fresh: bool): i32 {
  memory.copy(TX, changetype<usize>(i.src), 16);
  memory.copy(TX + 16, dst, 16);
  const isAh = i.authType == 2;
  const hdrs: i32 = isAh ? ah.IP_LEN + ah.AH_LEN : 0;
  const msg = TX + abi.ADDR_OFF + hdrs;
  const len = wire.emit(msg, i.version, i.vrid, prio, i.naddr, i.alen, changetype<usize>(i.addrs),
    i.adverIntWire, i.authType, i.authType == 1 ? changetype<usize>(i.authPass) : 0);
  wire.fillChecksum(msg, len, i.family, i.has(abi.F_V3_CHECKSUM_AS_V2), TX, TX + 16);
  if (!isAh) return len;
  if (fresh) {
    i.ipId = (i.ipId + 1) & 0xffff;
    if (i.ipId == 0) i.ipId = 1; // an ID of 0 would be replaced by the kernel's, which the ICV does not cover
    // keepalived stops counting near the top (a 1 s advert takes 136 years to get there) and the next master resets.
    if (i.ahSeq > 0xfffffffd) i.ahCycle = true;
    else i.ahSeq++;
  }
  return ah.build(TX + abi.ADDR_OFF, len, i.ipId, i.ahSeq, i.txTtl, TX, TX + 16, i.has(abi.F_UNICAST),
    changetype<usize>(i.ahInner), changetype<usize>(i.ahOuter));
}

/** Expands the oldest record into OUT (and TX). Returns its kind, or -1 when the record produced nothing. */
function emitHead(): i32 {
  const kind = out.peek(0);
  const handle = out.peek(1);
  const a = out.peek(2);
  const i = get(handle);
  if (kind == abi.OUT_TRANSMIT) {
    if (!i) { out.pop(); return -1; }
    if (i.has(abi.F_UNICAST)) {
      const k = out.peek(3);
      if (k >= i.npeers) { out.pop(); return -1; }
      const len = encode(i, a, changetype<usize>(i.peers) + (k << 4), k == 0);
      writeOut(kind, handle, len, i.family, i.sock, k, 0);
      if (k + 1 < i.npeers) out.setPeek(3, k + 1);
      else out.pop();
      return kind;
    }
    const len = encode(i, a, changetype<usize>(i.group), true);
    writeOut(kind, handle, len, i.family, i.sock, -1, 0);
    out.pop();
    return kind;
  }
  if (kind == abi.OUT_RX_LOWER) memory.copy(OUT + 32, changetype<usize>(fsm.lowerAddr), 16);
  else if (kind == abi.OUT_NEW_MASTER && i) memory.copy(OUT + 32, changetype<usize>(i.masterAddr), 16);
  writeOut(kind, handle, a, out.peek(3), out.peek(4), out.peek(5), 0);
  out.pop();
  return kind;
}

/** Next output; OUT_TIMEOUT (with the next deadline) when there is nothing left to do. */
export function poll(): i32 {
  for (;;) {
    if (out.pending() > 0) {
      const k = emitHead();
      if (k >= 0) return k;
      continue;
    }
    if (duePending) {
      runDue();
      if (out.pending() > 0) continue;
      if (duePending) continue;
    }
    writeOut(abi.OUT_TIMEOUT, -1, 0, 0, 0, 0, queue.earliest());
    return abi.OUT_TIMEOUT;
  }
}

export function nextDeadline(): i64 {
  return queue.earliest();
}

/**
 * Whether the earliest deadline is a backup's (Master_Down_Interval, a start-up claim, a preempt delay): the one a
 * failover waits on, where the host spends more to wake exactly on time. A master's advert deadline is not.
 */
export function nextDeadlineIsTakeover(): bool {
  if (queue.earliest() == NEVER) return false;
  return queue.top().state == abi.STATE_BACKUP;
}

/** Protocol state of one instance into INFO (layout in abi.ts). Returns 0, or -1 for an unknown handle. */
export function inspect(handle: i32): i32 {
  const i = get(handle);
  if (!i) return -1;
  store<i32>(INFO, i.state, 0);
  store<i32>(INFO, i.effPriority, 4);
  store<i32>(INFO, i.basePriority, 8);
  store<i32>(INFO, i.masterPriority, 12);
  store<i32>(INFO, <i32>(i.adverIntUs / 10000), 16);
  store<i32>(INFO, <i32>(i.masterAdverIntUs / 10000), 20);
  store<i32>(INFO, i.version, 24);
  store<i32>(INFO, i.family, 28);
  store<f64>(INFO, toHost(i.next), 32);
  store<f64>(INFO, toHost(i.tMasterDown), 40);
  store<f64>(INFO, <f64>masterDownUs(i), 48);
  memory.copy(INFO + abi.INFO_MASTER_ADDR, changetype<usize>(i.masterAddr), 16);
  return 0;
}

/** Counters of one instance into INFO as f64, in S_* order. */
export function stats(handle: i32): i32 {
  const i = get(handle);
  if (!i) return -1;
  for (let k = 0; k < abi.N_STATS; k++) store<f64>(INFO + (k << 3), <f64>unchecked(i.stats[k]));
  return 0;
}

export function clearStats(handle: i32): void {
  const i = get(handle);
  if (!i) return;
  for (let k = 0; k < abi.N_STATS; k++) unchecked(i.stats[k] = 0);
}

export function globalStats(): void {
  for (let k = 0; k < abi.N_GSTATS; k++) store<f64>(INFO + (k << 3), <f64>unchecked(gstats[k]));
}

// @ts-ignore: decorator
@inline function isMulticast(family: i32, a: usize): bool {
  const b = <i32>load<u8>(a);
  return family == 4 ? (b & 0xf0) == 0xe0 : b == 0xff;
}

/**
 * Decodes RX on its own, with no instance (the packet tool): fields into INFO, and the first structural
 * problem as the result (RX_OK when the advert is sound for its own version).
 */
export function decode(family: i32, ttl: i32, len: i32, preferPlain: bool): i32 {
  if ((family != 4 && family != 6) || len < 0 || len > abi.RX_CAP) return abi.RX_BAD_FAMILY;
  memory.fill(INFO, 0, abi.INFO_CAP);
  const r = ip.locate(RX, family, ttl, len);
  if (r != abi.RX_OK) return r;
  const msg = ip.msg;
  const ver = wire.version(msg);
  const alen = family == 4 ? 4 : 16;
  const n = wire.count(msg);
  store<i32>(INFO, ver, 0);
  store<i32>(INFO, wire.msgType(msg), 4);
  store<i32>(INFO, wire.vrid(msg), 8);
  store<i32>(INFO, wire.priority(msg), 12);
  store<i32>(INFO, n, 16);
  store<i32>(INFO, ver == 2 ? wire.intervalV2(msg) : wire.intervalV3(msg), 20);
  store<i32>(INFO, ver == 2 ? wire.authType(msg) : 0, 24);
  store<i32>(INFO, wire.checksumField(msg), 28);
  store<i32>(INFO, ip.ttl, 36);
  store<i32>(INFO, <i32>(msg - (RX + abi.ADDR_OFF)), 40);
  store<i32>(INFO, ip.msgLen, 44);
  memory.copy(INFO + abi.INFO_SRC, ip.src, alen);
  memory.copy(INFO + abi.INFO_DST, ip.dst, alen);
  if (ver != 2 && ver != 3) return abi.RX_BAD_VERSION;
  const expected = wire.advertLen(ver, n, alen);
  store<i32>(INFO, expected, 48);
  if (ip.msgLen != expected) return abi.RX_BAD_LENGTH;
  const mcast = isMulticast(family, ip.dst);
  const form = matchChecksum(msg, ip.msgLen, family, preferPlain, !mcast, ip.src, ip.dst);
  store<i32>(INFO, form, 32);
  if (mcast && ip.ttl != 255) return abi.RX_BAD_TTL;
  if (ver == 2 && family == 6) return abi.RX_BAD_VERSION;
  if (ver == 2 && wire.authType(msg) > 2) return abi.RX_BAD_AUTH_TYPE;
  if (wire.msgType(msg) != wire.TYPE_ADVERT) return abi.RX_BAD_TYPE;
  if (!ip.ipLenOk) return abi.RX_BAD_IP_LENGTH;
  if (ver == 3 && wire.intervalV3(msg) == 0) return abi.RX_BAD_INTERVAL;
  if (form == abi.CSUM_NONE) return abi.RX_BAD_CHECKSUM;
  return abi.RX_OK;
}

/**
 * Encodes the advert that the configuration in CFG would send (priority may be 0), to its group or first peer,
 * into TX. Returns the message length or a negative CFG_* code. Leaves the instance table alone.
 */
export function encodeScratch(len: i32): i32 {
  let s = scratch;
  if (!s) { s = new Instance(); scratch = s; }
  const r = readConfig(s, CFG, len, true);
  if (r != abi.CFG_OK) return r;
  const prio = s.basePriority;
  if (s.has(abi.F_UNICAST) && s.npeers > 0) return encode(s, prio, changetype<usize>(s.peers), true);
  return encode(s, prio, changetype<usize>(s.group), true);
}

