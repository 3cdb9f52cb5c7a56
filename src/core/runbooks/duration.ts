/** Durations as runbooks write them: `10s`, `2m`, `1h30m`, `500ms`, `1d`. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export const DURATION_PATTERN = '^(?:\\d+(?:ms|s|m|h|d))+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+)(ms|s|m|h|d)/g;

export const isDuration = (s: string): boolean => DURATION_RE.test(s);

/** Milliseconds for a duration string, or undefined when it is not one. */
function parseDuration(s: string): number | undefined {
  if (!isDuration(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PART_RE)) total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return total;
}

/** A duration written as a string (`30s`) or a number of seconds. */
export const durationMs = (v: string | number): number =>
  typeof v === 'number' ? Math.round(v * 1000) : (parseDuration(v) ?? NaN);
