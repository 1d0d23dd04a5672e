// A small seeded PRNG (mulberry32) so that a simulation replays exactly from its seed. Math.random is never used.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    // A draw is consumed even when p is 0 or 1, so changing one rate does not shift every later draw.
    chance: (p) => next() < p,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
  };
}
