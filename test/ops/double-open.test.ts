/** Two replicas (in this process, separate pools) on one PostgreSQL: a command typed twice lands on both at once. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { loadFileConfig } from '../../src/config/file.js';
import { createLogger } from '../../src/log.js';
import { startOpsroom, type Opsroom } from '../../src/opsroom.js';
import { Workspace, slackSignature } from '../../src/workspace/index.js';
import { postgresBinaries, usePostgres, type TestPostgres } from '../support/peers/postgres.js';

const hasPg = postgresBinaries() !== undefined;

describe.skipIf(!hasPg)('the same /incident open typed twice, on two replicas at once', () => {
  let pg: TestPostgres | undefined;
  let ws: Workspace | undefined;
  const replicas: Opsroom[] = [];
  let dir = '';
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await ws?.close();
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
    const send = (url: string, text: string, trigger: string) => {
      const body = new URLSearchParams({
        token: 't', team_id: 'T0LOCAL', channel_id: 'C0GENERAL', user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text,
        api_app_id: 'A0OPSROOM', trigger_id: trigger, response_url: 'http://127.0.0.1:1/response/none',
      }).toString();
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${url}/slack/events`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(ws!.signingSecret, ts, body) },
      }).then(async (r) => ({ status: r.status, text: String((await r.json()).text ?? '') }));
    };
    const PAIRS = 20;
    const answers = await Promise.all(Array.from({ length: PAIRS }, (_, i) => [
      send(replicas[0].url, `open P2 Typed twice ${i}`, `T-a-${i}`),
      send(replicas[1].url, `open P2 Typed twice ${i}`, `T-b-${i}`),
    ]).flat());
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const rows = await replicas[0].database.db.selectFrom('incidents').select('title').execute();
    expect(rows).toHaveLength(PAIRS);
    expect(answers.filter((a) => /less than a minute ago/.test(a.text))).toHaveLength(PAIRS);
  }, 60_000);
});
