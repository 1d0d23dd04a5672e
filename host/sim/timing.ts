// RFC 5798 / keepalived timer formulas, written out independently of the core so that tests and the summary can
// check the core against them rather than against itself (keepalived-behaviour.md §10.3, §10.7).

export type Version = 2 | 3;

/** The advert interval the core actually uses: v2 whole seconds (1..255), v3 10 ms steps (10 ms..40.95 s). */
export function effectiveIntervalUs(version: Version, configuredUs: number): number {
  if (version === 2) return Math.min(255, Math.max(1, Math.round(configuredUs / 1_000_000))) * 1_000_000;
  return Math.min(4095, Math.max(1, Math.round(configuredUs / 10_000))) * 10_000;
}

/** Skew_Time: v2 (256 - P)/256 s whatever the interval; v3 (256 - P) x Master_Adver_Interval / 256. */
export function skewUs(version: Version, priority: number, masterIntervalUs: number): number {
  return version === 2 ? ((256 - priority) * 1_000_000) / 256 : ((256 - priority) * masterIntervalUs) / 256;
}

/** Master_Down_Interval = 3 x Master_Adver_Interval + Skew_Time. */
export function masterDownUs(version: Version, priority: number, masterIntervalUs: number, downAdverts = 3): number {
  return downAdverts * masterIntervalUs + skewUs(version, priority, masterIntervalUs);
}
