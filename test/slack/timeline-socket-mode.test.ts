/** Thread replies and message shortcuts in Socket Mode: events_api and interactive envelopes reach the timeline, no HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { loadFileConfig } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { MESSAGE_SHORTCUTS } from '#slack/ids.js';
import { Workspace } from '#workspace/index.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';

describe('the timeline from Slack in Socket Mode', () => {
  let ws: Workspace | undefined;
  let ops: Opsroom | undefined;
  let dir = '';
  afterEach(async () => {
    await ops?.close();
    await ws?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    ops = ws = undefined;
  });

  it('a reply and an added message arrive over the socket, each once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-timeline-socket-'));
    ws = new Workspace({ incidentsChannel: { id: INC, name: 'incidents' }, shortcuts: MESSAGE_SHORTCUTS });
    await ws.listen(0);
    const env = parseEnv({
      PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'none'),
      SLACK_BOT_TOKEN: ws.botToken, SLACK_APP_TOKEN: 'xapp-1-local', SLACK_API_URL: ws.apiUrl, OPSROOM_INCIDENT_CHANNEL: INC,
    });
    ops = await startOpsroom({ env, file: loadFileConfig(join(dir, 'none.yml')), logger: createLogger('silent'), loops: false });
    const httpHits: string[] = [];
    ops.server.on('request', (req) => { if (String(req.url).startsWith('/slack/')) httpHits.push(String(req.url)); });
    ws.appUrl = `${ops.url}/slack/events`;
    const o = ops;
    const w = ws;

    await w.slash('U0ALICE', 'C0GENERAL', 'open P2 Queue backlog');
    await o.dispatcher.settle();
    const card = w.state.data.messages.find((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts))!;
    const reply = await w.message('U0BOB', INC, 'consumers restarted', card.ts);
    expect(reply.answer?.envelopeId).toBeTruthy();
    const entries = async () => (await o.store.events(1)).filter((e) => e.kind === 'message' || e.kind === 'timeline');
    await waitFor(async () => (await entries()).length === 1);
    const said = await w.message('U0DAVE', 'C0GENERAL', 'queue depth alarm at 50k');
    const r = await w.shortcut('U0CAROL', { channel: 'C0GENERAL', ts: said.ts }, 'incident.timeline_add');
    expect(r.envelopeId).toBeTruthy();
    const view = await waitFor(() => w.state.data.views.find((v) => v.user === 'U0CAROL' && v.callback_id === 'incident.timeline_pick'));
    expect((await w.submitView('U0CAROL', view.id, { incident: '1' })).errors).toBeUndefined();
    expect((await entries()).map((e) => [e.kind, e.text])).toEqual([['message', 'consumers restarted'], ['timeline', 'queue depth alarm at 50k']]);
    expect(httpHits).toEqual([]);
  }, 30_000);
});
