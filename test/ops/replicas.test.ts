/**
 * Three opsroom replicas (child processes) on one real PostgreSQL, behind a round-robin proxy,
 * against one local Slack workspace. Slash commands with Slack retries and double deliveries,
 * clicks with duplicates, one replica SIGKILLed while steps run. Then: exactly the expected
 * incidents, state changes and step executions; interrupted steps marked; reminders once;
 * every effect delivered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '#store/index.js';
import { Workspace } from '#workspace/index.js';
import { visibleText } from '../support/opsroom.js';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';
import { waitFor } from '../support/slack-app.js';
import { startProxy, type Proxy } from './support/proxy.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const USERS = ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'];
// Scale (kept here so a slow machine can lower it; the issue asks for 500 commands and 200 clicks).
const INCIDENTS = 200; // distinct /incident open commands; + 150 Slack retries + 150 double deliveries = 500
const PROBE_RUNS = 20; // incidents 0..19 start the quick runbook; 20..25 the slow one
const SLOW_RUNS = 6;
const ACKED = 34; // incidents 26..59 get three Acknowledge clicks each
const SLOW_MS = 20_000;
const REMIND_EVERY_S = 15; // P4's update interval
const CONCURRENCY = Number(process.env.REPLICA_TEST_CONCURRENCY ?? 6); // requests in flight at once

const hasPg = postgresBinaries() !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, k) => from + k);
const titleOf = (i: number) => (i < 30 ? `probe service ${i}` : `Service ${i} down`);
const severityOf = (i: number) => (i < 5 ? 'P4' : 'P2');

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(n: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(range(n).map(async () => {
    while (next < jobs.length) {
      const k = next++;
      out[k] = await jobs[k]();
    }
  }));
  return out;
}

/** A fixed shuffle, so a failure can be replayed. */
function shuffle<T>(xs: T[], seed = 7): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe.skipIf(!hasPg)('three replicas on one PostgreSQL', () => {
  let pg: TestPostgres | undefined;
  let ws: Workspace | undefined;
  let proxy: Proxy | undefined;
  let target: Server | undefined;
  let db: Database | undefined;
  let dir = '';
  const children = new Map<string, ChildProcess>();

  afterAll(async () => {
    await Promise.all([...children.values()].map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 8000).unref();
    })));
    await db?.close();
    await proxy?.close();
    await ws?.close();
    target?.closeAllConnections();
    target?.close();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every effect once, nothing lost, a killed replica\'s steps marked interrupted', async () => {
    pg = await usePostgres();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-replicas-'));

    // The systems the runbook steps call: counts every request by path.
    const hits = new Map<string, number>();
    target = createServer((req, res) => {
      const path = decodeURIComponent(req.url ?? '/');
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (!path.startsWith('/slow/')) return void res.end('ok');
      const timer = setTimeout(() => res.end('ok'), SLOW_MS);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', r));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;

    mkdirSync(join(dir, 'runbooks'));
    const runbook = (id: string, path: string, timeout: string) => `id: ${id}
title: ${id} check
match: { keywords: [probe] }
params:
  name: { type: string, pattern: "^[A-Za-z0-9 ]+$", from: incident.title }
steps:
  - id: check
    title: Check {{ name }}
    http: { url: "${targetUrl}/${path}/{{ name }}", expect_status: 200 }
    timeout: ${timeout}
`;
    writeFileSync(join(dir, 'runbooks', 'probe.yml'), runbook('probe', 'probe', '10s'));
    writeFileSync(join(dir, 'runbooks', 'slow.yml'), runbook('slow', 'slow', '60s'));
    // A shift changed two minutes ago: one replica posts its handoff (it is still in the late window).
    const two = new Date(Date.now() - 120_000);
    const shiftChange = `${String(two.getUTCHours()).padStart(2, '0')}:${String(two.getUTCMinutes()).padStart(2, '0')}`;
    writeFileSync(join(dir, 'opsroom.yml'), `severities:
  - { id: P1, responseMinutes: 5, updateIntervalMinutes: 30 }
  - { id: P2, responseMinutes: 15, updateIntervalMinutes: 60 }
  - { id: P4, responseMinutes: 60, updateIntervalMinutes: ${REMIND_EVERY_S / 60} }
handoff:
  channel: ${GEN}
  shifts: ["${shiftChange}"]
  pagerduty: false
`);

    ws = new Workspace({ incidentsChannel: { id: INC, name: 'incidents' } });
    await ws.listen(0);

    const start = (name: string) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/support/replica.ts'], {
        env: {
          ...process.env, PORT: '0', OPSROOM_HOST: '127.0.0.1', DATABASE_URL: pg!.url,
          SLACK_BOT_TOKEN: ws!.botToken, SLACK_SIGNING_SECRET: ws!.signingSecret, SLACK_API_URL: ws!.apiUrl, OPSROOM_INCIDENT_CHANNEL: INC,
          OPSROOM_CONFIG: join(dir, 'opsroom.yml'), OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_INVENTORY: join(dir, 'none.yml'),
          OPSROOM_INSTANCE_ID: name, REMINDER_EVERY_MS: '1000', LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.set(name, child);
      let err = '';
      child.stderr!.on('data', (c) => (err = (err + c).slice(-4000)));
      child.stdout!.on('data', (c) => {
        const m = /READY (\S+)/.exec(String(c));
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${err}`)));
    });
    const names = ['replica-1', 'replica-2', 'replica-3'];
    const urls = await Promise.all(names.map(start));
    const nameOf = new Map(urls.map((u, k) => [u, names[k]]));
    proxy = await startProxy(urls);
    ws.appUrl = `${proxy.url}/slack/events`;
    db = await openDatabase(pg.url, { migrate: false, poolSize: 2 });
    const q = db.db as any;
    const count = async (sqlTable: string, where: (qb: any) => any = (x) => x) =>
      Number((await where(q.selectFrom(sqlTable).select((eb: any) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow()).n);

    // Slack as a sender: retries (x-slack-retry-num) when a replica fails to answer or answers too
    // late (Bolt gives up on an unacknowledged request after 3 s with an empty 404).
    let lateAcks = 0;
    const send = async (body: string, retryNum = 0) => {
      for (let n = retryNum; ; n++) {
        const headers = n ? { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_error' } : undefined;
        const r = await ws!.sendRaw({ body, secret: ws!.signingSecret, headers }).catch(() => undefined);
        const late = r?.status === 404 && r.durationMs >= 2900;
        if (late) lateAcks++;
        if ((r && r.status < 500 && !late) || n >= retryNum + 4) return r;
        await sleep(300);
      }
    };
    const slashBody = (i: number) => new URLSearchParams({
      token: 'local-verification-token', team_id: 'T0LOCAL', team_domain: 'opsroom-local', channel_id: GEN, channel_name: 'general',
      user_id: USERS[i % USERS.length], user_name: 'u', command: '/incident', text: `open ${severityOf(i)} ${titleOf(i)}`,
      api_app_id: 'A0OPSROOM', trigger_id: `T-open-${i}`, response_url: 'http://127.0.0.1:1/response/none',
    }).toString();

    // Phase 1: 500 slash commands — each open once, 150 Slack retries, 150 delivered twice.
    const opens = range(INCIDENTS).map((i) => ({ body: slashBody(i), retry: 0 }));
    const requests = shuffle([
      ...opens,
      ...opens.slice(0, 150).map((o) => ({ ...o, retry: 1 })),
      ...opens.slice(INCIDENTS - 150).map((o) => ({ ...o })),
    ]);
    expect(requests).toHaveLength(500);
    const t0 = Date.now();
    const answers = await pool(CONCURRENCY, requests.map((r) => () => send(r.body, r.retry)));
    const took = answers.map((a) => a?.durationMs ?? 0).sort((x, y) => x - y);
    console.log(`phase 1: ${requests.length} commands in ${Date.now() - t0} ms; answer ms p50 ${took[250]} p99 ${took[495]} max ${took[499]}; acknowledged too late (retried): ${lateAcks}`);
    for (const u of urls) {
      const m = await (await fetch(`${u}/metrics`)).text();
      console.log(nameOf.get(u), m.split('\n').filter((l) => /^opsroom_slack_ack_seconds_(bucket\{le="(0.1|0.5|1|2.5)"|count)/.test(l)).join(' | '));
    }
    expect(answers.filter((a) => a?.status !== 200)).toEqual([]);
    for (const u of urls) expect(proxy.served.get(u) ?? 0).toBeGreaterThan(50);

    await waitFor(async () => (await count('incidents', (x) => x.where('card_ts', 'is not', null))) === INCIDENTS, 120_000);
    const incidents: Array<{ id: number; title: string; card_ts: string; severity: string }> =
      await q.selectFrom('incidents').select(['id', 'title', 'card_ts', 'severity']).orderBy('id').execute();
    expect(incidents.map((x) => x.title).sort()).toEqual(range(INCIDENTS).map(titleOf).sort());
    const byIndex = (i: number) => incidents.find((x) => x.title === titleOf(i))!;

    // Phase 2: 200 clicks. Start the runbooks from the suggestions in each thread.
    const thread = (ts: string) => ws!.state.data.messages.filter((m) => m.channel === INC && m.thread_ts === ts && m.ts !== ts);
    const hasAction = (m: { blocks?: unknown[] }, action: string) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${action}"`);
    const click = async (user: string, ts: string, action: string, value?: string) => {
      for (let n = 0; n < 4; n++) {
        let gone = false;
        const r = await ws!.click(user, { channel: INC, ts }, action, value ? { value } : {}).catch((e: Error) => {
          gone = /no element/.test(e.message); // the button is gone: what it did is done
          return undefined;
        });
        if ((r && r.status < 500) || gone) return r;
        await sleep(300);
      }
      return undefined;
    };
    let clicks = 0;
    const startJobs = range(PROBE_RUNS + SLOW_RUNS).map((i) => async () => {
      const cardTs = byIndex(i).card_ts;
      const suggestion = await waitFor(() => thread(cardTs).find((m) => hasAction(m, 'run.start')), 60_000);
      clicks++;
      return click(USERS[i % 4], suggestion.ts, 'run.start', i < PROBE_RUNS ? 'probe' : 'slow');
    });
    await pool(8, startJobs);
    await waitFor(async () => (await count('runs')) === PROBE_RUNS + SLOW_RUNS, 60_000);
    const runCard = (i: number) => thread(byIndex(i).card_ts).find((m) => hasAction(m, 'run.step.run'));
    await waitFor(() => range(PROBE_RUNS + SLOW_RUNS).every((i) => runCard(i)), 60_000);
    // A card is visible a moment before the bot stores its reference; a click in that moment is
    // refused ("does not belong to a known run"). Wait for the references (the bot's work is done).
    await waitFor(async () => (await count('chat_refs', (x) => x.where('key', 'like', 'run:%'))) === PROBE_RUNS + SLOW_RUNS, 30_000);
    const runCardTs = new Map(range(PROBE_RUNS + SLOW_RUNS).map((i) => [i, runCard(i)!.ts]));
    const message = (ts: string) => ws!.state.data.messages.find((m) => m.channel === INC && m.ts === ts)!;

    // The slow steps start (two clicks each, to different replicas) and keep running.
    await pool(CONCURRENCY, range(SLOW_RUNS, PROBE_RUNS).map((i) => () => {
      const ts = runCard(i)!.ts;
      clicks += 2;
      return Promise.all([0, 1].map((k) => click(USERS[k], ts, 'run.step.run')));
    }));
    await waitFor(async () => (await count('step_attempts', (x) => x.where('state', '=', 'running'))) === SLOW_RUNS, 30_000);
    const running: Array<{ instance: string }> = await q.selectFrom('step_attempts').select('instance').where('state', '=', 'running').execute();
    const perInstance = new Map<string, number>();
    for (const r of running) perInstance.set(r.instance, (perInstance.get(r.instance) ?? 0) + 1);
    const victim = [...perInstance.entries()].sort((a, b) => b[1] - a[1])[0][0];

    // Quick steps (three clicks at once each, as a double-clicking crowd does) and Acknowledge
    // (three people at once each), mixed; the victim dies a third of the way in.
    const together = (ts: string, action: string, users: string[]) => async () => {
      clicks += users.length;
      await Promise.all(users.map((u) => click(u, ts, action)));
    };
    const jobs = shuffle([
      ...range(PROBE_RUNS).map((i) => together(runCard(i)!.ts, 'run.step.run', USERS.slice(0, 3))),
      ...range(ACKED, PROBE_RUNS + SLOW_RUNS).map((i) => together(byIndex(i).card_ts, 'incident.acknowledge', USERS.slice(1, 4))),
    ]).map((job, k) => async () => {
      if (k === 18) children.get(victim)!.kill('SIGKILL');
      return job();
    });
    await pool(CONCURRENCY, jobs);
    expect(clicks).toBe(200);

    // The victim's steps are marked interrupted by a surviving replica (heartbeat lapse), the others finish.
    await waitFor(async () => (await count('step_attempts', (x) => x.where('state', '=', 'running'))) === 0, 150_000);
    await waitFor(async () => (await count('effects', (x) => x.where('state', '=', 'pending'))) === 0, 120_000);

    // Incidents: exactly one per distinct command, each opened once, one card each, nothing undelivered.
    expect(await count('incidents')).toBe(INCIDENTS);
    const events: Array<{ incident_id: number; kind: string; at: number }> = await q.selectFrom('events').select(['incident_id', 'kind', 'at']).orderBy('id').execute();
    const kinds = (id: number, kind: string) => events.filter((e) => e.incident_id === id && e.kind === kind);
    for (const inc of incidents) expect(kinds(inc.id, 'opened')).toHaveLength(1);
    const cards = ws.state.data.messages.filter((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts));
    expect(cards).toHaveLength(INCIDENTS);
    expect(new Set(cards.map((c) => c.ts))).toEqual(new Set(incidents.map((x) => x.card_ts)));
    for (const inc of incidents) expect(thread(inc.card_ts).filter((m) => /opened this P\d incident/.test(m.text ?? '')).length).toBeGreaterThanOrEqual(1);
    expect(await count('effects', (x) => x.where('state', '=', 'failed'))).toBe(0);

    // State changes: one acknowledgement per acknowledged incident, whoever clicked where.
    for (const i of range(ACKED, PROBE_RUNS + SLOW_RUNS)) expect(kinds(byIndex(i).id, 'acknowledged')).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'acknowledged')).toHaveLength(ACKED);

    // Runs and executions: one run per Start click; one attempt per step despite duplicate clicks.
    const runs: Array<{ id: number; incident_id: number; runbook_id: string }> = await q.selectFrom('runs').select(['id', 'incident_id', 'runbook_id']).execute();
    expect(runs).toHaveLength(PROBE_RUNS + SLOW_RUNS);
    const attempts: Array<{ run_id: number; state: string; instance: string }> = await q.selectFrom('step_attempts').select(['run_id', 'state', 'instance']).execute();
    expect(attempts).toHaveLength(PROBE_RUNS + SLOW_RUNS);
    if (process.env.REPLICA_TEST_DEBUG) console.log('victim', victim, JSON.stringify(await q.selectFrom('step_attempts').select(['run_id', 'state', 'instance', 'error', 'started_at', 'finished_at']).execute()));
    for (const run of runs) {
      const mine = attempts.filter((a) => a.run_id === run.id);
      expect(mine).toHaveLength(1);
      const title = incidents.find((x) => x.id === run.incident_id)!.title;
      const calls = hits.get(`/${run.runbook_id}/${title}`) ?? 0;
      if (mine[0].instance === victim && mine[0].state === 'interrupted') {
        expect(calls).toBeLessThanOrEqual(1); // claimed by the replica that died: never run twice
      } else {
        expect(mine[0].state).toBe('succeeded');
        expect(calls).toBe(1);
      }
    }
    // Metrics: step attempts by kind and result (whole database) on any replica; durations where they ran.
    const survivors = urls.filter((u) => nameOf.get(u) !== victim);
    const sample = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? 0);
    const scraped = await Promise.all(survivors.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    const succeeded = attempts.filter((a) => a.state === 'succeeded');
    expect(sample(scraped[0], 'opsroom_step_runs{kind="http",result="succeeded"}')).toBe(succeeded.length);
    const ranHere = scraped.reduce((n, text) => n + sample(text, 'opsroom_step_duration_seconds_count{kind="http",result="succeeded"}'), 0);
    expect(ranHere).toBe(succeeded.filter((a) => a.instance !== victim).length);

    const interrupted = attempts.filter((a) => a.state === 'interrupted');
    expect(interrupted.length).toBeGreaterThanOrEqual(perInstance.get(victim)!);
    expect(interrupted.every((a) => a.instance === victim)).toBe(true);
    // The run card of an interrupted step says so (posted by a surviving replica).
    const slowInterrupted = runs.filter((r) => r.runbook_id === 'slow' && attempts.find((a) => a.run_id === r.id)?.state === 'interrupted');
    for (const r of slowInterrupted) {
      const i = range(SLOW_RUNS, PROBE_RUNS).find((k) => byIndex(k).id === r.incident_id)!;
      await waitFor(() => /interrupted/i.test(visibleText(message(runCardTs.get(i)!))), 30_000);
    }

    // Reminders: P4 incidents with no update are reminded every 15 s by one replica — never twice for one due time.
    let reminded = 0;
    for (const i of range(5)) {
      const inc = byIndex(i);
      const times = kinds(inc.id, 'reminder').map((e) => Number(e.at));
      reminded += times.length;
      for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(REMIND_EVERY_S * 1000 - 1000);
      expect(thread(inc.card_ts).filter((m) => /No update for/.test(m.text ?? ''))).toHaveLength(times.length);
    }
    expect(reminded).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === 'reminder' && !range(5).some((i) => byIndex(i).id === e.incident_id))).toEqual([]);
    // The scheduled handoff: posted once, by one replica, though all three tick.
    expect(await count('handoffs')).toBe(1);
    const handoffPosts = ws.state.data.messages.filter((m) => m.channel === GEN && m.user === 'U0OPSBOT' && (!m.thread_ts || m.thread_ts === m.ts));
    expect(handoffPosts).toHaveLength(1);
    expect(nameOf.size).toBe(3);
  }, 600_000);
});
