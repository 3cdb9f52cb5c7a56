/** `npm start` (src/main.ts) as a child process: SIGTERM while a request is inside. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#store/index.js';
import { Workspace, slackSignature } from '#workspace/index.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

let child: ChildProcess | undefined;
let ws: Workspace | undefined;
let dir = '';
afterEach(async () => {
  child?.kill('SIGKILL');
  await ws?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function slashBody(text: string, triggerId: string) {
  return new URLSearchParams({
    token: 'local-verification-token', team_id: 'T0LOCAL', team_domain: 'opsroom-local', channel_id: 'C0GENERAL', channel_name: 'general',
    user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text, api_app_id: 'A0OPSROOM', trigger_id: triggerId,
    response_url: `${ws!.apiUrl.replace(/\/api\/$/, '')}/response/none`,
  }).toString();
}

function headers(body: string) {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)),
    'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(ws!.signingSecret, ts, body),
  };
}

/** A request whose body arrives in two parts: the server has it inside until `finish()`. */
function slowRequest(url: string, body: string) {
  const cut = Math.floor(body.length / 2);
  const req = request(`${url}/slack/events`, { method: 'POST', headers: headers(body) });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, cut));
  return { answer, finish: () => req.end(body.slice(cut)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGTERM', () => {
  /** `npm start`'s entry as a child, in HTTP mode against the test's workspace. */
  async function startChild(extraEnv: Record<string, string> = {}) {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-sigterm-'));
    ws = new Workspace({ incidentsChannel: { id: 'C0INCIDENTS', name: 'incidents' } });
    await ws.listen(0);
    const databaseUrl = `sqlite:${join(dir, 'opsroom.db')}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env, PORT: '0', DATABASE_URL: databaseUrl, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'runbooks'),
        SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
        OPSROOM_SHUTDOWN_GRACE_MS: '10000', ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (c) => (err += c));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (c) => {
        out += c;
        const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
        if (m) resolve(m[1]);
      });
      void exited.then(() => reject(new Error(`opsroom exited at start: ${err}`)));
    });
    ws.appUrl = `${url}/slack/events`;
    return { url, exited, databaseUrl, output: () => out };
  }

  it('refuses new requests, finishes the one inside, and exits 0', async () => {
    const { url, exited, databaseUrl, output } = await startChild();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const slow = slowRequest(url, slashBody('open P1 Checkout API down', 'T-slow'));
    await sleep(300); // the request is inside: headers read, body still coming
    child!.kill('SIGTERM');
    let refused: Response | undefined;
    for (let i = 0; i < 50 && refused?.status !== 503; i++) {
      await sleep(100);
      const body = slashBody('open P2 Search is slow', `T-late-${i}`);
      refused = await fetch(`${url}/slack/events`, { method: 'POST', body, headers: headers(body) });
    }
    expect(refused?.status).toBe(503);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);

    slow.finish();
    const answer = await slow.answer;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).text).toMatch(/Opened \*INC-1\*/);

    expect(await exited).toEqual({ code: 0, signal: null });
    const lines = output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: new requests are refused', 'shut down']));

    const database = await openDatabase(databaseUrl);
    const titles = await database.db.selectFrom('incidents').select('title').execute();
    await database.close();
    expect(titles.map((r) => r.title)).toEqual(['Checkout API down']);
  }, 60_000);

  it('ends a running step as interrupted on its run card, then exits 0', async () => {
    // The step calls a server that never answers in time.
    const target = createServer(() => undefined);
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const port = (target.address() as AddressInfo).port;
    const runbooks = mkdtempSync(join(tmpdir(), 'opsroom-sigterm-runbooks-'));
    writeFileSync(join(runbooks, 'hang.yml'), `id: hang
title: Hang
match: { keywords: [hang] }
steps:
  - id: wait
    title: Wait for the server
    http: { url: "http://127.0.0.1:${port}/never" }
    timeout: 60s
`);
    try {
      const { exited, databaseUrl } = await startChild({ OPSROOM_RUNBOOKS: runbooks });
      await ws!.slash('U0ALICE', 'C0GENERAL', 'open P2 hang in checkout');
      // The card: top level (once replied to, Slack gives it thread_ts = its own ts).
      const card = await waitFor(() => ws!.state.data.messages.find((m) => m.channel === 'C0INCIDENTS' && (!m.thread_ts || m.thread_ts === m.ts)), 10_000);
      const inThread = () => ws!.state.data.messages.filter((m) => m.thread_ts === card.ts && m.ts !== card.ts);
      const has = (m: { blocks?: unknown[] }, action: string) => JSON.stringify(m.blocks ?? []).includes(`"action_id":"${action}"`);
      const suggestion = await waitFor(() => inThread().find((m) => has(m, 'run.start')), 10_000);
      await ws!.click('U0ALICE', { channel: 'C0INCIDENTS', ts: suggestion.ts }, 'run.start', { value: 'hang' });
      const runCard = await waitFor(() => inThread().find((m) => has(m, 'run.step.run')), 10_000);
      // A click in the first milliseconds after the card appears can precede the stored reference
      // to it ("does not belong to a known run"); a person clicks again.
      const running = () => /running/i.test(visibleText(ws!.state.message('C0INCIDENTS', runCard.ts)!));
      for (let i = 0; i < 5 && !running(); i++) {
        await ws!.click('U0ALICE', { channel: 'C0INCIDENTS', ts: runCard.ts }, 'run.step.run');
        await waitFor(running, 1000).catch(() => undefined);
      }
      expect(running()).toBe(true);

      child!.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(visibleText(ws!.state.message('C0INCIDENTS', runCard.ts)!)).toMatch(/interrupted/i);
      const database = await openDatabase(databaseUrl);
      const attempts = await (database.db as any).selectFrom('step_attempts').select(['state', 'error']).execute();
      await database.close();
      expect(attempts).toEqual([{ state: 'interrupted', error: expect.stringMatching(/interrupt|stop|abort|cancel/i) }]);
    } finally {
      target.closeAllConnections();
      target.close();
      rmSync(runbooks, { recursive: true, force: true });
    }
  }, 60_000);
});
