/**
 * SIGKILL of the bot while a step runs, then a restart: the card shows the step as interrupted
 * with Retry, and nothing re-runs by itself. The bot is the real `src/main.ts` in a child process
 * (SQLite file and workspace state in a temp folder), driven over the workspace page's HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable, startDocker, type DockerPeer } from '../support/peers/docker.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { openDatabase } from '#store/index.js';
import { KyselyRunStore } from '#store/runs.js';
import { writeRunbooks } from './support/runs-world.js';

const SLOW = `
title: Lento total
match: { keywords: [lento] }
docker: { project: blatam }
steps:
  - id: slow
    title: Paso lento
    docker: { service: redis, exec: [sh, -c, "echo started >> /tmp/slow-runs; echo working; sleep 30"] }
    timeout: 60s
`;

const hasDocker = dockerAvailable();
let docker: DockerPeer;
let dir: string;
let env: NodeJS.ProcessEnv;
let origin: string;
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startBot(): Promise<void> {
  child = spawn('npx', ['tsx', 'src/main.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  await waitFor(() => out.includes('opsroom is running'), 30_000).catch(() => { throw new Error(`bot did not start:\n${out}`); });
}

const post = async (path: string, body: object) => {
  const r = await fetch(`${origin}/ws/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as { ok: boolean; error?: string };
  if (!j.ok) throw new Error(`${path}: ${j.error}`);
  return j;
};
type Msg = { ts: string; text: string; blocks?: any[] };
const state = async (channel: string, thread?: string) =>
  (await (await fetch(`${origin}/ws/state?user=U0ALICE&channel=${channel}${thread ? `&thread=${thread}` : ''}`)).json()) as { messages: Msg[]; threadMessages: Msg[] };
const slowRuns = async () => {
  const c = (await docker.docker.listContainers({ filters: { label: ['com.docker.compose.service=redis'] } }))[0];
  const exec = await docker.docker.getContainer(c.Id).exec({ Cmd: ['cat', '/tmp/slow-runs'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((r) => { stream.on('data', (b: Buffer) => chunks.push(b)); stream.on('end', () => r()); });
  return (Buffer.concat(chunks).toString('latin1').match(/started/g) ?? []).length;
};

describe.skipIf(!hasDocker)('a crash while a step runs', () => {
  beforeAll(async () => {
    docker = await startDocker();
    await docker.run({ name: 'blatam-redis-1', project: 'blatam', service: 'redis', cmd: ['sleep', '3600'] });
    dir = mkdtempSync(join(tmpdir(), 'opsroom-crash-'));
    const paths = writeRunbooks(dir, docker.socketPath, { runbooks: { 'slow.yml': SLOW } });
    writeFileSync(join(dir, 'opsroom.yml'), 'permissions: { runners: [], responders: [] }\n');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    env = {
      ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'opsroom.yml'),
      OPSROOM_RUNBOOKS: paths.runbooks, OPSROOM_INVENTORY: paths.inventory, SLACK_BOT_TOKEN: '', LOG_LEVEL: 'warn',
    };
  }, 60_000);
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await docker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the step interrupted with Retry after a restart, and re-runs nothing', async () => {
    await startBot();
    await post('send', { user: 'U0ALICE', channel: 'C0GENERAL', text: '/incident open P2 Lento total en redis' });
    const card = await waitFor(async () => (await state('C0INCIDENTS')).messages.find((m) => m.text.startsWith('INC-1 ')));
    await post('send', { user: 'U0ALICE', channel: 'C0INCIDENTS', threadTs: card.ts, text: '/runbook run slow' });
    const runCard = await waitFor(async () => (await state('C0INCIDENTS', card.ts)).threadMessages.find((m) => m.text.startsWith('Runbook Lento total')));
    await post('action', { user: 'U0ALICE', channel: 'C0INCIDENTS', ts: runCard.ts, actionId: 'run.step.run', value: '1:slow' });
    await waitFor(async () => (await state('C0INCIDENTS', card.ts)).threadMessages.some((m) => visibleText(m).includes('working')), 15_000);
    await waitFor(async () => (await slowRuns()) === 1);
    await new Promise((r) => setTimeout(r, 300)); // the workspace saves its state within 50 ms

    process.kill(-child!.pid!, 'SIGKILL');
    await new Promise<void>((r) => (child!.exitCode !== null || child!.signalCode !== null ? r() : child!.once('exit', () => r())));
    await startBot();

    const after = await waitFor(async () => {
      const m = (await state('C0INCIDENTS', card.ts)).threadMessages.find((x) => x.ts === runCard.ts);
      return m && /interrupted/.test(visibleText(m)) && m;
    }, 15_000);
    expect(visibleText(after)).toMatch(/Paso lento\*[^\n]*\n[^\n]*interrupted/);
    const buttons = after.blocks!.filter((b) => b.type === 'actions').flatMap((b) => b.elements.map((e: any) => e.action_id));
    expect(buttons).toContain('run.step.retry');
    expect(buttons).not.toContain('run.step.run');

    // Nothing re-ran: the container saw one start, the store holds one attempt, now interrupted.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await slowRuns()).toBe(1);
    const db = await openDatabase(env.DATABASE_URL!);
    try {
      const attempts = await new KyselyRunStore(db).attempts(1, 'slow');
      expect(attempts.map((a) => a.state)).toEqual(['interrupted']);
      expect((await new KyselyRunStore(db).getStep(1, 'slow'))?.state).toBe('interrupted');
    } finally {
      await db.close();
    }
    const timeline = (await state('C0INCIDENTS', card.ts)).threadMessages.map((m) => visibleText(m)).join('\n');
    expect(timeline).toMatch(/interrupted/);

    // Retry is a person's decision: it starts a second attempt.
    await post('action', { user: 'U0ALICE', channel: 'C0INCIDENTS', ts: runCard.ts, actionId: 'run.step.retry', value: '1:slow' });
    await waitFor(async () => (await slowRuns()) === 2, 15_000);
  }, 120_000);
});
