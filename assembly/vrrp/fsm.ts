// Theory of operation
// ===================
// Every state transition of a virtual router lives in this file. States are RFC 5798 §6.4's Initialize, Backup
// and Master (RFC 9568 says Active), plus keepalived's FAULT; the numbers are keepalived's (INIT 0, BACKUP 1,
// MASTER 2, FAULT 3). Inputs are the host's events (start, shutdown, fault, tracker priority change), the
// instance's own timers, and adverts that passed validation. Outputs are records in the output ring; nothing
// here sends, sleeps or allocates.
//
// RFC 5798 §6.4 / keepalived (keepalived-behaviour.md §10.3-10.9) -> functions below
//   Initialize, Startup, priority 255        -> start(): becomeMaster(WHY_OWNER)
//   Initialize, Startup, otherwise           -> start(): BACKUP, Master_Down_Timer = Master_Down_Interval
//   Backup, Master_Down_Timer fires          -> onTimers(): becomeMaster (advert, VIPs, GARP burst)
//     ... first time since start, vipd's F_STARTUP_CLAIM: advert now, MASTER (VIPs, GARP, the state change)
//     claimUs later unless a better router answers meanwhile. Hosts started together then never both hold
//     the VIP, and the loser never logs, notifies or touches a VIP (keepalived: two masters for up to 65 ms).
//     A fast preemption on the first advert heard since start claims the same way.
//   Backup, advert priority 0                -> onAdvert(): Master_Down_Timer = Skew_Time
//   Backup, advert >= ours or no preempt     -> onAdvert(): learn the v3 interval, restart Master_Down_Timer
//   Backup, lower advert with preempt        -> onAdvert(): discard, so we take over when the timer fires
//                                               (F_FAST_PREEMPT, vipd's default in the daemon: take over now)
//   Master, Adver_Timer fires                -> onTimers(): advert, re-arm
//   Master, advert priority 0                -> onAdvert(): advert at once
//   Master, higher advert (or equal priority
//     and a higher primary address)          -> onAdvert(): [one advert if higher_prio_send_advert] -> BACKUP
//   Master, lower advert (RFC 9568)          -> onAdvert(): advert at once unless lower_prio_no_advert,
//                                               GARP burst (garp_lower_prio_repeat), RX_LOWER notification
//   any, Shutdown                            -> shutdown(): a master sends priority 0 and drops its VIPs -> INIT
//   any, fault raised / cleared              -> setFault(): FAULT (a master resigns with priority 0) / BACKUP,
//                                               or MASTER at once for an owner
//   vrrp_sync_group (keepalived §5): members move together. A member whose Master_Down_Timer fires waits (wants
//   MASTER) until every member wants it or is MASTER, then all go; a member yielding to a better master pulls the
//   rest back to BACKUP; a fault on one member puts every member in FAULT until no member has a fault.
// Timers are µs deadlines on the instance (instance.ts); `rearm` publishes their minimum to the engine's heap.
import * as abi from '../abi';
import * as out from '../output';
import * as queue from '../timer/queue';
import { NEVER, after } from '../time';
import { Instance } from './instance';
import { claimUs, masterDownUs, skewUs } from './timers';
import { ahSeqRx } from './validate';

/** Sender of the last lower-priority advert a master heard (for OUT_RX_LOWER). */
export const lowerAddr = new StaticArray<u8>(16);

/** Set when the master we followed resigned (priority 0): the takeover that follows is reported as such. */
let resigned = new StaticArray<bool>(0);

/** Sizes per-handle side tables; cold path. */
export function reserveHandles(n: i32): void {
  if (n <= resigned.length) return;
  const grown = new StaticArray<bool>(n);
  for (let k = 0; k < resigned.length; k++) unchecked(grown[k] = resigned[k]);
  resigned = grown;
}

// @ts-ignore: decorator
@inline function setResigned(i: Instance, v: bool): void { unchecked(resigned[i.handle] = v); }

/** Output records that work on `i` may emit: its sync group moves as one. */
export function roomFor(i: Instance): i32 {
  const m = i.members;
  return out.PER_EVENT * (m ? m.length : 1);
}

