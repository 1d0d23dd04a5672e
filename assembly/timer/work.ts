// How much the timer heap works, so that a test can show O(log n) per operation by counting instead of timing
// (test/host/timer-scale.test.ts). Only the debug build defines VIPD_TIMER_WORK (asconfig.json): in the release
// build every `if (COUNT)` folds away at compile time and the heap's code is what it was without the counters.

// @ts-ignore: decorator; VIPD_TIMER_WORK is a compile-time constant (`use` in asconfig.json), absent in release
@inline export const COUNT: bool = isDefined(VIPD_TIMER_WORK);

// Sift operations (one per insert, move or removal that is not of the last slot), heap levels moved over all
// of them, and the most levels one of them moved.
let sifts: i64 = 0;
let levels: i64 = 0;
let maxLevels: i64 = 0;

export function sifted(n: i32): void {
  sifts++;
  levels += n;
  if (<i64>n > maxLevels) maxLevels = n;
}

/** Writes (sifts, levels, maxLevels) as f64 at `at`. false when this build does not count. */
export function report(at: usize): bool {
  if (!COUNT) return false;
  store<f64>(at, <f64>sifts);
  store<f64>(at, <f64>levels, 8);
  store<f64>(at, <f64>maxLevels, 16);
  return true;
}
