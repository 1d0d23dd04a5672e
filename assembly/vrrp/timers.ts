// Skew_Time and Master_Down_Interval as keepalived computes them (keepalived-behaviour.md §10.3), in µs so that
// skew still separates backups at 10 ms intervals, where whole centiseconds would not.
import { Instance } from './instance';

/** The priority that sets the skew: 255 for an owner, else the effective priority. */
// @ts-ignore: decorator
@inline function skewPriority(i: Instance): i64 {
  return i.basePriority == 255 ? 255 : <i64>i.effPriority;
}

/** v2: (256 - P) / 256 s whatever the interval (RFC 3768). v3: (256 - P) x Master_Adver_Interval / 256. */
export function skewUs(i: Instance): i64 {
  const p = skewPriority(i);
  if (i.version == 2) return ((256 - p) * 1000000) / 256;
  return ((256 - p) * i.masterAdverIntUs) / 256;
}

/** down_timer_adverts (3) x Master_Adver_Interval + Skew_Time. */
export function masterDownUs(i: Instance): i64 {
  return <i64>i.downAdverts * i.masterAdverIntUs + skewUs(i);
}

/**
 * How long a first takeover after start advertises before it installs the VIPs (F_STARTUP_CLAIM): long enough for a
 * better router's answer to cross a LAN and a peer busy starting up (50 ms), short enough that no second advert
 * falls due (half the interval). Only the first takeover after start waits; failovers never do.
 */
export function claimUs(i: Instance): i64 {
  const half = i.adverIntUs / 2;
  return half < 50000 ? half : 50000;
}

/** advert_int rounding, §10.7: v2 whole seconds (nearest, at least 1, at most 255); v3 10 ms steps, 1..4095 cs. */
export function roundInterval(version: i32, us: i64): i32 {
  if (version == 2) {
    let s = <i32>((us + 500000) / 1000000);
    return s < 1 ? 1 : s > 255 ? 255 : s;
  }
  let cs = <i32>((us + 5000) / 10000);
  return cs < 1 ? 1 : cs > 4095 ? 4095 : cs;
}

export function wireToUs(version: i32, v: i32): i64 {
  return version == 2 ? <i64>v * 1000000 : <i64>v * 10000;
}
