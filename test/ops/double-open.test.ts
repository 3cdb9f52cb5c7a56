/** Two replicas (in this process, separate pools) on one PostgreSQL: a command typed twice lands on both at once. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { Workspace, slackSignature } from '#workspace/index.js';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';

const hasPg = postgresBinaries() !== undefined;

describe.skipIf(!hasPg)('the same /incident open typed twice, on two replicas at once', () => {
  let pg: TestPostgres | undefined;
  let responses: Server | undefined;
  let ws: Workspace | undefined;
  const replicas: Opsroom[] = [];
  let dir = '';
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await ws?.close();
    await new Promise((r) => (responses ? responses.close(r) : r(undefined)));
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens one incident; the other answer points to it', async () => {
    pg = await usePostgres();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-double-'));
    ws = new Workspace({ incidentsChannel: { id: 'C0INCIDENTS', name: 'incidents' } });
    await ws.listen(0);
    for (const name of ['a', 'b']) {
      const env = parseEnv({
        PORT: '0', DATABASE_URL: pg.url, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'none'),
        SLACK_BOT_TOKEN: ws.botToken, SLACK_SIGNING_SECRET: ws.signingSecret, SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: 'C0INCIDENTS',
      });
      replicas.push(await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('silent'), loops: false, instanceId: name }));
    }
    // An answer comes in the acknowledgement, or (when the ack window ran out under load) through response_url.
    const later = new Map<string, string>();
    responses = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => { raw += c; });
      req.on('end', () => { later.set(req.url ?? '', String(JSON.parse(raw || '{}').text ?? '')); res.end('ok'); });
    });
    await new Promise<void>((r) => responses!.listen(0, '127.0.0.1', r));
    const responseBase = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/response`;
    const send = (url: string, text: string, trigger: string) => {
      const body = new URLSearchParams({
        token: 't', team_id: 'T0LOCAL', channel_id: 'C0GENERAL', user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text,
        api_app_id: 'A0OPSROOM', trigger_id: trigger, response_url: `${responseBase}/${trigger}`,
      }).toString();
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${url}/slack/events`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(ws!.signingSecret, ts, body) },
      }).then(async (r) => {
        const raw = await r.text();
        const acked = raw ? String((JSON.parse(raw) as { text?: string }).text ?? '') : '';
        return { status: r.status, trigger, acked };
      });
    };
    const PAIRS = 20;
    const answers = await Promise.all(Array.from({ length: PAIRS }, (_, i) => [
      send(replicas[0].url, `open P2 Typed twice ${i}`, `T-a-${i}`),
      send(replicas[1].url, `open P2 Typed twice ${i}`, `T-b-${i}`),
    ]).flat());
    expect(answers.map((a) => a.status).filter((x) => x !== 200)).toEqual([]);
    const texts = await Promise.all(answers.map(async (a) => {
      if (a.acked) return a.acked;
      for (let waited = 0; waited < 20_000 && !later.has(`/response/${a.trigger}`); waited += 50) await new Promise((r) => setTimeout(r, 50));
      return later.get(`/response/${a.trigger}`) ?? '';
    }));
    const rows = await replicas[0].database.db.selectFrom('incidents').select('title').execute();
    expect(rows).toHaveLength(PAIRS);
    expect(texts.filter((t) => /less than a minute ago/.test(t))).toHaveLength(PAIRS);
    expect(texts.filter((t) => /Opened \*INC-\d+\*/.test(t))).toHaveLength(PAIRS);
  }, 60_000);
});