/** Every member wants MASTER (its timer ran out) or already is. */
function groupReady(i: Instance): bool {
  const m = i.members;
  if (!m) return true;
  for (let k = 0; k < m.length; k++) {
    const x = unchecked(m[k]);
    if (x.state == abi.STATE_MASTER) continue;
    if (x.state != abi.STATE_BACKUP || !x.wantsMaster) return false;
  }
  return true;
}

function groupFault(i: Instance): bool {
  const m = i.members;
  if (!m) return i.fault;
  for (let k = 0; k < m.length; k++) if (unchecked(m[k]).fault) return true;
  return false;
}

function rearm(i: Instance): void {
  i.recomputeNext();
  queue.update(i);
}

function transmit(i: Instance, prio: i32): void {
  out.push(abi.OUT_TRANSMIT, i.handle, prio, 0, 0, 0);
  i.count(abi.S_ADVERT_SENT);
  if (prio == 0) i.count(abi.S_PRI_ZERO_SENT);
}

function stateChange(i: Instance, to: i32, why: i32): void {
  out.push(abi.OUT_STATE, i.handle, i.state, to, why, 0);
  i.state = to;
}

/** Unsigned comparison of two addresses in network order: <0, 0, >0. */
function compareAddr(a: usize, b: usize, len: i32): i32 {
  return memory.compare(a, b, len);
}

function becomeMaster(i: Instance, now: i64, why: i32): void {
  // AH: a counter that stopped at the top starts again (keepalived's anti-replay reset on becoming master). With
  // F_AH_SEQ_SKIP the new master also jumps ahead: the old master may have counted adverts we never heard (its
  // priority-0 advert on a cut link), and our first ones would look like replays to it. Receivers only ask for a
  // larger number, so a gap costs nothing.
  if (i.ahCycle) {
    i.ahCycle = false;
    i.ahSeq = 0;
  } else if (i.authType == 2 && i.has(abi.F_AH_SEQ_SKIP) && i.ahSeq <= 0xfffffffd - abi.AH_SEQ_SKIP) {
    i.ahSeq += abi.AH_SEQ_SKIP;
  }
  stateChange(i, abi.STATE_MASTER, why);
  i.count(abi.S_BECAME_MASTER);
  // The advert goes first so the old master drops its VIPs before our GARPs land (keepalived §10.6).
  transmit(i, i.effPriority);
  out.push(abi.OUT_VIP_ADD, i.handle, 0, 0, 0, 0);
  if (i.garpRepeat > 0) out.push(abi.OUT_ANNOUNCE, i.handle, i.garpRepeat, abi.ANNOUNCE_BECOME_MASTER, 0, 0);
  i.tMasterDown = NEVER;
  i.tAdver = after(now, i.adverIntUs);
  i.tGarp = i.garpDelayUs > 0 && i.garpRepeat > 0 ? after(now, i.garpDelayUs) : NEVER;
  i.tRefresh = i.garpRefreshUs > 0 ? after(now, i.garpDelayUs + i.garpRefreshUs) : NEVER;
  i.tLowerGarp = NEVER;
  i.tPreempt = NEVER;
  i.masterAdverIntUs = i.adverIntUs;
  i.masterPriority = i.effPriority;
  memory.copy(changetype<usize>(i.masterAddr), changetype<usize>(i.src), 16);
  i.preemptAt = NEVER;
  i.wantsMaster = false;
  setResigned(i, false);
}

/** A Master_Down_Timer ran out (or an owner starts): MASTER now, or, in a sync group, when every member is ready. */
function tryMaster(i: Instance, now: i64, why: i32): void {
  const m = i.members;
  if (!m) {
    becomeMaster(i, now, why);
    return;
  }
  i.wantsMaster = true;
  // While it waits, look again every Master_Down_Interval (keepalived's vrrp_sync_can_goto_master re-arms
  // ms_down_timer too): a reload that removes the member it waits for must not leave it waiting for ever.
  i.tMasterDown = after(now, masterDownUs(i));
  if (!groupReady(i)) return;
  for (let k = 0; k < m.length; k++) {
    const x = unchecked(m[k]);
    if (x.state != abi.STATE_BACKUP) continue;
    becomeMaster(x, now, x == i ? why : abi.WHY_SYNC_GROUP);
    if (x != i) rearm(x);
  }
}

