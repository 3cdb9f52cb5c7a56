/**
 * Start-up: from process start (`node dist/src/main.js`, the compiled build `npm start` and the
 * image run; built first when stale) to ready, with 100 generated runbooks to load and check,
 * against the same through tsx (`node --import tsx src/main.ts`), with no runbooks, and a bare
 * Bolt app, interleaved. Three moments per start: /healthz answers, /readyz answers 200, and the
 * "listening" line (startOpsroom finished: runbooks loaded, Bolt started) — startup.ms is the last.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { Workspace } from '#workspace/index.js';
import { freePort } from '../../test/support/peers/sshd.js';
import { ROOT, sleep, spawnTs, stopChild, waitForLine } from '../lib/procs.js';
import { progress, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, median, medianSpread, round } from '../lib/stats.js';
import { writeRunbooks } from './runbooks.js';

const log = (m: string) => progress('startup', m);
const RUNBOOKS = 100;

interface Start { healthz: number; readyz: number; started: number }

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  const rounds = smoke ? 1 : 7;
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-startup-'));
  const ws = new Workspace({ signingSecret: randomBytes(16).toString('hex') });
  try {
    await ws.listen(0);
    const root = writeRunbooks(dir, RUNBOOKS);
    const check = await loadRunbooks(root);
    if (check.runbooks.length !== RUNBOOKS) throw new Error(`generated runbooks do not load: ${JSON.stringify(check.errors.slice(0, 3))}`);
    const built = spawnSync(process.execPath, ['scripts/build.mjs', '--no-check', '--if-stale'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
    const env = (runbooks: string) => ({
      SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
      DATABASE_URL: `sqlite:${join(dir, `${runbooks ? 'with' : 'without'}.db`)}`, OPSROOM_CONFIG: join(dir, 'none.yml'),
      OPSROOM_RUNBOOKS: runbooks || join(dir, 'none'), OPSROOM_INVENTORY: join(dir, 'none-inventory.yml'), LOG_LEVEL: 'warn',
    });
    const variants: Record<string, () => Promise<Start>> = {
      runbooks: () => startOpsroom(env(root)),
      tsx: () => startOpsroom(env(root), true),
      none: () => startOpsroom(env('')),
      bare: () => startBare({ SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl }),
    };
    const names = Object.keys(variants);
    const t: Record<string, Start[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < (smoke ? 1 : rounds + 1); r++) {
      for (const name of names.map((_, i) => names[(i + r) % names.length])) {
        const s = await variants[name]();
        if (r > 0 || smoke) t[name].push(s); // the first round warms the disk cache and creates the databases
      }
    }
    const col = (name: string, k: keyof Start) => t[name].map((s) => s[k]);
    const [w, x, n, b] = ['runbooks', 'tsx', 'none', 'bare'].map((v) => median(col(v, 'started')));
    log(`compiled with ${RUNBOOKS} runbooks ${medianSpread(col('runbooks', 'started'))}; tsx ${medianSpread(col('tsx', 'started'))}; none ${medianSpread(col('none', 'started'))}; bare bolt ${medianSpread(col('bare', 'started'))}`);
    return [{
      key: 'startup.ms', value: round(w, 0),
      detail: `compiled, process start to started with ${RUNBOOKS} runbooks ${medianSpread(col('runbooks', 'started'))} (/healthz at ${fmt(median(col('runbooks', 'healthz')))} ms, /readyz at ${fmt(median(col('runbooks', 'readyz')))} ms); with no runbooks ${fmt(n)} ms; bare Bolt app ${fmt(b)} ms`,
      data: t,
    }, {
      key: 'startup.tsx_ms', value: round(x, 0),
      detail: `the same through tsx ${medianSpread(col('tsx', 'started'))}; compiled/tsx ${fmt(w / x)}`,
    }];
  } finally {
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startOpsroom(env: NodeJS.ProcessEnv, tsx = false): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = tsx ? spawnTs('src/main.ts', { ...env, PORT: String(port) }) : spawnCompiled({ ...env, PORT: String(port) });
  try {
    const started = waitForLine(child, /listening on /).then(() => performance.now() - t0);
    const [healthz, readyz] = await Promise.all([firstOk(`http://127.0.0.1:${port}/healthz`, t0), firstOk(`http://127.0.0.1:${port}/readyz`, t0)]);
    return { healthz, readyz, started: await started };
  } finally {
    await stopChild(child);
  }
}

async function startBare(env: NodeJS.ProcessEnv): Promise<Start> {
  const t0 = performance.now();
  const child = spawnTs('bench/ack/bare-bolt.ts', env);
  try {
    await waitForLine(child, /^\{"url"/);
    const ms = performance.now() - t0;
    return { healthz: ms, readyz: ms, started: ms };
  } finally {
    await stopChild(child);
  }
}

/** `node dist/src/main.js`, killed if the benchmark exits first. */
function spawnCompiled(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'main.js')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return child;
}

/** Polls every 5 ms until the URL answers 200; the time since t0. */
async function firstOk(url: string, t0: number): Promise<number> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const ok = await fetch(url).then((r) => { void r.arrayBuffer(); return r.status === 200; }, () => false);
    if (ok) return performance.now() - t0;
    await sleep(5);
  }
  throw new Error(`${url} did not answer 200 within 60 s`);
}
