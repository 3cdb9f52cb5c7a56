/**
 * Stop across replicas: two opsroom processes on one PostgreSQL and one local Slack workspace. A
 * `sleep 300` runs on replica A (in a container of a real Docker engine); the Stop click reaches
 * replica B. A's engine finds the stored stop within its poll and kills the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '#store/index.js';
import { KyselyRunStore } from '#store/runs.js';
import { Workspace } from '#workspace/index.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';
import { waitFor } from '../support/slack-app.js';
import { busyboxRedis, type RedisEngine, writeRunbooks } from './support/runs-world.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const HANG = `
title: Hung command
match: { keywords: [hung] }
docker: { project: blatam }
steps:
  - id: hang
    title: Wait for the queue
    read_only: true
    docker: { service: redis, exec: [sleep, "300"] }
    timeout: 10m
`;

const ready = dockerAvailable() && postgresBinaries() !== undefined;

/** The processes in the container whose command line is exactly `sleep 300`. */
async function sleepers(c: Docker.Container): Promise<number> {
  const exec = await c.exec({ Cmd: ['ps', '-o', 'args'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((r) => { stream.on('data', (b: Buffer) => chunks.push(b)); stream.on('end', () => r()); });
  return Buffer.concat(chunks).toString('latin1').split('\n').filter((l) => /(^|\W)sleep 300\s*$/.test(l)).length;
}

describe.skipIf(!ready)('Stop clicked on another replica', () => {
  let pg: TestPostgres | undefined;
  let engine: RedisEngine | undefined;
  let ws: Workspace | undefined;
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
    await ws?.close();
    await engine?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the replica running the step: the process is killed, the step is interrupted', async () => {
    [pg, engine] = await Promise.all([usePostgres(), busyboxRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'opsroom-stop-'));
    const paths = writeRunbooks(dir, engine.socketPath, { runbooks: { 'hung.yml': HANG } });
    writeFileSync(join(dir, 'opsroom.yml'), 'permissions: { runners: [], responders: [S0ONCALL] }\n');
    ws = new Workspace({ incidentsChannel: { id: INC, name: 'incidents' } });
    await ws.listen(0);
    const start = (name: string) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/ops/support/replica.ts'], {
        env: {
          ...process.env, PORT: '0', OPSROOM_HOST: '127.0.0.1', DATABASE_URL: pg!.url,
          SLACK_BOT_TOKEN: ws!.botToken, SLACK_SIGNING_SECRET: ws!.signingSecret, SLACK_API_URL: ws!.apiUrl, OPSROOM_INCIDENT_CHANNEL: INC,
          OPSROOM_CONFIG: join(dir, 'opsroom.yml'), OPSROOM_RUNBOOKS: paths.runbooks, OPSROOM_INVENTORY: paths.inventory,
          OPSROOM_INSTANCE_ID: name, LOG_LEVEL: 'error', OPSROOM_TEST_SECRET: 'not-shown-anywhere',
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
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${err}`)));
    });
    // One at a time: both migrate the same database.
    const a = await start('replica-a');
    const b = await start('replica-b');
    const thread = (ts: string) => ws!.state.data.messages.filter((m) => m.channel === INC && m.thread_ts === ts && m.ts !== ts);

    ws.appUrl = `${a}/slack/events`;
    const opened = await ws.slash('U0CAROL', GEN, 'open P3 Hung queue');
    expect(opened.json?.text).toMatch(/Opened \*INC-1\*/);
    const card = await waitFor(() => ws!.state.data.messages.find((m) => m.channel === INC && (m.text ?? '').startsWith('INC-1 ')), 15_000);
    // The thread is the incident's once the card's ts is stored (the suggestions come after that).
    await waitFor(() => thread(card.ts).some((m) => (m.text ?? '').startsWith('Runbooks that match')), 15_000);
    const r = await ws.slash('U0CAROL', INC, 'run hung', { command: '/runbook', threadTs: card.ts });
    const runId = Number(/run (\d+)/.exec(r.json?.text ?? '')?.[1]);
    const rc = await waitFor(() => thread(card.ts).find((m) => (m.text ?? '').startsWith('Runbook ') && m.text.includes(`(run ${runId})`)), 15_000);
    await ws.click('U0CAROL', { channel: INC, ts: rc.ts }, 'run.step.run', { value: `${runId}:hang` });
    await waitFor(async () => (await sleepers(engine!.redis)) === 1, 15_000);
    const out = await waitFor(() => thread(card.ts).find((m) => (m.text ?? '').startsWith('hang: ') && JSON.stringify(m.blocks).includes('run.step.stop')), 15_000);

    db = await openDatabase(pg.url, { migrate: false, poolSize: 2 });
    const runs = new KyselyRunStore(db);
    expect((await runs.attempts(runId, 'hang'))[0].instance).toBe('replica-a');

    // The click lands on replica B, which runs nothing.
    ws.appUrl = `${b}/slack/events`;
    await ws.click('U0CAROL', { channel: INC, ts: out.ts }, 'run.step.stop', { value: `${runId}:hang:1` });
    await waitFor(async () => (await runs.getStep(runId, 'hang'))?.state === 'interrupted', 15_000);
    expect(await sleepers(engine.redis)).toBe(0);
    expect((await runs.attempts(runId, 'hang'))[0]).toMatchObject({ state: 'interrupted', error: 'stopped by U0CAROL', instance: 'replica-a' });
    const events = await (db.db as any).selectFrom('events').selectAll().where('kind', '=', 'step').execute();
    expect(events.map((e: { actor: string; text: string }) => `${e.actor} ${e.text}`)).toEqual([expect.stringMatching(/^U0CAROL `hang` on `docker:blatam\/redis`: stopped by <@U0CAROL> after /)]);
    await waitFor(() => /stopped by/.test(JSON.stringify(ws!.state.data.messages.find((m) => m.ts === out.ts)?.blocks)), 10_000);
  }, 120_000);
});
