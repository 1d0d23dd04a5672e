// vipd's VRRP core: the only export surface of the WebAssembly module.
//
// Contract
// --------
// The core is sans-IO: it owns every VRRP timer and every VRRP byte, and reads no clock and opens no socket.
// The host passes monotonic time `now` (µs, as f64) into every input and, after EVERY input (configure excepted),
// drains pollOutput() until it returns OUT_TIMEOUT; only then may it wait for I/O again, with one timer armed for
// the deadline that OUT_TIMEOUT carries (Infinity: none). When that timer fires it calls handleTimeout(now) and
// drains again. handleTimeout may be called early or twice: it only does what is due.
//
// Bytes travel through static regions (rxPtr, txPtr, cfgPtr, outPtr, infoPtr; layouts in abi.ts, mirrored by
// host/core/abi.ts); only numbers cross the call boundary. After configure() has allocated, memory may have
// grown, so the host re-reads memory.buffer before touching its views.
//
// Peer faults are never errors here: a bad advert returns a reason code and bumps a counter. abort() is only for
// a host that breaks this contract (for example, not draining until the output ring overflows).
import * as abi from './abi';
import * as engine from './engine';
import { CFG, INFO, OUT, RX, TX } from './regions';
import { fromHost, toHost } from './time';
import * as timerWork_ from './timer/work';

export function abiVersion(): i32 { return abi.ABI_VERSION; }
export function rxPtr(): usize { return RX; }
export function txPtr(): usize { return TX; }
export function cfgPtr(): usize { return CFG; }
export function outPtr(): usize { return OUT; }
export function infoPtr(): usize { return INFO; }

/** Adds or updates instance `handle` from the `len` bytes in CFG. Cold path (may allocate). 0 or CFG_* < 0. */
export function configure(handle: i32, len: i32): i32 { return engine.configure(handle, len); }

/** Forgets an instance without outputs (after shutdown()). */
export function remove(handle: i32): void { engine.removeInstance(handle); }

/** Startup event. Drain afterwards. */
export function start(now: f64, handle: i32): void { engine.start(fromHost(now), handle); }

/** Shutdown event: a master sends priority 0 and drops its VIPs. Drain afterwards. */
export function shutdown(now: f64, handle: i32): void { engine.shutdown(fromHost(now), handle); }

/** The host's fault view for an instance (interface down, weight-0 tracker failed). Drain afterwards. */
export function setFault(now: f64, handle: i32, fault: bool): void { engine.setFault(fromHost(now), handle, fault); }

/** Sum of tracker weights for an instance; effective priority = clamp(base + delta, 1, 254). Drain afterwards. */
export function setPriorityAdjust(now: f64, handle: i32, delta: i32): void {
  engine.setPriorityAdjust(fromHost(now), handle, delta);
}

/**
 * A datagram of `len` bytes in RX, received on the host's socket `sock` (IPv4: with its IP header; IPv6: the
 * payload, addresses in RX[0,32) and the hop limit as `ttl`). 0 accepted, >0 ignored by design, <0 invalid
 * (RX_* in abi.ts). Drain afterwards.
 */
export function handleDatagram(now: f64, sock: i32, family: i32, ttl: i32, len: i32): i32 {
  return engine.receive(fromHost(now), sock, family, ttl, len);
}

/** The handle of the instance the last handleDatagram() reached (its verdict may be a refusal), or -1. */
export function receivedBy(): i32 { return engine.lastReceiver; }

/**
 * Time has reached `now`: run what is due. Masters' adverts due within `slackUs` after `now` are sent now too
 * (0 for exact timing; a daemon with many instances passes ~1 ms so they share wake-ups). Drain afterwards.
 */
export function handleTimeout(now: f64, slackUs: f64): void {
  // A host that passes one argument gives NaN here: `> 0` keeps that (and any negative) at no slack.
  engine.timeout(fromHost(now), slackUs > 0 ? fromHost(slackUs) : 0);
}

/** The next output kind (OUT_* in abi.ts), its fields in OUT and, for a transmit, the datagram in TX. */
export function pollOutput(): i32 { return engine.poll(); }

/** The earliest deadline (µs; Infinity when none), without draining. */
export function nextDeadline(): f64 { return toHost(engine.nextDeadline()); }

/** 1 when the earliest deadline is a backup's (a takeover may be due then), else 0. */
export function nextDeadlineIsTakeover(): i32 { return engine.nextDeadlineIsTakeover() ? 1 : 0; }

/** State of one instance into INFO. Cold path. 0, or -1 for an unknown handle. */
export function inspect(handle: i32): i32 { return engine.inspect(handle); }

/** Counters of one instance into INFO (N_STATS f64). Cold path. */
export function stats(handle: i32): i32 { return engine.stats(handle); }

export function clearStats(handle: i32): void { engine.clearStats(handle); }

/** Engine-wide counters (N_GSTATS f64) into INFO. */
export function globalStats(): void { engine.globalStats(); }

/** Decodes RX without any instance (the packet tool). Fields into INFO; RX_OK or the first problem. */
export function decodeAdvert(family: i32, ttl: i32, len: i32, preferPlain: bool): i32 {
  return engine.decode(family, ttl, len, preferPlain);
}

/** Encodes the advert the configuration in CFG describes into TX. Length, or CFG_* < 0. */
export function encodeAdvert(len: i32): i32 { return engine.encodeScratch(len); }

/**
 * The timer heap's work so far, as f64 into INFO: operations at 0, heap levels moved at 8, the most levels one
 * operation moved at 16. 0, or -1 in a build that does not count (release: only the debug build does).
 */
export function timerWork(): i32 { return timerWork_.report(INFO) ? 0 : -1; }