/** MASTER -> BACKUP after a better advert: no priority 0 (the winner is already there). */
function yieldToBetter(i: Instance, now: i64, why: i32 = abi.WHY_HIGHER_PRIORITY): void {
  // (also used for WHY_OVERSLEPT and WHY_SYNC_GROUP)
  stateChange(i, abi.STATE_BACKUP, why);
  i.count(abi.S_RELEASE_MASTER);
  out.push(abi.OUT_VIP_DEL, i.handle, 0, 0, 0, 0);
  i.stopTimers();
  i.tMasterDown = after(now, masterDownUs(i));
  const m = i.members;
  if (!m || why == abi.WHY_SYNC_GROUP || why == abi.WHY_OVERSLEPT) return;
  for (let k = 0; k < m.length; k++) {
    const x = unchecked(m[k]);
    if (x == i || x.state != abi.STATE_MASTER) continue;
    yieldToBetter(x, now, abi.WHY_SYNC_GROUP);
    rearm(x);
  }
}

function enterFault(i: Instance, why: i32): void {
  if (i.tClaim != NEVER) transmit(i, 0); // peers may have started to follow our claim
  if (i.state == abi.STATE_MASTER) {
    transmit(i, 0);
    out.push(abi.OUT_VIP_DEL, i.handle, 0, 0, 0, 0);
    i.count(abi.S_RELEASE_MASTER);
  }
  stateChange(i, abi.STATE_FAULT, why);
  i.stopTimers();
  i.masterPriority = -1;
  i.wantsMaster = false;
}

function leaveFault(i: Instance, now: i64): void {
  if (i.basePriority == 255 && !i.members) {
    i.masterAdverIntUs = i.adverIntUs;
    becomeMaster(i, now, abi.WHY_OWNER);
  } else if (i.basePriority == 255) {
    i.masterAdverIntUs = i.adverIntUs;
    i.state = abi.STATE_BACKUP; // before the group check, which must see it ready
    out.push(abi.OUT_STATE, i.handle, abi.STATE_FAULT, abi.STATE_BACKUP, abi.WHY_FAULT_CLEARED, 0);
    tryMaster(i, now, abi.WHY_OWNER);
  } else {
    enterBackup(i, now, abi.WHY_FAULT_CLEARED);
  }
}

function enterBackup(i: Instance, now: i64, why: i32): void {
  i.masterAdverIntUs = i.adverIntUs;
  i.masterPriority = -1;
  i.wantsMaster = false;
  setResigned(i, false);
  stateChange(i, abi.STATE_BACKUP, why);
  i.tMasterDown = after(now, masterDownUs(i));
}

/** Startup event. An owner (priority 255) is master at once; everyone else waits Master_Down_Interval. */
export function start(i: Instance, now: i64): void {
  if (i.started) return;
  i.started = true;
  i.heardAdvert = false;
  i.masterAdverIntUs = i.adverIntUs;
  i.preemptAt = i.preemptDelayUs > 0 ? after(now, i.preemptDelayUs) : NEVER;
  armPreempt(i);
  if (groupFault(i)) {
    stateChange(i, abi.STATE_FAULT, abi.WHY_FAULT);
  } else if (i.basePriority == 255) {
    if (i.members) {
      stateChange(i, abi.STATE_BACKUP, abi.WHY_STARTUP);
      tryMaster(i, now, abi.WHY_OWNER);
    } else {
      becomeMaster(i, now, abi.WHY_OWNER);
    }
  } else {
    enterBackup(i, now, abi.WHY_STARTUP);
  }
  rearm(i);
}

