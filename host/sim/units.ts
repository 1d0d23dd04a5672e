// Durations in the simulator are µs, as in the core. Text forms are for the CLI and scenario files.

export const us = (n: number): number => Math.round(n);
export const ms = (n: number): number => Math.round(n * 1000);
export const sec = (n: number): number => Math.round(n * 1_000_000);

const UNITS: Record<string, number> = { us: 1, 'µs': 1, ms: 1000, s: 1_000_000 };

/** "1ms", "0.5ms", "250us", "3s", or a bare number of seconds (keepalived's unit for advert_int). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(us|µs|ms|s)?\s*$/.exec(text);
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (examples: 1ms, 0.5ms, 250us, 3s, 0.1)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

/** µs as milliseconds with three decimals: the timeline's unit. */
export function fmtMs(t: number): string {
  return (t / 1000).toFixed(3);
}
