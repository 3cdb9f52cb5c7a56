/**
 * `npm run bench` runs every benchmark; `npm run bench -- ack ssh` runs some; `--smoke` uses small
 * counts (CI). Each benchmark runs in its own process (its own peers, its own peak memory), prints
 * one line per result on stdout (`key=value (detail)`), and everything lands in
 * bench/results/<timestamp>.json. Exit code 1 only when a benchmark crashed, never for a figure.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultLine, type BenchResult } from './lib/result.js';

const here = dirname(fileURLToPath(import.meta.url));
export const BENCHMARKS = ['ack', 'docker', 'ssh', 'stream', 'concurrency', 'handoff', 'startup'] as const;
type Name = (typeof BENCHMARKS)[number];

interface Outcome { name: Name; ok: boolean; seconds: number; results: BenchResult[]; error?: string; skipped?: string }

async function runOne(name: Name, smoke: boolean): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), `opsroom-bench-${name}-`));
  const out = join(dir, 'results.json');
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'lib', 'child.ts'), name], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BENCH_OUT: out, BENCH_SMOKE: smoke ? '1' : '' },
    });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.once('exit', (c, sig) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(c ?? (sig ? 128 : 1));
    });
  });
  const seconds = (Date.now() - t0) / 1000;
  try {
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as { results: BenchResult[]; error?: string; skipped?: string };
    return { name, ok: code === 0 && !parsed.error, seconds, results: parsed.results, error: parsed.error ?? (code === 0 ? undefined : `exit code ${code}`), skipped: parsed.skipped };
  } catch {
    return { name, ok: false, seconds, results: [], error: `exit code ${code}, no results written` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const names = args.filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark: ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})\n`);
    return 2;
  }
  const chosen = (names.length ? names : BENCHMARKS) as Name[];
  const started = new Date();
  const outcomes: Outcome[] = [];
  for (const name of chosen) {
    process.stderr.write(`\n== ${name}${smoke ? ' (smoke)' : ''} ==\n`);
    const o = await runOne(name, smoke);
    outcomes.push(o);
    for (const r of o.results) process.stdout.write(`${resultLine(r)}\n`);
    if (!o.ok) process.stdout.write(`${name}: FAILED: ${o.error}\n`);
    if (o.skipped) process.stdout.write(`${name}: SKIPPED: ${o.skipped}\n`);
    process.stderr.write(`[${name}] ${o.ok ? 'done' : 'failed'} in ${o.seconds.toFixed(1)} s\n`);
  }
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = join(here, 'results', `${stamp}${smoke ? '-smoke' : ''}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({
    started: started.toISOString(), finished: new Date().toISOString(), smoke,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryMb: Math.round(totalmem() / 2 ** 20), node: process.version },
    results: Object.fromEntries(outcomes.flatMap((o) => o.results.map((r) => [r.key, { value: r.value, detail: r.detail, data: r.data }]))),
    benchmarks: outcomes.map((o) => ({ name: o.name, ok: o.ok, seconds: o.seconds, error: o.error, skipped: o.skipped })),
  }, null, 2) + '\n');
  process.stderr.write(`\nwrote ${file}\n`);
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
  if (failed.length) process.stderr.write(`benchmarks that did not finish: ${failed.join(', ')}\n`);
  return failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
