/** `npm start` (src/main.ts) as a child process: SIGTERM while a request is inside. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/index.js';
import { Workspace, slackSignature } from '../../src/workspace/index.js';

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
  it('refuses new requests, finishes the one inside, and exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-sigterm-'));
    ws = new Workspace({ incidentsChannel: { id: 'C0INCIDENTS', name: 'incidents' } });
    await ws.listen(0);
    const databaseUrl = `sqlite:${join(dir, 'opsroom.db')}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env, PORT: '0', DATABASE_URL: databaseUrl, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'runbooks'),
        SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
        OPSROOM_SHUTDOWN_GRACE_MS: '10000',
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
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const slow = slowRequest(url, slashBody('open P1 Checkout API down', 'T-slow'));
    await sleep(300); // the request is inside: headers read, body still coming
    child.kill('SIGTERM');
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
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: new requests are refused', 'shut down']));

    const database = await openDatabase(databaseUrl);
    const titles = await database.db.selectFrom('incidents').select('title').execute();
    await database.close();
    expect(titles.map((r) => r.title)).toEqual(['Checkout API down']);
  }, 60_000);
});
