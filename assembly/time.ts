// Time in the core is i64 microseconds from an arbitrary monotonic epoch chosen by the host.
// Across the boundary it travels as f64, which holds whole microseconds exactly for 285 years and spares the
// host a BigInt per call (i64 parameters reach JavaScript as BigInt).

// @ts-ignore: decorator
@inline export const NEVER: i64 = i64.MAX_VALUE;

/** f64 µs from the host to i64 µs. */
// @ts-ignore: decorator
@inline export function fromHost(t: f64): i64 {
  return <i64>t;
}

/** i64 µs to the host's f64; NEVER becomes Infinity. */
// @ts-ignore: decorator
@inline export function toHost(t: i64): f64 {
  return t == NEVER ? Infinity : <f64>t;
}

/** now + d, saturating at NEVER. */
// @ts-ignore: decorator
@inline export function after(now: i64, d: i64): i64 {
  return d >= NEVER - now ? NEVER : now + d;
}