/** Shutdown event: a master resigns with priority 0 and drops its VIPs; every state ends in INIT. */
export function shutdown(i: Instance, now: i64): void {
  if (!i.started) return;
  if (i.tClaim != NEVER) transmit(i, 0); // peers may have started to follow our claim
  if (i.state == abi.STATE_MASTER) {
    transmit(i, 0);
    out.push(abi.OUT_VIP_DEL, i.handle, 0, 0, 0, 0);
    i.count(abi.S_RELEASE_MASTER);
  }
  if (i.state != abi.STATE_INIT) stateChange(i, abi.STATE_INIT, abi.WHY_SHUTDOWN);
  i.started = false;
  i.stopTimers();
  i.masterPriority = -1;
  rearm(i);
}

/**
 * The host's fault view (interface down, weight-0 tracker failed, ...). Idempotent. In a sync group every member
 * is in FAULT while any member has a fault.
 */
export function setFault(i: Instance, now: i64, fault: bool): void {
  if (i.fault == fault) return;
  i.fault = fault;
  const m = i.members;
  if (!m) {
    if (!i.started) return;
    if (fault) {
      if (i.state != abi.STATE_FAULT) enterFault(i, abi.WHY_FAULT);
    } else if (i.state == abi.STATE_FAULT) {
      leaveFault(i, now);
    }
    rearm(i);
    return;
  }
  const down = groupFault(i);
  for (let k = 0; k < m.length; k++) {
    const x = unchecked(m[k]);
    if (!x.started) continue;
    if (down && x.state != abi.STATE_FAULT) enterFault(x, x == i ? abi.WHY_FAULT : abi.WHY_SYNC_GROUP);
    else if (!down && x.state == abi.STATE_FAULT) leaveFault(x, now);
    rearm(x);
  }
}

/** Effective priority = base + tracker delta, clamped to 1..254; an owner stays 255 (§6.3). */
export function effective(base: i32, delta: i32): i32 {
  if (base == 255) return 255;
  const t = base + delta;
  return t < 1 ? 1 : t > 254 ? 254 : t;
}

/** Tracker weights changed. A backup moves its pending Master_Down_Timer by the change in skew. */
export function setDelta(i: Instance, now: i64, delta: i32): void {
  i.trackDelta = delta;
  const eff = effective(i.basePriority, delta);
  if (eff == i.effPriority) return;
  const before = masterDownUs(i);
  const old = i.effPriority;
  i.effPriority = eff;
  out.push(abi.OUT_PRIORITY, i.handle, old, eff, 0, 0);
  if (i.state == abi.STATE_BACKUP && i.tMasterDown != NEVER) {
    i.tMasterDown = i.tMasterDown + (masterDownUs(i) - before);
    if (i.tMasterDown < now) i.tMasterDown = now;
    rearm(i);
  }
}

/** Timers due at `now`. Spurious calls do nothing. */
export function onTimers(i: Instance, now: i64): void {
  if (i.state == abi.STATE_BACKUP) {
    if (i.tClaim <= now) {
      i.tClaim = NEVER;
      becomeMaster(i, now, i.claimWhy);
    } else if (i.tMasterDown <= now) {
      if (claims(i)) startClaim(i, now, abi.WHY_MASTER_DOWN);
      else tryMaster(i, now, unchecked(resigned[i.handle]) ? abi.WHY_PRIORITY_ZERO : abi.WHY_MASTER_DOWN);
    } else if (i.tPreempt <= now) {
      i.tPreempt = NEVER;
      // The master we follow is still below us (a higher advert would have cleared the timer): preempt now.
      if (i.masterPriority >= 0 && i.masterPriority < i.effPriority && i.tClaim == NEVER) tryMaster(i, now, abi.WHY_PREEMPT);
    }
  } else if (i.state == abi.STATE_MASTER) {
    if (i.tAdver != NEVER && now - i.tAdver > masterDownUs(i)) {
      // We slept through a whole Master_Down_Interval (paused process, stalled host): the backups have taken
      // over by now. Holding on would leave the VIP on two hosts; step back and let the protocol decide again
      // (keepalived's timer_expired_backup idea, here for every master).
      yieldToBetter(i, now, abi.WHY_OVERSLEPT);
      rearm(i);
      return;
    }
    if (i.tAdver <= now) {
      transmit(i, i.effPriority);
      // Keep the cadence of the schedule rather than of our wake-ups, unless we woke a whole interval late.
      i.tAdver = i.tAdver + i.adverIntUs;
      if (i.tAdver <= now) i.tAdver = after(now, i.adverIntUs);
    }
    if (i.tGarp <= now) {
      out.push(abi.OUT_ANNOUNCE, i.handle, i.garpRepeat, abi.ANNOUNCE_DELAYED, 0, 0);
      i.tGarp = NEVER;
    }
    if (i.tRefresh <= now) {
      out.push(abi.OUT_ANNOUNCE, i.handle, i.garpRefreshRepeat, abi.ANNOUNCE_REFRESH, 0, 0);
      i.tRefresh = after(now, i.garpRefreshUs);
    }
    if (i.tLowerGarp <= now) {
      out.push(abi.OUT_ANNOUNCE, i.handle, i.garpLowerRepeat, abi.ANNOUNCE_LOWER_PRIO, 0, 0);
      i.tLowerGarp = NEVER;
    }
  }
  rearm(i);
}

