/**
 * A timeline people can curate, through the real Bolt app and its local workspace: replies in the
 * incident's thread (Events API), "Add to incident timeline" in the thread and elsewhere (picker),
 * "Declare incident" from a message. Each message is one entry, however often it arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureRequests } from '../support/capture.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const ADD = 'incident.timeline_add';
const DECLARE = 'incident.declare';

let t: LocalOpsroom | undefined;
let cap: Awaited<ReturnType<typeof captureRequests>> | undefined;
afterEach(async () => {
  await cap?.close();
  await t?.close();
  t = cap = undefined;
});

async function withIncident(title = 'Checkout API down') {
  t = await startLocal();
  await t.ws.slash('U0ALICE', GEN, `open P1 ${title}`);
  await t.settle();
  const card = t.messages(INC).at(-1)!;
  return { t, card };
}

const entries = async (l: LocalOpsroom, id = 1) => (await l.ops.store.events(id)).filter((e) => e.kind === 'message' || e.kind === 'timeline');
const show = async (l: LocalOpsroom, threadTs: string, key = 'INC-1') => {
  const r = await l.ws.slash('U0ALICE', INC, `show ${key}`, { threadTs });
  return visibleText(r.json ?? {});
};
const openViews = (l: LocalOpsroom, user: string) => l.ws.state.data.views.filter((v) => v.user === user && (l.ws.state.data.stacks[user] ?? []).includes(v.id));
const ephemeralsOf = (l: LocalOpsroom, user: string) => l.ws.state.data.ephemerals.filter((e) => e.ephemeral_for === user).map((e) => e.text);

describe('replies in the incident thread', () => {
  it('are kept on the timeline and shown by /incident show, with their author', async () => {
    const { t, card } = await withIncident();
    await t.ws.message('U0BOB', INC, 'primary DB at 100% CPU since 14:02', card.ts);
    await t.ws.message('U0CAROL', INC, 'failing over to the replica', card.ts);
    const kept = await waitFor(async () => { const e = await entries(t); return e.length === 2 && e; });
    expect(kept.map((e) => [e.kind, e.actor, e.text])).toEqual([
      ['message', 'U0BOB', 'primary DB at 100% CPU since 14:02'],
      ['message', 'U0CAROL', 'failing over to the replica'],
    ]);
    expect(kept[0].data).toMatchObject({ channel: INC, threadTs: card.ts, author: 'U0BOB' });
    expect(String(kept[0].data?.permalink)).toMatch(new RegExp(`/archives/${INC}/p\\d+\\?thread_ts=${card.ts}`));
    const shown = await show(t, card.ts);
    expect(shown).toMatch(/<@U0BOB> · \*message\* primary DB at 100% CPU since 14:02/);
    expect(shown).toMatch(/<@U0CAROL> · \*message\* failing over to the replica/);
  });

  it('leave out bots (opsroom itself too), edits, top-level messages and other channels', async () => {
    const { t, card } = await withIncident();
    await t.ws.appMessage({ botId: 'B0DEPLOY', appId: 'A0DEPLOY', user: 'U0DEPLOYBOT' }, INC, 'deploy 42 finished', card.ts);
    await t.ws.appMessage({ botId: 'B0LEGACY', username: 'nagios' }, INC, 'CRITICAL: disk full', card.ts);
    await t.ws.appMessage({ botId: 'B0OPSBOT', appId: 'A0OPSROOM', user: 'U0OPSBOT' }, INC, 'a line opsroom posted', card.ts);
    await t.ws.message('U0BOB', INC, 'a top-level message in #incidents');
    const general = await t.ws.message('U0BOB', GEN, 'a thread elsewhere');
    await t.ws.message('U0CAROL', GEN, 'a reply elsewhere', general.ts);
    const edited = await t.ws.sendRaw({
      body: JSON.stringify({ type: 'event_callback', team_id: 'T0LOCAL', api_app_id: 'A0OPSROOM', event_id: 'Ev0EDITED', event_time: 1, event: {
        type: 'message', subtype: 'message_changed', channel: INC, ts: '1.000001', hidden: true,
        message: { type: 'message', user: 'U0BOB', text: 'edited words', ts: '1.000000', thread_ts: card.ts }, previous_message: { ts: '1.000000' },
      } }),
      secret: t.ws.signingSecret, contentType: 'application/json',
    });
    expect(edited.status).toBe(200);
    await t.ws.message('U0DAVE', INC, 'the one person in the thread', card.ts);
    await waitFor(async () => (await entries(t)).length > 0);
    await waitFor(async () => (await t.ops.deliveries.state('event:Ev0EDITED')) === 'done');
    expect((await entries(t)).map((e) => [e.actor, e.text])).toEqual([['U0DAVE', 'the one person in the thread']]);
  });

  it('a retried event (X-Slack-Retry-Num) and the same message in another event are recorded once', async () => {
    const { t, card } = await withIncident();
    cap = await captureRequests(t.ws);
    await t.ws.message('U0BOB', INC, 'rolling back release 7.3', card.ts);
    await waitFor(async () => (await entries(t)).length === 1);
    const sent = cap.last((p) => p.type === 'event_callback' && p.event?.text === 'rolling back release 7.3');
    expect((await cap.replay(sent, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    expect((await cap.replay(sent, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    // The same message under a new event id (as a redelivery would carry): one entry by channel and ts.
    const again = { ...sent.payload, event_id: 'Ev0AGAIN' };
    expect((await t.ws.sendRaw({ body: JSON.stringify(again), secret: t.ws.signingSecret, contentType: 'application/json' })).status).toBe(200);
    await waitFor(async () => (await t.ops.deliveries.state('event:Ev0AGAIN')) === 'done');
    expect(await t.ops.deliveries.state(`event:${sent.payload.event_id}`)).toBe('done');
    await t.ws.message('U0CAROL', INC, 'rollback done', card.ts);
    await waitFor(async () => (await entries(t)).length >= 2);
    expect((await entries(t)).map((e) => e.text)).toEqual(['rolling back release 7.3', 'rollback done']);
  });

  it('someone else\'s markup is shown as words: no broadcast, no hidden link, no mention', async () => {
    const { t, card } = await withIncident();
    const typed = '<!channel> read <https://evil.example/x|the runbook> &lt;@U0CAROL&gt; <@U0CAROL> &amp; *now*';
    await t.ws.message('U0BOB', INC, typed, card.ts);
    const [e] = await waitFor(async () => { const x = await entries(t); return x.length === 1 && x; });
    expect(e.text).toBe('@channel read the runbook (https://evil.example/x) <@U0CAROL> @carol & *now*');
    const shown = await show(t, card.ts);
    const line = shown.split('\n').find((l) => l.includes('*message*'))!;
    expect(line).toContain('@\u2060channel read the runbook (https://evil.example/x) &lt;@U0CAROL&gt; @carol &amp; *now*');
    expect(line).not.toMatch(/<!channel>|<https:\/\/evil|<@U0CAROL>/);
  });
});

describe('secrets people paste', () => {
  const TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp';

  it('are scrubbed from thread entries, the Declare form and the kept message', async () => {
    const { t, card } = await withIncident();
    await t.ws.message('U0BOB', INC, `the bot token is ${TOKEN}`, card.ts);
    const [e] = await waitFor(async () => { const x = await entries(t); return x.length === 1 && x; });
    expect(e.text).toBe('the bot token is [REDACTED]');
    expect(await show(t, card.ts)).not.toContain(TOKEN);
    const said = await t.ws.message('U0DAVE', GEN, `login fails with ${TOKEN}`);
    await t.ws.shortcut('U0ALICE', { channel: GEN, ts: said.ts }, DECLARE);
    const view = await waitFor(() => openViews(t, 'U0ALICE').at(-1));
    expect(JSON.stringify(view)).not.toContain(TOKEN);
    await t.ws.submitView('U0ALICE', view.id, { severity: 'P3' });
    await t.settle();
    const kept = await entries(t, 2);
    expect(kept.map((x) => x.text)).toEqual(['login fails with [REDACTED]']);
    expect(JSON.stringify(await t.ops.store.get(2))).not.toContain(TOKEN);
    const posted = t.ws.state.data.messages.filter((m) => m.user === 'U0OPSBOT');
    expect(JSON.stringify(posted)).not.toContain(TOKEN);
  });
});

describe('Add to incident timeline', () => {
  it('in the thread: a bot\'s line is added with its link; a reply already kept stays one entry', async () => {
    const { t, card } = await withIncident();
    const opened = t.messages(INC, card.ts).find((m) => /opened this P1 incident/.test(m.text))!;
    const r = await t.ws.shortcut('U0CAROL', { channel: INC, ts: opened.ts }, ADD);
    expect(r.status).toBe(200);
    const [added] = await waitFor(async () => { const x = await entries(t); return x.length === 1 && x; });
    expect(added).toMatchObject({ kind: 'timeline', actor: 'U0CAROL', data: { channel: INC, ts: opened.ts, author: 'U0OPSBOT' } });
    expect(String(added.data?.permalink)).toContain(`/archives/${INC}/p${opened.ts.replace('.', '')}`);
    await waitFor(() => ephemeralsOf(t, 'U0CAROL').some((x) => /Added to the timeline of \*INC-1\*/.test(x)));

    const reply = await t.ws.message('U0BOB', INC, 'cache flushed', card.ts);
    await waitFor(async () => (await entries(t)).length === 2);
    await t.ws.shortcut('U0ALICE', { channel: INC, ts: reply.ts }, ADD);
    await waitFor(() => ephemeralsOf(t, 'U0ALICE').some((x) => /already on the timeline of \*INC-1\*/.test(x)));
    await t.ws.shortcut('U0CAROL', { channel: INC, ts: opened.ts }, ADD);
    await waitFor(() => ephemeralsOf(t, 'U0CAROL').some((x) => /already on the timeline/.test(x)));
    expect((await entries(t)).map((e) => [e.kind, e.data?.ts])).toEqual([['timeline', opened.ts], ['message', reply.ts]]);
  });

  it('elsewhere: asks which open incident, keeps a link, and says so in that incident\'s thread', async () => {
    const { t } = await withIncident();
    await t.ws.slash('U0ALICE', GEN, 'open P3 Search is slow');
    await t.settle();
    const second = t.messages(INC).at(-1)!;
    const said = await t.ws.message('U0DAVE', GEN, 'customers see 502s on search <!here>');
    await t.ws.shortcut('U0CAROL', { channel: GEN, ts: said.ts }, ADD);
    const view = await waitFor(() => openViews(t, 'U0CAROL').at(-1));
    const select = view.blocks.find((b: any) => b.block_id === 'incident').element;
    expect(select.options.map((o: any) => o.value)).toEqual(['1', '2']);
    expect(visibleText(view as { blocks?: any[] })).toContain('@\u2060here');
    const ok = await t.ws.submitView('U0CAROL', view.id, { incident: '2' });
    expect(ok.errors).toBeUndefined();
    const [e] = await entries(t, 2);
    expect(e).toMatchObject({ kind: 'timeline', actor: 'U0CAROL', text: 'customers see 502s on search @here', data: { channel: GEN, ts: said.ts, author: 'U0DAVE' } });
    expect(String(e.data?.permalink)).toContain(`/archives/${GEN}/p${said.ts.replace('.', '')}`);
    expect(await entries(t, 1)).toEqual([]);
    await t.settle();
    const line = t.messages(INC, second.ts).find((m) => /added .* to the timeline/.test(m.text))!;
    expect(line.text).toContain(`<@U0CAROL> added <${e.data?.permalink}|a message> by <@U0DAVE> in <#${GEN}>`);
    expect(line.text).toContain('@\u2060here');
    expect(line.text).not.toContain('<!here>');
    expect(await show(t, second.ts, 'INC-2')).toContain(`<@U0CAROL> · *timeline* customers see 502s on search @\u2060here (by <@U0DAVE>, <${e.data?.permalink}|message>)`);

    // Picked again for the same incident: refused next to the picker, nothing added.
    await t.ws.shortcut('U0CAROL', { channel: GEN, ts: said.ts }, ADD);
    const again = await waitFor(() => openViews(t, 'U0CAROL').at(-1));
    const refused = await t.ws.submitView('U0CAROL', again.id, { incident: '2' });
    expect(refused.errors?.incident).toMatch(/already on the timeline of INC-2/);
    expect(await entries(t, 2)).toHaveLength(1);
  });

  it('elsewhere with no open incident: says so and opens nothing', async () => {
    t = await startLocal();
    const said = await t.ws.message('U0DAVE', GEN, 'is checkout down?');
    await t.ws.shortcut('U0DAVE', { channel: GEN, ts: said.ts }, ADD);
    await waitFor(() => ephemeralsOf(t!, 'U0DAVE').some((x) => /no open incident/i.test(x)));
    expect(openViews(t, 'U0DAVE')).toEqual([]);
  });
});

