// The addon reports times on CLOCK_MONOTONIC (ns); the daemon's clock is performance.now() in µs. Both count
// from the same source (libuv's uv_hrtime reads CLOCK_MONOTONIC), so they differ by a constant, measured once.

function measureOffsetUs(): number {
  let best = Infinity;
  let offset = 0;
  // The pair read closest together gives the offset to within a microsecond or so.
  for (let k = 0; k < 16; k++) {
    const a = performance.now();
    const mono = Number(process.hrtime.bigint());
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = mono / 1000 - ((a + b) / 2) * 1000;
    }
  }
  return offset;
}

const OFFSET_US = measureOffsetUs();

/** CLOCK_MONOTONIC ns -> performance.now() µs. */
export function monotonicNsToUs(ns: number): number {
  return ns / 1000 - OFFSET_US;
}