/**
 * A validated advert from `src` (alen bytes) with priority `prio` and, for v3, interval `rxIntUs`.
 * The sender's address is also left in lowerAddr for OUT_RX_LOWER.
 */
export function onAdvert(i: Instance, now: i64, prio: i32, rxIntUs: i64, src: usize): void {
  const alen = i.alen;
  const firstHeard = !i.heardAdvert;
  i.heardAdvert = true;
  if (i.tClaim != NEVER && !claimYields(i, prio, src)) {
    rearm(i);
    return;
  }
  if (i.state == abi.STATE_BACKUP) {
    if (prio == 0) {
      // The master resigned: take over after Skew_Time instead of Master_Down_Interval.
      i.tMasterDown = after(now, skewUs(i));
      setResigned(i, true);
    } else if (i.has(abi.F_NOPREEMPT) || prio >= i.effPriority || preemptHeld(i, now, prio)) {
      if (prio >= i.effPriority) {
        i.preemptAt = NEVER;
        i.tPreempt = NEVER;
      }
      if (i.version == 3 && rxIntUs != i.masterAdverIntUs) {
        i.masterAdverIntUs = rxIntUs;
        i.count(abi.S_INTERVAL_ADOPTED);
      }
      if (i.masterPriority < 0 || memory.compare(changetype<usize>(i.masterAddr), src, alen) != 0) {
        memory.copy(changetype<usize>(i.masterAddr), src, alen);
        out.push(abi.OUT_NEW_MASTER, i.handle, prio, 0, 0, 0);
      }
      i.masterPriority = prio;
      setResigned(i, false);
      i.wantsMaster = false;
      i.tMasterDown = after(now, masterDownUs(i));
    } else {
      // Lower priority and we may preempt: RFC 5798 lets the timer run out; fast preemption takes over now —
      // but only from a master we follow (its priority fell) or when we follow none (back from FAULT, just
      // started). A third router's lower advert while a better master is alive must not pull us up: with a
      // one-way partition that would flap.
      i.count(abi.S_LOWER_PRIO_RCVD);
      const followed = i.masterPriority >= 0 && memory.compare(changetype<usize>(i.masterAddr), src, alen) == 0;
      if (i.has(abi.F_FAST_PREEMPT) && (i.masterPriority < 0 || followed)) {
        // The first advert since start: other routers may be starting too and preempt on the same advert; claim.
        if (firstHeard && claimAllowed(i)) startClaim(i, now, abi.WHY_PREEMPT);
        else tryMaster(i, now, abi.WHY_PREEMPT);
      }
    }
  } else if (i.state == abi.STATE_MASTER) {
    const ours = changetype<usize>(i.src);
    const cmp = prio == i.effPriority ? compareAddr(src, ours, alen) : 0;
    if (prio == 0) {
      transmit(i, i.effPriority);
      i.tAdver = after(now, i.adverIntUs);
    } else if (prio > i.effPriority || (prio == i.effPriority && cmp > 0)) {
      if (i.has(abi.F_HIGHER_PRIO_SEND_ADVERT)) transmit(i, i.effPriority);
      memory.copy(changetype<usize>(i.masterAddr), src, alen);
      i.masterPriority = prio;
      if (i.version == 3 && rxIntUs != i.masterAdverIntUs) {
        i.masterAdverIntUs = rxIntUs;
        i.count(abi.S_INTERVAL_ADOPTED);
      }
      yieldToBetter(i, now);
      out.push(abi.OUT_NEW_MASTER, i.handle, prio, 0, 0, 0);
    } else if (prio == i.effPriority && cmp == 0) {
      // Our own address: a looped-back advert or a duplicate address. Nothing to decide.
    } else {
      i.count(abi.S_LOWER_PRIO_RCVD);
      memory.copy(changetype<usize>(lowerAddr), src, alen);
      // AH: keepalived's master takes the lower router's sequence number + 1 before it answers.
      if (i.authType == 2) {
        i.ahSeq = ahSeqRx + 1;
        i.ahCycle = false;
      }
      if (!i.has(abi.F_LOWER_PRIO_NO_ADVERT)) {
        transmit(i, i.effPriority);
        i.tAdver = after(now, i.adverIntUs);
      }
      if (i.garpLowerRepeat > 0) {
        out.push(abi.OUT_ANNOUNCE, i.handle, i.garpLowerRepeat, abi.ANNOUNCE_LOWER_PRIO, 0, 0);
        i.tLowerGarp = i.garpLowerDelayUs > 0 ? after(now, i.garpLowerDelayUs) : NEVER;
      }
      out.push(abi.OUT_RX_LOWER, i.handle, prio, 0, 0, 0);
    }
  }
  rearm(i);
}

