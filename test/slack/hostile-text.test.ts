/**
 * Untrusted text cannot speak for the bot: the real opsroom (real Bolt with signed requests, real
 * store, local workspace, PagerDuty fake, a real HTTP step) fed hostile titles, summaries,
 * services, updates, PagerDuty titles, notes and agent names, parameter values and step output.
 * Every mrkdwn text opsroom then shows carries no live broadcast, mention or link; line breaks stay.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { FileConfigSchema } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { Actions, Inputs, RunActions } from '#slack/ids.js';
import { PagerDutyFake } from '../support/pagerduty-fake.js';
import { waitFor } from '../support/slack-app.js';
import { world, type World } from '../pagerduty/support/world.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const SECRET = 'whsec-hostile';
const HOSTILE = '<!channel> <!here> <!subteam^S1> <@U123> <https://evil.example|https://bank.example> @here *bold*';
/** What would notify, mention or link if Slack parsed it: the markup the hostile texts carry. */
const LIVE = [/<!channel>/, /<!here>/, /<!everyone>/, /<!subteam\^S1>/, /<@U123>/, /<https:\/\/evil/, /<#C1>/, /@(here|channel|everyone)\b/i];

let w: World;
let ops: Opsroom;
let dir: string;
let server: Server;
const stepBody = `${HOSTILE}\nsecond line <!everyone> <#C1>\n`;

beforeAll(async () => {
  w = await world();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-hostile-'));
  server = createServer((_req, res) => res.end(stepBody));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(join(dir, 'runbooks'));
  writeFileSync(join(dir, 'runbooks', 'echo.yml'), [
    'title: Echo the title',
    'params:',
    '  who: { from: incident.title }',
    'steps:',
    '  - id: fetch',
    '    title: Fetch the page',
    `    http: { url: "${base}/out?q={{ who }}" }`,
    '',
  ].join('\n'));
  const { services, severityMap, escalationPolicies } = w.settings;
  ops = await startOpsroom({
    env: parseEnv({
      PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'), OPSROOM_RUNBOOKS: join(dir, 'runbooks'),
      PAGERDUTY_TOKEN: 'tok-123', PAGERDUTY_API_URL: w.fake.url, PAGERDUTY_FROM: w.users.bot.email,
      PAGERDUTY_SERVICE_ID: w.services.checkout.id, PAGERDUTY_WEBHOOK_SECRET: SECRET,
    }),
    file: FileConfigSchema.parse({ pagerduty: { services, severityMap, escalationPolicies } }),
    clock: w.clock, logger: createLogger('silent'), loops: false, workspaceState: join(dir, 'workspace.json'),
  });
}, 60_000);

afterAll(async () => {
  await ops?.close();
  await w?.fake.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ws = () => ops.workspace!;
const settle = async () => {
  await ops.dispatcher.settle();
  await ops.runs.board.settle();
};
const cards = () => ws().state.data.messages.filter((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts));
const thread = (card: { ts: string }) => ws().state.data.messages.filter((m) => m.channel === INC && m.thread_ts === card.ts && m.ts !== card.ts);
const webhook = (payload: unknown) => PagerDutyFake.sendWebhook(`${ops.url}/pagerduty/webhook`, payload, [SECRET]);

/** Every text Slack parses as mrkdwn in a message, view or response: `text` and mrkdwn text objects. */
function mrkdwnTexts(m: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = typeof m.text === 'string' ? [m.text] : [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(m.blocks);
  return out;
}

function expectInert(texts: string[], atLeast = 1) {
  expect(texts.length).toBeGreaterThanOrEqual(atLeast);
  for (const t of texts) for (const re of LIVE) expect(t, `live markup ${re} in: ${t}`).not.toMatch(re);
}

describe('hostile text through the real bot', () => {
  const responses: unknown[] = [];

  it('opens an incident from the form with a hostile title, summary and service, and posts an update', async () => {
    await ws().slash('U0ALICE', GEN, '');
    const form = await waitFor(() => ws().state.data.views.find((v) => v.user === 'U0ALICE'));
    const r = await ws().submitView('U0ALICE', form.id, {
      [Inputs.severity]: 'P1', [Inputs.title]: HOSTILE, [Inputs.summary]: `${HOSTILE}\nline two\nline three`, [Inputs.service]: '<!here> checkout',
    });
    expect(r.errors).toBeUndefined();
    await settle();
    const card = await waitFor(() => cards()[0]);
    await ws().click('U0BOB', { channel: INC, ts: card.ts }, Actions.postUpdate);
    const update = await waitFor(() => ws().state.data.views.find((v) => v.user === 'U0BOB'));
    expect((await ws().submitView('U0BOB', update.id, { [Inputs.status]: 'identified', [Inputs.text]: `first <!channel>\nsecond @here\n<https://evil.example|docs>` })).errors).toBeUndefined();
    await settle();
    const line = await waitFor(() => thread(card).find((m) => /Update from/.test(m.text ?? '')));
    expect(line.text).toContain('first &lt;!channel&gt;\nsecond @\u2060here\n&lt;https://evil.example|docs&gt;');
    const cardText = mrkdwnTexts(cards()[0]).join('\n');
    expect(cardText).toContain('&lt;!channel&gt; &lt;!here&gt;');
    expect(cardText).toContain('line two\nline three');
    expect(cardText).toContain('&lt;!here&gt; checkout');
  });

  it('takes a PagerDuty note and an agent with hostile names, and a PagerDuty incident with a hostile title', async () => {
    const mallory = w.fake.addUser('<!here> Mallory <@U0BOB>', 'mallory@example.com');
    const pd = [...w.fake.incidents.values()][0];
    expect(pd).toBeDefined();
    const note = w.fake.webhookEvent('incident.annotated', pd.id, { note: `${HOSTILE}\nnext line`, agentUserId: mallory.id });
    expect((await webhook(note)).status).toBe(200);
    const raised = w.fake.createIncident({ title: HOSTILE, serviceId: w.services.checkout.id });
    expect((await webhook(w.fake.webhookEvent('incident.triggered', raised.id, { agentUserId: mallory.id }))).status).toBe(200);
    await settle();
    const first = thread(cards()[0]).find((m) => /Note in PagerDuty/.test(m.text ?? ''));
    expect(first?.text).toContain('from &lt;!here&gt; Mallory &lt;@U0BOB&gt;:\n&lt;!channel&gt;');
    expect(first?.text).toMatch(/\nnext line$/);
    expect(cards()).toHaveLength(2);
    expect(cards()[1].text).toContain('&lt;!subteam^S1&gt;');
  });

  it('runs a step whose parameter is the title and whose output carries the markup', async () => {
    const card = cards()[0];
    const r = await ws().slash('U0ALICE', INC, 'run echo', { command: '/runbook', threadTs: card.ts });
    responses.push(r.json);
    const runCard = await waitFor(() => thread(card).find((m) => /Runbook/.test(m.text ?? '') && JSON.stringify(m.blocks).includes(RunActions.run)));
    await ws().click('U0ALICE', { channel: INC, ts: runCard.ts }, RunActions.run);
    const out = await waitFor(() => thread(card).find((m) => mrkdwnTexts(m).some((t) => t.includes('second line'))), 15_000);
    await waitFor(async () => (await settle(), /succeeded/.test(JSON.stringify(ws().state.message(INC, out.ts)))), 15_000);
    const shown = mrkdwnTexts(ws().state.message(INC, out.ts)!).join('\n');
    expect(shown).toContain('&lt;!channel&gt; &lt;!here&gt;');
    expect(shown).toContain('\nsecond line &lt;!everyone&gt; &lt;#C1&gt;');
    expect(mrkdwnTexts(ws().state.message(INC, runCard.ts)!).join('\n')).toContain('who=&lt;!channel&gt;');
  });

  it('answers /incident show, /incident list and /handoff without live markup', async () => {
    for (const text of ['show INC-1', 'list']) responses.push((await ws().slash('U0CAROL', GEN, text)).json);
    responses.push((await ws().slash('U0CAROL', GEN, '', { command: '/handoff' })).json);
    const show = mrkdwnTexts(responses[1] as never).join('\n');
    expect(show).toContain('first &lt;!channel&gt;');
    expect(show).toContain('&lt;https://evil.example|https://bank.example&gt;');
    expect(mrkdwnTexts(responses[3] as never).join('\n')).toContain('&lt;!channel&gt;');
  });

  it('leaves no live broadcast, mention or link anywhere opsroom wrote', async () => {
    await settle();
    const bot = ws().state.data.messages.filter((m) => m.user === 'U0OPSBOT' || m.bot_id);
    expect(bot.length).toBeGreaterThan(6);
    expectInert(bot.flatMap(mrkdwnTexts));
    expectInert(ws().state.data.ephemerals.flatMap(mrkdwnTexts), 0);
    expectInert(ws().state.data.views.flatMap((v) => mrkdwnTexts(v as never)), 0);
    expectInert(responses.flatMap((r) => mrkdwnTexts(r as never)));
  });
});
