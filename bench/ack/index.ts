/**
 * Acknowledgement latency under load: signed `/incident open` requests at a fixed rate against
 * opsroom (its real entry point, `src/main.ts`, in HTTP mode) and against a bare Bolt app that only
 * acks, rounds interleaved (A B, B A, …). Both talk to one local workspace (the Slack Web API),
 * running in this process; the load generator is a process of its own. Then again on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Workspace } from '#workspace/index.js';
import { createDatabase, postgresBinaries, startPostgres } from '../../test/support/peers/postgres.js';
import { ask, forkTs, sleep, spawnTs, stopChild, waitForLine } from '../lib/procs.js';
import { progress, type BenchOptions, type BenchResult } from '../lib/result.js';
import { fmt, summarize, type Summary } from '../lib/stats.js';
import type { LoadResult, LoadSpec } from './loadgen.js';

const log = (m: string) => progress('ack', m);
const OVER_MS = 3000;

interface Server { name: string; url: string; child: ChildProcess }
interface Tally { latencies: number[]; roundP99: number[]; errors: LoadResult['errors']; queued: number; late: number; over: number; cpuMs: number; cards: number[]; noCard: number }

export async function run({ smoke }: BenchOptions): Promise<BenchResult[]> {
  const base = smoke ? { rate: 50, seconds: 1, rounds: 1, pgRounds: 1 } : { rate: 200, seconds: 5, rounds: 4, pgRounds: 2 };
  // BENCH_ACK_RATE / BENCH_ACK_SECONDS / BENCH_ACK_ROUNDS: to look for the rate where opsroom keeps up.
  const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
  const cfg = { rate: num(process.env.BENCH_ACK_RATE, base.rate), seconds: num(process.env.BENCH_ACK_SECONDS, base.seconds), rounds: num(process.env.BENCH_ACK_ROUNDS, base.rounds), pgRounds: num(process.env.BENCH_ACK_ROUNDS, base.pgRounds) };
  const inflight = 50;
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-bench-ack-'));
  const ws = new Workspace({ signingSecret: randomBytes(16).toString('hex') });
  const stops: Array<() => Promise<unknown>> = [];
  try {
    await ws.listen(0);
    const env = { SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl };
    const bare = await startServer('bare bolt', 'bench/ack/bare-bolt.ts', env, /^\{"url":"([^"]+)"/);
    stops.push(() => stopChild(bare.child));
    const sqlite = await startOpsroom('opsroom/sqlite', env, `sqlite:${join(dir, 'opsroom.db')}`, dir);
    stops.push(() => stopChild(sqlite.child));
    const gen = forkTs('bench/ack/loadgen.ts');
    stops.push(() => stopChild(gen));

    let round = 0;
    const load = async (s: Server, tally: Tally | undefined, rate = cfg.rate, seconds = cfg.seconds) => {
      const spec: LoadSpec = {
        url: s.url, secret: ws.signingSecret, rate, seconds, inflight, tag: `r${round++}-${randomBytes(3).toString('hex')}`,
        users: ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'], channel: 'C0GENERAL',
      };
      const cpu0 = cpuMs(s.child.pid!);
      const r = await ask<LoadResult>(gen, spec);
      await quiet(ws); // opsroom's card posts finish before the next round starts
      if (!tally) return;
      const cards = cardLatencies(ws, spec.tag, r.dueEpoch);
      tally.cards.push(...cards);
      tally.noCard += r.dueEpoch.length - cards.length;
      tally.cpuMs += cpuMs(s.child.pid!) - cpu0;
      tally.latencies.push(...r.latencies);
      tally.roundP99.push(summarize(r.latencies).p99);
      tally.errors.push(...r.errors);
      tally.queued += r.queued;
      tally.late += r.late;
      tally.over += r.latencies.filter((l) => l > OVER_MS).length;
      log(`${s.name}: ${describeRound(r)}, server CPU ${fmt((cpuMs(s.child.pid!) - cpu0) / r.latencies.length)} ms/request`);
    };
    const interleave = async (a: Server, ta: Tally, b: Server, tb: Tally, rounds: number) => {
      // Warm-up (JIT, connections, SQLite pages), not counted.
      await load(a, undefined, cfg.rate, smoke ? 0.5 : 2);
      await load(b, undefined, cfg.rate, smoke ? 0.5 : 2);
      for (let i = 0; i < rounds; i++) {
        const order: Array<[Server, Tally]> = i % 2 === 0 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]];
        for (const [s, t] of order) await load(s, t);
      }
    };

    const opsSqlite = tally(), bareSqlite = tally();
    log(`SQLite: ${cfg.rounds} rounds of ${cfg.rate}/s for ${cfg.seconds} s each, ${inflight} in flight`);
    await interleave(sqlite, opsSqlite, bare, bareSqlite, cfg.rounds);
    // Where people feel it: from the command to its card in the channel, at a calm 20/s.
    const calm = tally();
    log(`card at 20/s: ${smoke ? 1 : 5} s`);
    await load(sqlite, calm, 20, smoke ? 1 : 5);
    await stopChild(sqlite.child);

    const results: BenchResult[] = [];
    const o = summarize(opsSqlite.latencies), b = summarize(bareSqlite.latencies);
    results.push(
      { key: 'ack.p99_ratio', value: round2(o.p99 / b.p99), detail: `opsroom ${fmt(o.p99)} ms / bare bolt ${fmt(b.p99)} ms, n=${o.n}; per-round p99 opsroom ${spread(opsSqlite.roundP99)}, bare ${spread(bareSqlite.roundP99)}; server CPU per request opsroom ${fmt(perRequestCpu(opsSqlite))} ms, bare ${fmt(perRequestCpu(bareSqlite))} ms`, data: { opsroom: stats(opsSqlite, o), bare: stats(bareSqlite, b), ...cfg, inflight } },
      { key: 'ack.cpu_ratio', value: round2(perRequestCpu(opsSqlite) / Math.max(0.01, perRequestCpu(bareSqlite))), detail: `server CPU per /incident open on SQLite: opsroom ${fmt(perRequestCpu(opsSqlite))} ms / bare bolt ${fmt(perRequestCpu(bareSqlite))} ms (user + system from /proc, ${cfg.rate}/s, n=${o.n})` },
      cardResult('card.p50_ms', calm, 'p50', 20),
      cardResult('card.p99_ms', opsSqlite, 'p99', cfg.rate),
      { key: 'ack.p99_ms', value: round2(o.p99), detail: `opsroom on SQLite: p50 ${fmt(o.p50)} ms, p99 ${fmt(o.p99)} ms, max ${fmt(o.max)} ms; bare bolt p50 ${fmt(b.p50)} ms, max ${fmt(b.max)} ms; ${cfg.rate}/s, n=${o.n}` },
    );

    let overPg = 0, nPg = 0;
    if (postgresBinaries()) {
      const server = await startPostgres();
      stops.push(() => server.stop());
      const database = await createDatabase(server.url);
      const pg = await startOpsroom('opsroom/postgres', env, database.url, dir);
      stops.push(() => stopChild(pg.child));
      const opsPg = tally(), barePg = tally();
      log(`PostgreSQL: ${cfg.pgRounds} rounds`);
      await interleave(pg, opsPg, bare, barePg, cfg.pgRounds);
      await stopChild(pg.child);
      const p = summarize(opsPg.latencies), bp = summarize(barePg.latencies);
      overPg = opsPg.over;
      nPg = p.n;
      results.push({ key: 'ack.postgres_p99_ratio', value: round2(p.p99 / bp.p99), detail: `opsroom on PostgreSQL ${fmt(p.p99)} ms / bare bolt ${fmt(bp.p99)} ms, n=${p.n}; p50 ${fmt(p.p50)} vs ${fmt(bp.p50)} ms, max ${fmt(p.max)} ms`, data: { opsroom: stats(opsPg, p), bare: stats(barePg, bp) } });
    } else {
      log('PostgreSQL missing: ack.postgres_p99_ratio not measured');
    }
    const errors = opsSqlite.errors.length;
    results.push({
      key: 'ack.over_3s', value: opsSqlite.over + overPg,
      detail: `requests to opsroom answered after 3 s or not at all: SQLite ${opsSqlite.over}/${o.n}${nPg ? `, PostgreSQL ${overPg}/${nPg}` : ''}; non-200 answers ${errors}${errors ? ` (first: ${opsSqlite.errors[0].status} ${opsSqlite.errors[0].body})` : ''}; on SQLite ${opsSqlite.queued} waited for one of the ${inflight} connections, ${opsSqlite.late} acks needed the 2 s "Working on it" fallback`,
    });
    return results;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startServer(name: string, file: string, env: NodeJS.ProcessEnv, pattern: RegExp, nodeArgs: string[] = []): Promise<Server> {
  const child = spawnTs(file, env, [], nodeArgs);
  const m = await waitForLine(child, pattern);
  return { name, url: m[1], child };
}

/** BENCH_ACK_CPU_PROF=<dir>: a V8 CPU profile of each opsroom process (summary: bench/ack/profile.ts). */
const profiled = process.env.BENCH_ACK_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_ACK_CPU_PROF}`] : [];

/** opsroom's own entry point, as `npm start` runs it, in HTTP mode against the workspace. */
async function startOpsroom(name: string, env: NodeJS.ProcessEnv, databaseUrl: string, dir: string): Promise<Server> {
  const s = await startServer(name, 'src/main.ts', {
    ...env, DATABASE_URL: databaseUrl, PORT: '0', OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS', OPSROOM_CONFIG: join(dir, 'none.yml'),
    OPSROOM_RUNBOOKS: join(dir, 'no-runbooks'), OPSROOM_INVENTORY: join(dir, 'none-inventory.yml'),
  }, /listening on (http:\/\/\S+?)\s/, profiled);
  return { ...s, url: `${s.url}/slack/events` };
}

/** Waits until the workspace has had no Web API call for 300 ms (at most 60 s). */
async function quiet(ws: Workspace): Promise<void> {
  const until = Date.now() + 60_000;
  let last = -1;
  while (Date.now() < until) {
    const n = ws.calls().length;
    if (n === last) return;
    last = n;
    await sleep(300);
  }
}

const tally = (): Tally => ({ latencies: [], roundP99: [], errors: [], queued: 0, late: 0, over: 0, cpuMs: 0, cards: [], noCard: 0 });

/** Per request of a round: its card's arrival in the channel (the workspace's message ts) minus when it was due. */
function cardLatencies(ws: Workspace, tag: string, dueEpoch: number[]): number[] {
  const title = new RegExp(`${tag} service (\\d+) is down`);
  const out: number[] = [];
  for (const m of ws.state.data.messages) {
    const hit = (!m.thread_ts || m.thread_ts === m.ts) && title.exec(m.text ?? '');
    if (hit) out.push(Number(m.ts) * 1000 - dueEpoch[Number(hit[1])]);
  }
  return out;
}

function cardResult(key: string, t: Tally, which: 'p50' | 'p99', rate: number): BenchResult {
  const c = summarize(t.cards);
  return {
    key, value: round2(c[which]),
    detail: `command due to its card in the channel at ${rate}/s on SQLite: p50 ${fmt(c.p50)} ms, p99 ${fmt(c.p99)} ms, max ${fmt(c.max)} ms, n=${c.n}${t.noCard ? `; ${t.noCard} cards never arrived` : ''}`,
  };
}
/** CPU time (user + system) a process has used so far, from /proc (0 where there is none). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms
  } catch {
    return 0;
  }
}
const perRequestCpu = (t: Tally) => t.cpuMs / Math.max(1, t.latencies.length);
const round2 = (v: number) => Math.round(v * 100) / 100;
const spread = (v: number[]) => (v.length > 1 ? `${fmt(Math.min(...v))}–${fmt(Math.max(...v))} ms` : `${fmt(v[0])} ms`);
const stats = (t: Tally, s: Summary) => ({ ...s, roundP99: t.roundP99, errors: t.errors.length, queued: t.queued, late: t.late, over3s: t.over, cpuMsPerRequest: round2(perRequestCpu(t)) });
function describeRound(r: LoadResult): string {
  const s = summarize(r.latencies);
  return `p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, max ${fmt(s.max)} ms, n=${s.n}, errors ${r.errors.length}, queued ${r.queued}, late ${r.late}, ${fmt(r.wallMs / 1000)} s`;
}
