// The request side, verified by a real Bolt app: signatures, slash commands, response_url, clicks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '#workspace/index.js';
import { startWorkspaceWithApp, waitFor, type Wired } from '../support/slack-app.js';

let w: Wired;
const seen: { kind: string; body: any; retryNum?: number }[] = [];

const cardBlocks = [
  { type: 'section', block_id: 'card', text: { type: 'mrkdwn', text: '*INC-1* Checkout down' } },
  {
    type: 'actions', block_id: 'buttons',
    elements: [
      { type: 'button', action_id: 'ack', text: { type: 'plain_text', text: 'Acknowledge' }, value: 'INC-1', style: 'primary' },
      { type: 'static_select', action_id: 'sev', placeholder: { type: 'plain_text', text: 'Severity' }, options: ['P1', 'P2'].map((v) => ({ text: { type: 'plain_text', text: v }, value: v })) },
    ],
  },
];

beforeAll(async () => {
  w = await startWorkspaceWithApp((app) => {
    app.command('/incident', async ({ command, ack, respond, say, context }) => {
      seen.push({ kind: 'command', body: command, retryNum: context.retryNum });
      if (command.text === 'ack-text') return ack({ text: 'acked with text' });
      await ack();
      if (command.text === 'card') await say({ text: 'card', blocks: cardBlocks });
      else if (command.text === 'public') await respond({ response_type: 'in_channel', text: 'for everyone' });
      else await respond({ text: `only you: ${command.text}` });
    });
    app.action('ack', async ({ ack, body, respond }) => {
      await ack();
      seen.push({ kind: 'ack', body });
      await respond({ replace_original: true, text: 'acknowledged', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Acknowledged' } }] });
    });
    app.action('sev', async ({ ack, body }) => {
      await ack();
      seen.push({ kind: 'sev', body });
    });
  });
});
afterAll(() => w.close());

const last = (kind: string) => waitFor(() => [...seen].reverse().find((s) => s.kind === kind));

describe('signed requests reach a real Bolt app', () => {
  it('a slash command arrives with ids, names, trigger_id and response_url; respond() posts an ephemeral', async () => {
    const r = await w.ws.slash('U0ALICE', 'C0INCIDENTS', 'hello there');
    expect(r.status).toBe(200);
    const cmd = (await last('command')).body;
    expect(cmd).toMatchObject({ command: '/incident', text: 'hello there', user_id: 'U0ALICE', user_name: 'alice', channel_id: 'C0INCIDENTS', channel_name: 'incidents', team_id: 'T0LOCAL', trigger_id: r.triggerId, response_url: r.responseUrl });
    const eph = await waitFor(() => w.ws.state.data.ephemerals.find((m) => m.text === 'only you: hello there'));
    expect(eph.ephemeral_for).toBe('U0ALICE');
    expect(w.ws.calls('response_url').at(-1)).toMatchObject({ status: 200 });
  });

  it('in_channel responses are posted to the channel; ack bodies become replies', async () => {
    await w.ws.slash('U0BOB', 'C0GENERAL', 'public');
    await waitFor(() => w.ws.state.data.messages.find((m) => m.text === 'for everyone' && m.channel === 'C0GENERAL'));
    const r = await w.ws.slash('U0BOB', 'C0GENERAL', 'ack-text');
    expect(r.json).toEqual({ text: 'acked with text' });
    expect(w.ws.state.data.ephemerals.find((m) => m.text === 'acked with text')?.ephemeral_for).toBe('U0BOB');
  });

  it('thread_ts is passed when the command comes from a thread and answers go there', async () => {
    const parent = await w.ws.message('U0ALICE', 'C0INCIDENTS', 'root');
    await w.ws.slash('U0CAROL', 'C0INCIDENTS', 'in thread', { threadTs: parent.ts });
    expect((await last('command')).body.thread_ts).toBe(parent.ts);
    const eph = await waitFor(() => w.ws.state.data.ephemerals.find((m) => m.text === 'only you: in thread'));
    expect(eph.thread_ts).toBe(parent.ts);
  });

  it('a click builds block_actions from the stored message and replace_original edits it', async () => {
    await w.ws.slash('U0ALICE', 'C0INCIDENTS', 'card');
    const card = await waitFor(() => w.ws.state.data.messages.find((m) => m.text === 'card'));
    const r = await w.ws.click('U0BOB', { channel: 'C0INCIDENTS', ts: card.ts }, 'ack');
    expect(r.status).toBe(200);
    const body = (await last('ack')).body;
    expect(body).toMatchObject({
      type: 'block_actions', user: { id: 'U0BOB', username: 'bob' }, trigger_id: r.triggerId,
      container: { type: 'message', message_ts: card.ts, channel_id: 'C0INCIDENTS', is_ephemeral: false },
      channel: { id: 'C0INCIDENTS', name: 'incidents' }, message: { ts: card.ts, text: 'card' },
      actions: [{ type: 'button', action_id: 'ack', block_id: 'buttons', value: 'INC-1', style: 'primary' }],
    });
    await waitFor(() => w.ws.state.message('C0INCIDENTS', card.ts)?.text === 'acknowledged');
    expect(w.ws.state.message('C0INCIDENTS', card.ts)?.blocks?.[0].text.text).toBe('Acknowledged');
  });

  it('a tampered value and a select option reach the app as given', async () => {
    const posted = await w.app.client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'card 2', blocks: cardBlocks });
    await w.ws.click('U0CAROL', { channel: 'C0INCIDENTS', ts: posted.ts! }, 'ack', { value: 'INC-999' });
    expect((await last('ack')).body.actions[0].value).toBe('INC-999');
    await w.ws.click('U0CAROL', { channel: 'C0INCIDENTS', ts: posted.ts! }, 'sev', { value: 'P2' });
    expect((await last('sev')).body.actions[0].selected_option).toEqual({ text: { type: 'plain_text', text: 'P2' }, value: 'P2' });
  });
});

describe('what Bolt rejects', () => {
  const form = () => new URLSearchParams({ command: '/incident', text: 'raw', user_id: 'U0ALICE', channel_id: 'C0INCIDENTS', team_id: 'T0LOCAL', trigger_id: 't', response_url: `${w.ws.origin}/response/none` }).toString();

  it('a bad signature, a missing header or an old timestamp gets 401 and nothing runs', async () => {
    const before = seen.length;
    expect((await w.ws.sendRaw({ body: form(), secret: 'wrong-secret' })).status).toBe(401);
    expect((await w.ws.sendRaw({ body: form() })).status).toBe(401);
    expect((await w.ws.sendRaw({ body: form(), secret: w.ws.signingSecret, headers: { 'x-slack-signature': null } })).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await w.ws.sendRaw({ body: form(), secret: w.ws.signingSecret, timestamp: old })).status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it('Bolt itself accepts a timestamp from the future (the app must refuse it on its own)', async () => {
    const future = Math.floor(Date.now() / 1000) + 10 * 60;
    const r = await w.ws.sendRaw({ body: form(), secret: w.ws.signingSecret, timestamp: future });
    expect(r.status).toBe(200);
    await waitFor(() => w.ws.calls('response_url').find((c) => c.status === 404));
  });

  it('a correctly signed raw request with retry headers runs and exposes the retry number', async () => {
    const body = form();
    const ts = Math.floor(Date.now() / 1000);
    const r = await w.ws.sendRaw({ body, timestamp: ts, signature: slackSignature(w.ws.signingSecret, ts, body), headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(r.status).toBe(200);
    expect((await last('command')).retryNum).toBe(1);
    await waitFor(() => w.ws.calls('response_url').find((c) => c.status === 404));
  });
});
