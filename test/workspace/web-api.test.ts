import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '#workspace/index.js';

let ws: Workspace;
const { WebClient } = webApi;
let client: InstanceType<typeof WebClient>;

async function post(method: string, body: string | object, headers: Record<string, string> = {}) {
  const isJson = typeof body !== 'string';
  const res = await fetch(`${ws.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': isJson ? 'application/json' : 'application/x-www-form-urlencoded', ...headers },
    body: isJson ? JSON.stringify(body) : body,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

beforeAll(async () => {
  ws = new Workspace();
  await ws.listen(0);
  client = new WebClient(ws.botToken, { slackApiUrl: ws.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => ws.close());

describe('Web API basics', () => {
  it('auth.test names the team and bot', async () => {
    const r = await client.auth.test();
    expect(r).toMatchObject({ ok: true, team_id: 'T0LOCAL', user_id: 'U0OPSBOT', bot_id: 'B0OPSBOT' });
  });

  it('rejects a wrong token with invalid_auth and a missing one with not_authed', async () => {
    const bad = new WebClient('xoxb-wrong', { slackApiUrl: ws.apiUrl, retryConfig: { retries: 0 } });
    await expect(bad.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect((await post('auth.test', '')).json).toEqual({ ok: false, error: 'not_authed' });
  });

  it('accepts the token as a form argument and JSON bodies with a bearer header', async () => {
    expect((await post('auth.test', `token=${ws.botToken}`)).json.ok).toBe(true);
    const r = await post('chat.postMessage', { channel: 'C0GENERAL', text: 'json body' }, { authorization: `Bearer ${ws.botToken}` });
    expect(r.json).toMatchObject({ ok: true, channel: 'C0GENERAL', message: { text: 'json body' } });
  });

  it('answers unknown_method for methods Slack does not have', async () => {
    const r = await post('chat.fly', `token=${ws.botToken}`);
    expect(r.json).toMatchObject({ ok: false, error: 'unknown_method' });
  });

  it('names an unknown argument and a missing required one', async () => {
    const r = await post('chat.postMessage', `token=${ws.botToken}&channel=C0GENERAL&text=hi&colour=red`);
    expect(r.json.error).toBe('invalid_arguments');
    expect(r.json.response_metadata.messages).toEqual(['[ERROR] unknown argument: colour']);
    const m = await post('chat.update', `token=${ws.botToken}&channel=C0GENERAL&text=hi`);
    expect(m.json.response_metadata.messages).toEqual(['[ERROR] missing required field: ts']);
  });

  it('accepts what real Slack accepts beyond the published spec (team_id, metadata)', async () => {
    const r = await post('chat.postMessage', `token=${ws.botToken}&channel=C0GENERAL&text=hi&team_id=T0LOCAL&metadata=${encodeURIComponent('{"event_type":"x","event_payload":{}}')}`);
    expect(r.json.ok).toBe(true);
  });

  it('channel_not_found, no_text, msg_too_long', async () => {
    await expect(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.chat.postMessage({ channel: 'C0GENERAL' } as any)).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(client.chat.postMessage({ channel: 'C0GENERAL', text: 'x'.repeat(40001) })).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
  });
});

describe('messages and threads', () => {
  it('threads replies, counts them and lists them with conversations.replies', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'parent' });
    await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'r1', thread_ts: parent.ts });
    await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'r2', thread_ts: parent.ts });
    const replies = await client.conversations.replies({ channel: 'C0INCIDENTS', ts: parent.ts! });
    expect(replies.messages!.map((m) => m.text)).toEqual(['parent', 'r1', 'r2']);
    expect(replies.messages![0].reply_count).toBe(2);
    const history = await client.conversations.history({ channel: 'C0INCIDENTS' });
    expect(history.messages!.map((m) => m.text)).toContain('parent');
    expect(history.messages!.map((m) => m.text)).not.toContain('r1');
  });

  it('pages history with a cursor', async () => {
    const ch = (await client.conversations.open({ users: 'U0DAVE' })).channel!.id!;
    for (let i = 0; i < 5; i++) await client.chat.postMessage({ channel: ch, text: `m${i}` });
    const first = await client.conversations.history({ channel: ch, limit: 2 });
    expect(first.messages!.map((m) => m.text)).toEqual(['m4', 'm3']);
    const second = await client.conversations.history({ channel: ch, limit: 2, cursor: first.response_metadata!.next_cursor });
    expect(second.messages!.map((m) => m.text)).toEqual(['m2', 'm1']);
  });

  it('edits the bot own messages only; message_not_found for unknown ts', async () => {
    const m = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'v1' });
    const u = await client.chat.update({ channel: 'C0GENERAL', ts: m.ts!, text: 'v2' });
    expect(u.message).toMatchObject({ text: 'v2', edited: { user: 'U0OPSBOT' } });
    const human = await ws.message('U0ALICE', 'C0GENERAL', 'mine');
    await expect(client.chat.update({ channel: 'C0GENERAL', ts: human.ts, text: 'x' })).rejects.toMatchObject({ data: { error: 'cant_update_message' } });
    await expect(client.chat.update({ channel: 'C0GENERAL', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(client.chat.delete({ channel: 'C0GENERAL', ts: human.ts })).rejects.toMatchObject({ data: { error: 'cant_delete_message' } });
    await client.chat.delete({ channel: 'C0GENERAL', ts: m.ts! });
    await expect(client.chat.getPermalink({ channel: 'C0GENERAL', message_ts: m.ts! })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
  });

  it('gives permalinks that point into the workspace', async () => {
    const m = await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'x' });
    const p = await client.chat.getPermalink({ channel: 'C0INCIDENTS', message_ts: m.ts! });
    expect(p.permalink).toBe(`${ws.origin}/archives/C0INCIDENTS/p${m.ts!.replace('.', '')}`);
  });

  it('keeps ephemeral messages out of history and per user', async () => {
    const e = await client.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0BOB', text: 'only bob' });
    expect(e.message_ts).toBeTruthy();
    const h = await client.conversations.history({ channel: 'C0GENERAL' });
    expect(h.messages!.map((m) => m.text)).not.toContain('only bob');
    expect(ws.state.data.ephemerals.filter((m) => m.text === 'only bob').map((m) => m.ephemeral_for)).toEqual(['U0BOB']);
    await expect(client.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0NOBODY', text: 'x' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });

  it('users, members, usergroups and DMs', async () => {
    const users = await client.users.list({});
    expect(users.members!.map((u) => u.id)).toEqual(expect.arrayContaining(['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE', 'U0OPSBOT']));
    expect((await client.users.info({ user: 'U0CAROL' })).user).toMatchObject({ name: 'carol', real_name: 'Carol Chen' });
    await expect(client.users.info({ user: 'U0X' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    expect((await client.conversations.members({ channel: 'C0INCIDENTS' })).members).toContain('U0ALICE');
    expect((await client.usergroups.users.list({ usergroup: 'S0ONCALL' })).users).toEqual(['U0ALICE', 'U0BOB']);
    const dm = await client.conversations.open({ users: 'U0ALICE' });
    const posted = await client.chat.postMessage({ channel: 'U0ALICE', text: 'dm' });
    expect(posted.channel).toBe(dm.channel!.id);
    expect((await client.conversations.info({ channel: 'C0INCIDENTS' })).channel).toMatchObject({ name: 'incidents', is_member: true });
  });

  it('uploads files with the WebClient files.uploadV2 flow', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'logs below' });
    const r = await client.filesUploadV2({ channel_id: 'C0INCIDENTS', thread_ts: parent.ts!, filename: 'out.log', content: 'line 1\nline 2\n', title: 'step output' });
    expect(r.ok).toBe(true);
    const thread = await client.conversations.replies({ channel: 'C0INCIDENTS', ts: parent.ts! });
    const file = thread.messages![1].files![0] as any;
    expect(file).toMatchObject({ name: 'out.log', title: 'step output' });
    const body = await (await fetch(file.url_private)).text();
    expect(body).toBe('line 1\nline 2\n');
  });

  it('reset() empties messages and the call log but keeps the seed', async () => {
    const other = new Workspace({ users: [{ id: 'U0ERIN', name: 'erin' }] });
    await other.listen(0);
    const c = new WebClient(other.botToken, { slackApiUrl: other.apiUrl, retryConfig: { retries: 0 } });
    await c.chat.postMessage({ channel: 'C0GENERAL', text: 'gone after reset' });
    other.reset();
    expect(other.state.data.messages).toEqual([]);
    expect(other.calls()).toEqual([]);
    expect((await c.users.info({ user: 'U0ERIN' })).user?.name).toBe('erin');
    await other.close();
  });

  it('records every call with its arguments and answer', async () => {
    const before = ws.calls('chat.postMessage').length;
    await client.chat.postMessage({ channel: 'C0GENERAL', text: 'counted' });
    const calls = ws.calls('chat.postMessage');
    expect(calls.length).toBe(before + 1);
    expect(calls.at(-1)).toMatchObject({ args: { channel: 'C0GENERAL', text: 'counted' }, status: 200, response: { ok: true } });
  });
});
