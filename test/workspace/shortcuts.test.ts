// Message shortcuts and apps' messages in the local workspace, verified by a real Bolt app; chat.getPermalink against Slack's spec.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkspaceWithApp, waitFor, type Wired } from '../support/slack-app.js';

let w: Wired;
const seen: { kind: string; body: any }[] = [];
const SHORTCUTS = [{ callback_id: 'keep', name: 'Keep it' }];

beforeAll(async () => {
  w = await startWorkspaceWithApp((app) => {
    app.shortcut({ callback_id: 'keep', type: 'message_action' }, async ({ ack, shortcut, respond, client }) => {
      await ack();
      seen.push({ kind: 'shortcut', body: shortcut });
      await client.views.open({ trigger_id: (shortcut as any).trigger_id, view: { type: 'modal', callback_id: 'kept', title: { type: 'plain_text', text: 'Kept' }, blocks: [] } });
      await respond({ response_type: 'ephemeral', text: 'kept it' });
    });
    app.event('message', async ({ event }) => { seen.push({ kind: 'message', body: event }); });
  }, { shortcuts: SHORTCUTS });
  w.ws.eventsUrl = w.appUrl;
});
afterAll(() => w.close());

const last = (kind: string, pick: (b: any) => boolean = () => true) => waitFor(() => [...seen].reverse().find((s) => s.kind === kind && pick(s.body))?.body);

describe('message shortcuts', () => {
  it('send a signed message_action with the message, a usable trigger_id and a response_url answering in the thread', async () => {
    const root = await w.ws.message('U0ALICE', 'C0INCIDENTS', 'root');
    const reply = await w.ws.message('U0BOB', 'C0INCIDENTS', 'a reply', root.ts);
    const r = await w.ws.shortcut('U0CAROL', { channel: 'C0INCIDENTS', ts: reply.ts }, 'keep');
    expect(r.status).toBe(200);
    const s = await last('shortcut');
    expect(s).toMatchObject({
      type: 'message_action', callback_id: 'keep', trigger_id: r.triggerId, response_url: r.responseUrl, message_ts: reply.ts,
      user: { id: 'U0CAROL', name: 'carol' }, channel: { id: 'C0INCIDENTS', name: 'incidents' }, team: { id: 'T0LOCAL' },
      message: { type: 'message', ts: reply.ts, user: 'U0BOB', text: 'a reply', thread_ts: root.ts },
    });
    expect(s.message.channel).toBeUndefined();
    await waitFor(() => w.ws.state.data.views.some((v) => v.callback_id === 'kept' && v.user === 'U0CAROL'));
    const eph = await waitFor(() => w.ws.state.data.ephemerals.find((e) => e.text === 'kept it'));
    expect(eph).toMatchObject({ ephemeral_for: 'U0CAROL', channel: 'C0INCIDENTS', thread_ts: root.ts });
  });

  it('offer only the app\'s shortcuts, on messages the person can see', async () => {
    const m = await w.ws.message('U0ALICE', 'C0GENERAL', 'hello');
    await expect(w.ws.shortcut('U0ALICE', { channel: 'C0GENERAL', ts: m.ts }, 'other')).rejects.toThrow(/no message shortcut other/);
    await expect(w.ws.shortcut('U0ALICE', { channel: 'C0GENERAL', ts: '1.000000' }, 'keep')).rejects.toThrow(/no message/);
    expect(w.ws.shortcuts).toEqual(SHORTCUTS);
  });
});

describe('the page composer', () => {
  it('sends a message as Slack\'s client does: entities, mentions without names, broadcasts', async () => {
    const r = await fetch(`${w.ws.ctx.origin()}/ws/send`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0ALICE', channel: 'C0GENERAL', text: '@carol see <b>this</b> & @here' }),
    });
    const { ts } = (await r.json()) as { ts: string };
    const event = await last('message', (e) => e.ts === ts);
    expect(event.text).toBe('<@U0CAROL> see &lt;b&gt;this&lt;/b&gt; &amp; <!here>');
    expect(w.ws.state.message('C0GENERAL', ts)?.text).toBe(event.text);
  });
});

describe('messages from apps', () => {
  it('reach the app as message events carrying bot_id (and subtype bot_message without a bot user)', async () => {
    const root = await w.ws.message('U0ALICE', 'C0INCIDENTS', 'root');
    await w.ws.appMessage({ botId: 'B0DEPLOY', appId: 'A0DEPLOY', user: 'U0DEPLOYBOT' }, 'C0INCIDENTS', 'deployed', root.ts);
    await w.ws.appMessage({ botId: 'B0LEGACY', username: 'nagios' }, 'C0INCIDENTS', 'CRITICAL', root.ts);
    expect(await last('message', (e) => e.text === 'deployed')).toMatchObject({ bot_id: 'B0DEPLOY', app_id: 'A0DEPLOY', user: 'U0DEPLOYBOT', thread_ts: root.ts, channel: 'C0INCIDENTS' });
    const legacy = await last('message', (e) => e.text === 'CRITICAL');
    expect(legacy).toMatchObject({ subtype: 'bot_message', bot_id: 'B0LEGACY', username: 'nagios' });
    expect(legacy.user).toBeUndefined();
    expect(w.ws.state.message('C0INCIDENTS', root.ts)?.reply_count).toBe(2);
  });
});

describe('chat.getPermalink', () => {
  const spec = JSON.parse(readFileSync(new URL('../fixtures/specs/slack/web-api-openapi-v2.json', import.meta.url), 'utf8'));
  const schema = spec.paths['/chat.getPermalink'].get.responses['200'].schema;

  it('answers exactly the fields of the spec\'s success schema, a thread reply with its thread', async () => {
    const root = await w.ws.message('U0ALICE', 'C0INCIDENTS', 'root');
    const reply = await w.ws.message('U0BOB', 'C0INCIDENTS', 'reply', root.ts);
    const r = (await w.app.client.chat.getPermalink({ channel: 'C0INCIDENTS', message_ts: reply.ts })) as unknown as Record<string, unknown>;
    const { response_metadata: _m, ...body } = r;
    expect(Object.keys(body).sort()).toEqual([...schema.required].sort());
    for (const k of Object.keys(body)) expect(Object.keys(schema.properties)).toContain(k);
    const url = new URL(String(body.permalink));
    expect(url.pathname).toBe(`/archives/C0INCIDENTS/p${reply.ts.replace('.', '')}`);
    expect(url.searchParams.get('thread_ts')).toBe(root.ts);
    expect(w.ws.calls('chat.getPermalink').at(-1)).toMatchObject({ status: 200 });
  });

  it('refuses an unknown message and a call without message_ts, as Slack does', async () => {
    await expect(w.app.client.chat.getPermalink({ channel: 'C0INCIDENTS', message_ts: '1.000000' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(w.app.client.chat.getPermalink({ channel: 'C0INCIDENTS' } as never)).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
  });
});
