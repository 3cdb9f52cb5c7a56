/** Order statistics for latency samples: nearest-rank percentiles, median, spread. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Interquartile range: p75 - p25. */
  iqr: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length, min: s[0] ?? NaN, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN, iqr: percentile(s, 75) - percentile(s, 25),
  };
}

export const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);

/** A few significant digits: 0.0123, 1.23, 12.3, 1234. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0 || Number.isInteger(v)) return String(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** Median and spread of per-trial figures: "12.3 ms (min 11.9, max 14.0, n=5)" */
export function medianSpread(values: readonly number[], unit = 'ms'): string {
  const s = summarize(values);
  return `${fmt(s.p50)} ${unit} (min ${fmt(s.min)}, max ${fmt(s.max)}, n=${s.n})`;
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
