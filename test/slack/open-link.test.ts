/**
 * "Opened INC-n" links to the incident's thread: the answer waits a moment for the card and gives
 * its permalink. When Slack is slow or failing, the answer still comes in the ack, naming the
 * channel, and the card follows. Signed requests to the real Bolt app, the local workspace's Web API.
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardWait } from '#slack/listeners/commands/incident.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
let t: LocalOpsroom;

beforeEach(async () => { t = await startLocal(); });
afterEach(() => t.close());

const open = (title = 'Checkout API down') => t.ws.slash('U0ALICE', GEN, `open P1 ${title}`);
/** The answer: in the ack, or (the ack window spent on a loaded machine) through response_url. */
const answerOf = async (r: { json?: { text?: string } }) =>
  r.json?.text ?? String((await waitFor(() => t.ws.calls('response_url').at(-1))).args.text);
/** A wider wait for the card than in production: these tests are about the link, not the budget. */
const widened = async (test: () => Promise<void>) => {
  const before = { ...cardWait };
  Object.assign(cardWait, { ms: 1500, byMs: 1800 });
  try { await test(); } finally { Object.assign(cardWait, before); }
};
const cardOf = (title: string) => t.messages(INC).find((m) => m.text.includes(title));
const permalinkOf = async (ts: string) =>
  (await new WebClient(t.ws.botToken, { slackApiUrl: t.ws.apiUrl }).chat.getPermalink({ channel: INC, message_ts: ts })).permalink as string;

describe('the answer to /incident open', () => {
  it('links to the card posted in the incidents channel', () => widened(async () => {
    const r = await open();
    expect(r.status).toBe(200);
    const text = await answerOf(r);
    expect(text).toMatch(/^:rotating_light: Opened \*INC-1\* \(P1\) in <#C0INCIDENTS>\. You are the commander\. </);
    // The card was posted while the command was answered, not by a later settle.
    const card = cardOf('Checkout API down');
    expect(card).toBeDefined();
    const link = await permalinkOf(card!.ts);
    expect(link).toMatch(/^http/);
    expect(text).toContain(`<${link}|Open the thread>`);
  }));

  it('links the duplicate answer to the same thread', () => widened(async () => {
    const first = await answerOf(await open());
    const again = await answerOf(await t.ws.slash('U0ALICE', GEN, 'open P1 Checkout API down'));
    expect(again).toMatch(/^You opened \*INC-1\* less than a minute ago: <#C0INCIDENTS>\. Nothing new was opened\. </);
    const link = await permalinkOf(cardOf('Checkout API down')!.ts);
    expect(again).toContain(`<${link}|Open the thread>`);
    expect(first).toContain(`<${link}|Open the thread>`);
    expect(t.messages(INC)).toHaveLength(1);
  }));

  it('answers in the ack without a link while Slack is slow to post the card; the card follows', async () => {
    t.ws.delayNext('chat.postMessage', 3000);
    const r = await open('Payments slow');
    expect(r.status).toBe(200);
    // In the HTTP answer itself: it did not wait for the card (posted 3 s later, past the ack window).
    expect(r.json.text).toBe(':rotating_light: Opened *INC-1* (P1) in <#C0INCIDENTS>. You are the commander.');
    expect(t.ws.calls('response_url')).toHaveLength(0);
    expect(t.ws.state.data.ephemerals.map((e: { text: string }) => e.text).join('\n')).not.toMatch(/operation_timeout|dispatch_failed/);
    expect(cardOf('Payments slow')).toBeUndefined();
    await waitFor(async () => { await t.settle(); return cardOf('Payments slow'); });
    expect(t.messages(INC)).toHaveLength(1);
  });

  it('answers without a link when posting the card fails; the card is posted on the retry', async () => {
    t.ws.failNext('chat.postMessage', { status: 500 });
    const r = await open('Search down');
    expect(await answerOf(r)).toBe(':rotating_light: Opened *INC-1* (P1) in <#C0INCIDENTS>. You are the commander.');
    expect(t.ws.calls('chat.postMessage').map((c) => c.status)).toEqual([500]);
    const card = await waitFor(async () => { await t.settle(); return cardOf('Search down'); });
    // The next answer about it, a duplicate, knows the card and links it.
    const again = await answerOf(await t.ws.slash('U0ALICE', GEN, 'open P1 Search down'));
    expect(again).toContain(`<${await permalinkOf(card.ts)}|Open the thread>`);
  });

  it('answers without a link when Slack gives no permalink', () => widened(async () => {
    t.ws.failNext('chat.getPermalink', { status: 200, error: 'internal_error' });
    const r = await open('Login errors');
    expect(await answerOf(r)).toBe(':rotating_light: Opened *INC-1* (P1) in <#C0INCIDENTS>. You are the commander.');
    expect(cardOf('Login errors')).toBeDefined();
    expect(t.ws.calls('chat.getPermalink').map((c) => c.status)).toEqual([200]);
  }));
});
