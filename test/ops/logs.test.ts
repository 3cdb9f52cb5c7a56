import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger, logContext } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';

/** A pino destination that keeps every line. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  return { lines, stream, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('logger', () => {
  it('writes JSON with the ids of the work in progress, and hides secrets in fields and free text', async () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    logContext.run({ requestId: 'req-1', incidentId: 7 }, () => log.info({ runId: 3 }, 'step started'));
    log.error({
      token: 'xoxb-1111-2222-abcdefSECRET', env: { PAGERDUTY_TOKEN: 'pd-SECRET-1', DATABASE_URL: 'postgres://u:pw-SECRET-2@db/x' },
      error: 'POST https://slack.com/api/chat.postMessage failed for xoxb-9999-8888-zzzSECRET; db postgres://opsroom:pw-SECRET-3@db:5432/opsroom',
      command: 'curl -H "Authorization: Bearer abcSECRET4" --data password=pSECRET5 https://x',
    }, 'failed with xapp-1-A0-SECRET6');
    await tick();
    const [first, second] = out.json();
    expect(first).toMatchObject({ app: 'opsroom', level: 30, msg: 'step started', requestId: 'req-1', incidentId: 7, runId: 3 });
    expect(out.lines.join('\n')).not.toMatch(/SECRET/);
    expect(second.token).toBe('[redacted]');
    expect(String(second.error)).toContain('chat.postMessage failed for xox?-[redacted]');
    expect(String(second.error)).toContain('postgres://opsroom:[redacted]@db:5432/opsroom');
  });
});

describe('opsroom logs', () => {
  let ops: Opsroom | undefined;
  let dir = '';
  afterEach(async () => {
    await ops?.close();
    ops = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('one JSON line per Slack request with its id; deliveries name the incident and effect; no token or signing secret', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-logs-'));
    const out = capture();
    const env = parseEnv({ PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, OPSROOM_CONFIG: join(dir, 'none.yml') });
    ops = await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('debug', out.stream), loops: false });
    const ws = ops.workspace!;
    ws.failNext('chat.postMessage', { status: 500 }, 1);
    const r = await ws.slash('U0ALICE', 'C0GENERAL', 'open P1 Checkout API down');
    expect(r.status).toBe(200);
    // The card fails once, then is delivered on the retry (due a second later).
    for (let i = 0; i < 50 && !out.lines.some((l) => l.includes('"msg":"delivered"')); i++) {
      await ops.dispatcher.settle();
      await new Promise((r) => setTimeout(r, 100));
    }
    const lines = out.json();
    const request = lines.find((l) => l.msg === 'slack request');
    expect(request).toMatchObject({ status: 200, app: 'opsroom' });
    expect(String(request?.requestId)).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l.msg === 'delivery failed')).toMatchObject({ incidentId: 1, kind: expect.any(String) });
    expect(lines.find((l) => l.msg === 'delivered' && l.kind === 'card')).toMatchObject({ incidentId: 1, effectId: expect.any(Number), target: 'chat' });
    const text = out.lines.join('\n');
    expect(text).not.toContain(ws.botToken);
    expect(text).not.toContain(ws.signingSecret);
  });
});
