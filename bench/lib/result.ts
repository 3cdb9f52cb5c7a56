/** What a benchmark hands back: one figure per key, with the detail that explains it. */
import { fmt } from './stats.js';

export interface BenchResult {
  /** e.g. `ack.p99_ratio` (the keys are listed in bench/README.md). */
  key: string;
  value: number;
  /** Human detail: both sides of a ratio, n, spread. */
  detail: string;
  /** Raw figures behind the value (written to the results file). */
  data?: Record<string, unknown>;
}

export interface BenchOptions {
  /** Small counts, for CI: proves the benchmark runs, figures mean little. */
  smoke: boolean;
}

export type Benchmark = (options: BenchOptions) => Promise<BenchResult[]>;

export const resultLine = (r: BenchResult) => `${r.key}=${fmt(r.value)} (${r.detail})`;

/**
 * Thrown when a peer program is missing on a person's machine: the benchmark is skipped, loudly.
 * Under CI the peers' own checks throw a plain error instead (a missing peer is a failure there).
 */
export class SkipBenchmark extends Error {}

/** Progress on stderr, so stdout carries only result lines. */
export const progress = (name: string, msg: string) => process.stderr.write(`[${name}] ${msg}\n`);
