/** Interleaved trials: each round runs every variant once, in a rotating order (A B C, B C A, …). */
import { performance } from 'node:perf_hooks';

export type Variants = Record<string, () => Promise<unknown>>;

export async function interleave(variants: Variants, rounds: number, warmup = 2): Promise<Record<string, number[]>> {
  const names = Object.keys(variants);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const t0 = performance.now();
      await variants[name]();
      if (r >= warmup) times[name].push(performance.now() - t0);
    }
  }
  return times;
}
