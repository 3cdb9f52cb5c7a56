/**
 * PostgreSQL stopped and started again under three running replicas (child processes). While it is
 * down: every slash command gets "opsroom cannot save right now" within Slack's 3 s, no replica
 * exits, /readyz names the database. Once it is back: the replicas are ready again by themselves,
 * new commands work, and what was acknowledged before the outage is all there, once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '#store/index.js';
import { Workspace } from '#workspace/index.js';
import { createDatabase, postgresBinaries, startPostgres, type PostgresServer } from '../support/peers/postgres.js';
import { waitFor } from '../support/slack-app.js';
import { startProxy, type Proxy } from './support/proxy.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const hasPg = postgresBinaries() !== undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasPg)('PostgreSQL outage under running replicas', () => {
  let server: PostgresServer | undefined;
  let ws: Workspace | undefined;
  let proxy: Proxy | undefined;
  let db: Database | undefined;
  let dir = '';
  const children: ChildProcess[] = [];

  afterAll(async () => {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 8000).unref();
    })));
    await db?.close();
    await proxy?.close();
    await ws?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers clearly while it is down, stays up, and recovers without losing anything', async () => {
    server = await startPostgres();
    const { url } = await createDatabase(server.url);
    dir = mkdtempSync(join(tmpdir(), 'opsroom-outage-'));
    writeFileSync(join(dir, 'opsroom.yml'), 'handoff:\n  pagerduty: false\n');
    ws = new Workspace({ incidentsChannel: { id: INC, name: 'incidents' } });
    await ws.listen(0);

    const start = (name: string) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/support/replica.ts'], {
        env: {
          ...process.env, PORT: '0', OPSROOM_HOST: '127.0.0.1', DATABASE_URL: url,
          SLACK_BOT_TOKEN: ws!.botToken, SLACK_SIGNING_SECRET: ws!.signingSecret, SLACK_API_URL: ws!.apiUrl, OPSROOM_INCIDENT_CHANNEL: INC,
          OPSROOM_CONFIG: join(dir, 'opsroom.yml'), OPSROOM_RUNBOOKS: join(dir, 'runbooks'), OPSROOM_INVENTORY: join(dir, 'none.yml'),
          OPSROOM_INSTANCE_ID: name, REMINDER_EVERY_MS: '500', LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (c) => (err = (err + c).slice(-4000)));
      child.stdout!.on('data', (c) => {
        const m = /READY (\S+)/.exec(String(c));
        if (m) resolve(m[1]);
      });
      child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}): ${err}`)));
    });
    const urls = await Promise.all(['replica-1', 'replica-2', 'replica-3'].map(start));
    proxy = await startProxy(urls);
    ws.appUrl = `${proxy.url}/slack/events`;
    const ready = async (u: string) => {
      const r = await fetch(`${u}/readyz`);
      return { status: r.status, body: await r.json() as { ready: boolean; failing: string[] } };
    };
    await waitFor(async () => (await Promise.all(urls.map(ready))).every((r) => r.status === 200), 20_000);

    // Acknowledged before the outage.
    for (const n of [1, 2, 3]) {
      const a = await ws.slash('U0ALICE', GEN, `open P2 Before outage ${n}`);
      expect(a.json?.text ?? '').toMatch(/Opened \*INC-\d+\*/);
    }

    db = await openDatabase(url, { migrate: false, poolSize: 2 });
    const undelivered = async () => (await (db!.db as any).selectFrom('effects').select('id').where('state', '!=', 'done').execute()).length;
    await waitFor(async () => (await undelivered()) === 0, 20_000);
    await db.close();
    db = undefined;

    server.halt();
    const outage = Date.now();
    // Commands while it is down: a clear answer, in time (in the ack, or through response_url).
    for (const n of [1, 2, 3, 4]) {
      const t0 = Date.now();
      const logged = ws.calls('response_url').length;
      const a = await ws.slash('U0BOB', GEN, `open P2 During outage ${n}`);
      expect(a.status).toBe(200);
      expect(a.durationMs).toBeLessThan(3000);
      await sleep(t0 + 3000 - Date.now());
      const late = ws.calls('response_url').slice(logged).filter((c) => c.at.getTime() <= t0 + 3000).map((c) => JSON.stringify(c.args));
      expect([a.json?.text ?? '', ...late].join(' ')).toMatch(/opsroom cannot save right now, try again in a moment/);
    }
    for (const u of urls) {
      const r = await ready(u);
      expect(r.status).toBe(503);
      expect(r.body.failing).toContain('database');
    }
    // Background loops (deliveries, leased loops) keep failing for a while: nobody exits.
    await sleep(Math.max(0, 6000 - (Date.now() - outage)));
    for (const c of children) expect(c.exitCode).toBeNull();

    server.resume();
    let last: unknown;
    await waitFor(async () => {
      const all = await Promise.all(urls.map(ready));
      last = all.map((r) => r.body);
      return all.every((r) => r.status === 200);
    }, 30_000).catch((e) => { throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}`); });
    for (const c of children) expect(c.exitCode).toBeNull();
    const after = await ws.slash('U0CAROL', GEN, 'open P2 After outage');
    expect(after.json?.text ?? '').toMatch(/Opened \*INC-\d+\*/);

    db = await openDatabase(url, { migrate: false, poolSize: 2 });
    const titles = (await (db.db as any).selectFrom('incidents').select('title').orderBy('id').execute()).map((r: { title: string }) => r.title);
    expect(titles).toEqual(['Before outage 1', 'Before outage 2', 'Before outage 3', 'After outage']);
    // Every incident's card reaches the channel once the outbox drains again, once each.
    await waitFor(async () => (await undelivered()) === 0, 30_000);
    const cards = ws.state.data.messages.filter((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts)).map((m) => m.text);
    expect(cards).toHaveLength(4);
  }, 120_000);
});
