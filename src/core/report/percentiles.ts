/**
 * Percentiles by linear interpolation between closest ranks (the common "type 7" definition, as
 * in spreadsheets and NumPy): p50 of [1, 2, 3, 4] is 2.5, p90 of 1…10 is 9.1. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile must be between 0 and 1, got ${p}`);
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const h = (xs.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, xs.length - 1);
  return xs[lo] + (h - lo) * (xs[hi] - xs[lo]);
}

export const median = (values: readonly number[]) => percentile(values, 0.5);