describe('Declare incident', () => {
  it('opens the form prefilled from the message and links the incident back to it', async () => {
    t = await startLocal();
    const words = `Checkout returns 500 for every card payment since the 14:00 deploy; ${'customers are retrying and '.repeat(6)}support is flooded.`;
    const said = await t.ws.message('U0DAVE', GEN, `${words}\nsecond line`);
    await t.ws.shortcut('U0ALICE', { channel: GEN, ts: said.ts }, DECLARE);
    const view = await waitFor(() => openViews(t!, 'U0ALICE').at(-1));
    const title = view.blocks.find((b: any) => b.block_id === 'title').element.initial_value as string;
    expect(title.length).toBeLessThanOrEqual(120);
    expect(title).toMatch(/^Checkout returns 500 for every card payment/);
    expect(title.endsWith('…')).toBe(true);
    expect(view.blocks.find((b: any) => b.block_id === 'summary').element.initial_value).toBe(`${words}\nsecond line`);
    const ok = await t.ws.submitView('U0ALICE', view.id, { severity: 'P2' });
    expect(ok.errors).toBeUndefined();
    const incident = (await t.ops.store.listOpen())[0];
    expect(incident).toMatchObject({ title, severity: 'P2', openedBy: 'U0ALICE', sourceChannel: GEN });
    const [e] = await entries(t);
    expect(e).toMatchObject({ kind: 'timeline', actor: 'U0ALICE', data: { channel: GEN, ts: said.ts, author: 'U0DAVE' } });
    expect(e.text).toBe(`${words}\nsecond line`);
    const permalink = String(e.data?.permalink);
    expect(permalink).toContain(`/archives/${GEN}/p${said.ts.replace('.', '')}`);
    await t.settle();
    const card = t.messages(INC)[0];
    expect(t.messages(INC, card.ts).some((m) => m.text.includes(`Declared from <${permalink}|a message> by <@U0DAVE> in <#${GEN}>`))).toBe(true);
    // Adding the same message to it later is the same entry.
    await t.ws.shortcut('U0BOB', { channel: GEN, ts: said.ts }, ADD);
    const pick = await waitFor(() => openViews(t!, 'U0BOB').at(-1));
    expect((await t.ws.submitView('U0BOB', pick.id, { incident: String(incident.id) })).errors?.incident).toMatch(/already/);
    expect(await entries(t)).toHaveLength(1);
  });

  it('takes the title from the first line that has words', async () => {
    t = await startLocal();
    const said = await t.ws.message('U0DAVE', GEN, '\n  Payments   queue stuck  \nconsumer lag 2h');
    await t.ws.shortcut('U0ALICE', { channel: GEN, ts: said.ts }, DECLARE);
    const view = await waitFor(() => openViews(t!, 'U0ALICE').at(-1));
    expect(view.blocks.find((b: any) => b.block_id === 'title').element.initial_value).toBe('Payments queue stuck');
  });

  it('a shortcut the app does not have is not offered', async () => {
    t = await startLocal();
    const said = await t.ws.message('U0DAVE', GEN, 'hello');
    await expect(t.ws.shortcut('U0DAVE', { channel: GEN, ts: said.ts }, 'incident.nonsense')).rejects.toThrow(/no message shortcut/);
  });
});
