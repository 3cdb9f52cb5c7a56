/** Runs one benchmark in this process and writes its results to $BENCH_OUT (see bench/run.ts). */
import { writeFileSync } from 'node:fs';
import { SkipBenchmark, type Benchmark, type BenchResult } from './result.js';

const name = process.argv[2];
const out = process.env.BENCH_OUT!;
const smoke = process.env.BENCH_SMOKE === '1';

async function main(): Promise<number> {
  const results: BenchResult[] = [];
  try {
    const mod = (await import(`../${name}/index.js`)) as { run: Benchmark };
    results.push(...(await mod.run({ smoke })));
    writeFileSync(out, JSON.stringify({ results }));
    return 0;
  } catch (e) {
    if (e instanceof SkipBenchmark) {
      process.stderr.write(`\n*** [${name}] SKIPPED: ${e.message} ***\n\n`);
      writeFileSync(out, JSON.stringify({ results, skipped: e.message }));
      return 0;
    }
    process.stderr.write(`[${name}] crashed: ${(e as Error)?.stack ?? e}\n`);
    writeFileSync(out, JSON.stringify({ results, error: String((e as Error)?.message ?? e) }));
    return 1;
  }
}

// process.exit: a benchmark must not hang on a stray handle once its results are written.
void main().then((code) => process.exit(code)); // a rejection crashes the process, as it should
