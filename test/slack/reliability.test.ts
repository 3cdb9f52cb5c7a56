import { afterEach, describe, expect, it } from 'vitest';
import { slackSignature } from '#workspace/index.js';
import { ManualClock } from '../support/clock.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

function slashBody(text: string, triggerId = `T${Date.now()}${Math.random()}`) {
  return new URLSearchParams({
    token: 'local-verification-token', team_id: 'T0LOCAL', team_domain: 'opsroom-local', channel_id: GEN, channel_name: 'general',
    user_id: 'U0ALICE', user_name: 'alice', command: '/incident', text, api_app_id: 'A0OPSROOM', trigger_id: triggerId,
    response_url: 'http://127.0.0.1:1/response/none',
  }).toString();
}

function signed(body: string, secret: string, ts = Math.floor(Date.now() / 1000)) {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(secret, ts, body), 'content-type': 'application/x-www-form-urlencoded' };
}

const incidentCount = async (l: LocalOpsroom) => (await l.ops.store.listOpen()).length;

describe('requests that are not from Slack', () => {
  it.each([
    ['a bad signature', (b: string) => ({ ...signed(b, 'not-the-secret') })],
    ['a timestamp 6 minutes old', (b: string, s: string) => signed(b, s, Math.floor(Date.now() / 1000) - 360)],
    ['a timestamp 6 minutes in the future', (b: string, s: string) => signed(b, s, Math.floor(Date.now() / 1000) + 360)],
    ['no signature headers', () => ({ 'content-type': 'application/x-www-form-urlencoded' })],
  ])('refuses %s with 401 and changes nothing', async (_name, headers) => {
    t = await startLocal();
    const body = slashBody('open P1 Forged');
    const r = await fetch(`${t.ops.url}/slack/events`, { method: 'POST', body, headers: headers(body, t.ws.signingSecret) as Record<string, string> });
    expect(r.status).toBe(401);
    await t.settle();
    expect(await incidentCount(t)).toBe(0);
    expect(t.ws.calls().filter((c) => c.method !== 'auth.test')).toEqual([]);
  });
});

describe('retries and double clicks', () => {
  it('a Slack retry of the same slash command opens one incident', async () => {
    t = await startLocal();
    const body = slashBody('open P1 Checkout API down', 'T-retry-1');
    const first = await fetch(`${t.ops.url}/slack/events`, { method: 'POST', body, headers: signed(body, t.ws.signingSecret) });
    const retry = await fetch(`${t.ops.url}/slack/events`, {
      method: 'POST', body, headers: { ...signed(body, t.ws.signingSecret), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await t.settle();
    expect(await incidentCount(t)).toBe(1);
    expect(t.messages(INC)).toHaveLength(1);
  });

  it('the same /incident open within 60 s answers with the incident already opened', async () => {
    t = await startLocal();
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    const again = await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    expect(again.json.text).toMatch(/You opened \*INC-1\* less than a minute ago/);
    const elsewhere = await t.ws.slash('U0BOB', GEN, 'open P1 Checkout API down');
    expect(elsewhere.json.text).toMatch(/Opened \*INC-2\*/);
    await t.settle();
    expect(t.messages(INC)).toHaveLength(2);
  });

  it('two clicks on Acknowledge (one or two people) change the state once', async () => {
    t = await startLocal();
    await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await t.settle();
    const ts = t.messages(INC)[0].ts;
    await Promise.all([
      t.ws.click('U0BOB', { channel: INC, ts }, 'incident.acknowledge'),
      t.ws.click('U0BOB', { channel: INC, ts }, 'incident.acknowledge'),
      t.ws.click('U0CAROL', { channel: INC, ts }, 'incident.acknowledge'),
    ]);
    await t.settle();
    const acks = (await t.ops.store.events(1)).filter((e) => e.kind === 'acknowledged');
    expect(acks).toHaveLength(1);
    expect(t.messages(INC, ts).filter((m) => /acknowledged/.test(m.text))).toHaveLength(1);
    const refusals = await waitFor(() => t!.ws.state.data.ephemerals.filter((e) => /already acknowledged/.test(e.text)).length === 2);
    expect(refusals).toBe(true);
  });

  it('a button value cannot point a click at another incident', async () => {
    t = await startLocal();
    await t.ws.slash('U0ALICE', GEN, 'open P1 First');
    await t.ws.slash('U0ALICE', GEN, 'open P2 Second');
    await t.settle();
    const firstCard = t.messages(INC).find((m) => /First/.test(m.text))!;
    await t.ws.click('U0BOB', { channel: INC, ts: firstCard.ts }, 'incident.acknowledge', { value: '2' });
    await t.settle();
    expect((await t.ops.store.get(1))?.acknowledgedBy).toBe('U0BOB');
    expect((await t.ops.store.get(2))?.acknowledgedBy).toBeNull();
  });
});

describe('Slack failing while the card is posted', () => {
  it.each([
    ['429 with Retry-After', { status: 429, retryAfter: 3 }],
    ['503', { status: 503 }],
  ])('%s: the command is acknowledged, the incident kept, the card posted once Slack answers', async (_n, failure) => {
    const clock = new ManualClock(new Date());
    t = await startLocal({ clock });
    t.ws.failNext('chat.postMessage', failure, 3);
    const r = await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    expect(r.status).toBe(200);
    expect(r.durationMs).toBeLessThan(3000);
    expect(r.json.text).toMatch(/Opened \*INC-1\*/);
    await t.settle();
    expect(t.messages(INC)).toHaveLength(0);
    expect(await t.ops.store.get(1)).toMatchObject({ title: 'Checkout API down', cardTs: null });
    for (let i = 0; i < 4; i++) {
      clock.advance(65_000);
      await t.settle();
    }
    expect(t.messages(INC)).toHaveLength(1);
    expect(visibleText(t.messages(INC)[0])).toContain('INC-1 · P1 · Checkout API down');
    expect(t.messages(INC, t.messages(INC)[0].ts).map((m) => m.text).join()).toMatch(/opened this P1 incident/);
    const failed = t.ws.calls('chat.postMessage').filter((c) => c.status !== 200);
    expect(failed.length).toBe(3);
  });
});

describe('restart', () => {
  it('keeps open incidents, their cards and timelines; reminders resume', async () => {
    const clock = new ManualClock(new Date());
    const first = await startLocal({ clock });
    await first.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down');
    await first.settle();
    const ts = first.messages(INC)[0].ts;
    await first.close({ keepDir: true });

    t = await startLocal({ clock, dir: first.dir });
    expect((await t.ops.store.listOpen()).map((i) => i.title)).toEqual(['Checkout API down']);
    expect(t.messages(INC)[0].ts).toBe(ts);
    await t.ws.click('U0BOB', { channel: INC, ts }, 'incident.acknowledge');
    await t.settle();
    expect(visibleText(t.messages(INC)[0])).toContain('Acknowledged by*\n<@U0BOB>');
    clock.advance(16 * 60_000);
    expect(await t.ops.incidents.remindDue()).toEqual([1]);
    await t.settle();
    expect(t.messages(INC, ts).at(-1)?.text).toMatch(/No update for 16m/);
    expect((await t.ops.store.events(1)).map((e) => e.kind)).toEqual(['opened', 'acknowledged', 'reminder']);
  });
});
