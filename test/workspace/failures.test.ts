// Failure injection, message events, response_url rules and persistence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '#workspace/index.js';
import { startWorkspaceWithApp, waitFor, type Wired } from '../support/slack-app.js';

const { WebClient } = webApi;
let w: Wired;
const events: any[] = [];

beforeAll(async () => {
  w = await startWorkspaceWithApp((app) => {
    app.message(async ({ message }) => {
      events.push(message);
    });
    app.event('app_mention', async ({ event }) => {
      events.push(event);
    });
  });
});
afterAll(() => w.close());

const clientWith = (retries: number) => new WebClient(w.ws.botToken, { slackApiUrl: w.ws.apiUrl, retryConfig: { retries, factor: 1, minTimeout: 10, maxTimeout: 20 } });

describe('failure injection', () => {
  it('answers 429 with Retry-After the given number of times; the WebClient waits and retries', async () => {
    w.ws.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1);
    const before = w.ws.calls('chat.postMessage').length;
    const client = clientWith(2);
    const waits: number[] = [];
    client.on(webApi.WebClientEvent.RATE_LIMITED, (sec: number) => waits.push(sec));
    const r = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'after a 429' });
    expect(r.ok).toBe(true);
    const calls = w.ws.calls('chat.postMessage').slice(before);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(waits).toEqual([1]);
  });

  it('answers 500 and 503 as Slack does when it is down; other methods are not affected', async () => {
    w.ws.failNext('chat.update', { status: 500 });
    w.ws.failNext('chat.update', { status: 503 });
    const client = clientWith(0);
    const m = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'x' });
    await expect(client.chat.update({ channel: 'C0GENERAL', ts: m.ts!, text: 'y' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    await expect(client.chat.update({ channel: 'C0GENERAL', ts: m.ts!, text: 'y' })).rejects.toMatchObject({ statusCode: 503 });
    expect((await client.chat.update({ channel: 'C0GENERAL', ts: m.ts!, text: 'y' })).ok).toBe(true);
  });

  it('fails every method for a period, then recovers', async () => {
    w.ws.failAll({ status: 503 }, 300);
    const client = clientWith(0);
    await expect(client.auth.test()).rejects.toMatchObject({ statusCode: 503 });
    await expect(client.users.list({})).rejects.toMatchObject({ statusCode: 503 });
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('can answer ok:false with a chosen error', async () => {
    w.ws.failNext('chat.postMessage', { status: 200, error: 'not_in_channel' });
    await expect(clientWith(0).chat.postMessage({ channel: 'C0GENERAL', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_in_channel' } });
  });

  it('rejects invalid blocks with invalid_blocks naming the problem', async () => {
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }];
    await expect(clientWith(0).chat.postMessage({ channel: 'C0GENERAL', text: 'x', blocks })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]'] } },
    });
  });
});

describe('messages from users', () => {
  it('stores the message and sends a signed message event (and app_mention) to the app', async () => {
    const { ts, answer } = await w.ws.message('U0CAROL', 'C0INCIDENTS', 'is anyone on <@U0OPSBOT>?');
    expect(answer?.status).toBe(200);
    expect(w.ws.state.message('C0INCIDENTS', ts)).toMatchObject({ user: 'U0CAROL' });
    await waitFor(() => events.find((e) => e.type === 'message' && e.ts === ts));
    expect(await waitFor(() => events.find((e) => e.type === 'app_mention' && e.ts === ts))).toMatchObject({ user: 'U0CAROL', channel: 'C0INCIDENTS' });
  });
});

describe('response_url', () => {
  const respond = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: await r.json() }));

  it('delete_original removes the message the interaction came from', async () => {
    const m = await clientWith(0).chat.postMessage({ channel: 'C0INCIDENTS', text: 'to delete', blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'noop', text: { type: 'plain_text', text: 'x' } }] }] });
    const id = w.ws.responses.issue({ user: 'U0ALICE', channel: 'C0INCIDENTS', source: { ts: m.ts!, ephemeral: false } });
    expect((await respond(`${w.ws.origin}/response/${id}`, { delete_original: true })).status).toBe(200);
    expect(w.ws.state.message('C0INCIDENTS', m.ts!)).toBeUndefined();
  });

  it('fails like the Web API when told to', async () => {
    const url = `${w.ws.origin}/response/${w.ws.responses.issue({ user: 'U0BOB', channel: 'C0GENERAL' })}`;
    w.ws.failNext('response_url', { status: 503 });
    expect((await respond(url, { text: 'first' })).status).toBe(503);
    expect((await respond(url, { text: 'second' })).status).toBe(200);
    expect(w.ws.state.data.ephemerals.filter((m) => m.text === 'first')).toEqual([]);
  });

  it('works five times, then answers used_url; bad blocks are refused', async () => {
    const url = `${w.ws.origin}/response/${w.ws.responses.issue({ user: 'U0BOB', channel: 'C0GENERAL' })}`;
    expect(await respond(url, { text: 'x', blocks: [{ type: 'nope' }] })).toMatchObject({ status: 400, json: { error: 'invalid_blocks' } });
    for (let i = 0; i < 4; i++) expect((await respond(url, { text: `r${i}` })).status).toBe(200);
    expect(await respond(url, { text: 'sixth' })).toMatchObject({ status: 404, json: { error: 'used_url' } });
  });
});

describe('persistence', () => {
  it('keeps messages, views and users across a restart when a file is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-'));
    try {
      const path = join(dir, 'state.json');
      const a = new Workspace({ persistPath: path });
      await a.listen(0);
      const client = new WebClient(a.botToken, { slackApiUrl: a.apiUrl, retryConfig: { retries: 0 } });
      const m = await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'survives' });
      await client.chat.postMessage({ channel: 'C0INCIDENTS', text: 'reply', thread_ts: m.ts });
      await a.close();
      const b = new Workspace({ persistPath: path });
      await b.listen(0);
      const client2 = new WebClient(b.botToken, { slackApiUrl: b.apiUrl, retryConfig: { retries: 0 } });
      const replies = await client2.conversations.replies({ channel: 'C0INCIDENTS', ts: m.ts! });
      expect(replies.messages!.map((x) => x.text)).toEqual(['survives', 'reply']);
      const next = await client2.chat.postMessage({ channel: 'C0INCIDENTS', text: 'later' });
      expect(Number(next.ts)).toBeGreaterThan(Number(m.ts));
      await b.close();
      const c = new Workspace({ persistPath: path, incidentsChannel: { id: 'C0MAJOR', name: 'major-incidents' } });
      expect(c.state.channel('C0MAJOR')?.name).toBe('major-incidents');
      expect(c.state.message('C0INCIDENTS', m.ts!)?.text).toBe('survives');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
