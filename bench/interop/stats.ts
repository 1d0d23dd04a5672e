// Order statistics for the reports.

export interface Summary { n: number; min: number; median: number; p90: number; max: number }

/** Nearest-rank quantile (the p90 of 20 values is the 18th smallest). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export function summarize(values: number[]): Summary | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, min: v[0], median, p90: quantile(v, 0.9), max: v[v.length - 1] };
}

export const fmt = (x: number | undefined | null, digits = 1) => (x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
export const fmtSummary = (s: Summary | null, digits = 1) => (s ? `${fmt(s.median, digits)} / ${fmt(s.p90, digits)} / ${fmt(s.max, digits)}` : '-');
