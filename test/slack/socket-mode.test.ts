/** The bot in Socket Mode against the local workspace: commands and clicks arrive over the WebSocket, not HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { Workspace } from '#workspace/index.js';
import { visibleText } from '../support/opsroom.js';

const INC = 'C0INCIDENTS';

describe('Socket Mode through the real Bolt app', () => {
  let ws: Workspace | undefined;
  let ops: Opsroom | undefined;
  let dir = '';
  afterEach(async () => {
    await ops?.close();
    await ws?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    ops = undefined;
    ws = undefined;
  });

  it('opens and acknowledges an incident over the socket; /slack/events gets no request', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-socket-mode-'));
    ws = new Workspace({ incidentsChannel: { id: INC, name: 'incidents' } });
    await ws.listen(0);
    const env = parseEnv({
      PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'none'),
      SLACK_BOT_TOKEN: ws.botToken, SLACK_APP_TOKEN: 'xapp-1-local', SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: INC,
    });
    ops = await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('silent'), loops: false });
    // Any HTTP fallback would land here and be counted.
    const httpHits: string[] = [];
    ops.server.on('request', (req) => { if (String(req.url).startsWith('/slack/')) httpHits.push(String(req.url)); });
    ws.appUrl = `${ops.url}/slack/events`;

    expect(ws.calls('apps.connections.open').map((c) => c.response)).toEqual([expect.objectContaining({ ok: true, url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/socket\//) })]);
    expect(ws.sockets.connected()).toBe(true);

    const opened = await ws.slash('U0ALICE', 'C0GENERAL', 'open P1 Checkout API down');
    expect(opened.status).toBe(200);
    expect(opened.envelopeId).toBeTruthy();
    expect(opened.json?.text).toMatch(/Opened \*INC-1\* \(P1\)/);
    await ops.dispatcher.settle();
    const cards = () => ws!.state.data.messages.filter((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts));
    expect(cards()).toHaveLength(1);
    expect(visibleText(cards()[0]!)).toContain('INC-1 · P1 · Checkout API down');
    expect(visibleText(cards()[0]!)).toContain('Acknowledge');

    const click = await ws.click('U0BOB', { channel: INC, ts: cards()[0]!.ts }, 'incident.acknowledge');
    expect(click.status).toBe(200);
    expect(click.envelopeId).toBeTruthy();
    await ops.dispatcher.settle();
    expect(visibleText(cards()[0]!)).toContain('Acknowledged by*\n<@U0BOB>');

    expect(ws.sockets.sent.map((e) => e.type)).toEqual(['slash_commands', 'interactive']);
    expect(httpHits).toEqual([]);

    // ops.close() stops the Socket Mode client: the workspace sees the connection go.
    await ops.close();
    ops = undefined;
    expect(ws.sockets.connected()).toBe(false);
  }, 30_000);

  it('apps.connections.open refuses a bot token', async () => {
    ws = new Workspace();
    const url = await ws.listen(0);
    const r = await fetch(`${url}/api/apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${ws.botToken}` } });
    expect(await r.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(ws.sockets.connected()).toBe(false);
  });
});