/**
 * F_STARTUP_CLAIM applies to the first takeover after start only: later ones are failovers and must stay as fast as
 * the protocol allows. Sync-group members are left out: their group may not follow them to MASTER.
 */
function claims(i: Instance): bool {
  return !i.heardAdvert && claimAllowed(i);
}

// @ts-ignore: decorator
@inline function claimAllowed(i: Instance): bool {
  return i.has(abi.F_STARTUP_CLAIM) && !i.members;
}

/** Advertise as the master we are about to be; the VIPs wait for tClaim (onTimers). */
function startClaim(i: Instance, now: i64, why: i32): void {
  transmit(i, i.effPriority);
  i.count(abi.S_CLAIM_STARTED);
  i.tMasterDown = NEVER;
  i.tClaim = after(now, claimUs(i));
  i.claimWhy = why;
}

/**
 * An advert during a claim, judged as a master would judge it. A better router ends the claim (true: the caller
 * follows it as a backup, with nothing to undo); a lower one gets our advert at once, as a master answers.
 */
function claimYields(i: Instance, prio: i32, src: usize): bool {
  const cmp = prio == i.effPriority ? compareAddr(src, changetype<usize>(i.src), i.alen) : 0;
  if (prio > i.effPriority || (prio == i.effPriority && cmp > 0)) {
    i.tClaim = NEVER;
    i.count(abi.S_CLAIM_YIELDED);
    return true;
  }
  if (prio != 0 && prio < i.effPriority && !i.has(abi.F_LOWER_PRIO_NO_ADVERT)) transmit(i, i.effPriority);
  return false;
}

/** preempt_delay: a lower advert is still accepted until preemptAt, which the first one starts. */
function preemptHeld(i: Instance, now: i64, prio: i32): bool {
  if (i.preemptDelayUs <= 0 || prio >= i.effPriority) return false;
  if (i.preemptAt == NEVER) {
    i.preemptAt = after(now, i.preemptDelayUs);
    armPreempt(i);
  }
  return now < i.preemptAt;
}

/**
 * With fast preemption the end of preempt_delay is a timer of its own: a backup following a lower master takes
 * over when the delay ends, not at the next advert after it (up to one interval later). Without fast preemption
 * the delay only bounds which lower adverts are accepted, as keepalived does, and Master_Down_Timer decides.
 */
function armPreempt(i: Instance): void {
  i.tPreempt = i.has(abi.F_FAST_PREEMPT) && !i.has(abi.F_NOPREEMPT) ? i.preemptAt : NEVER;
}

