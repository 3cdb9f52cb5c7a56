/**
 * PagerDuty end to end: the real opsroom (real Bolt, real store, local workspace) against the
 * stateful PagerDuty fake, which checks every request against PagerDuty's OpenAPI document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEnv } from '#config/env.js';
import { FileConfigSchema } from '#config/file.js';
import { createLogger } from '#src/log.js';
import { startOpsroom, type Opsroom } from '#src/opsroom.js';
import { pdError, PagerDutyFake } from '../support/pagerduty-fake.js';
import { visibleText } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { world, type World } from './support/world.js';

const INC = 'C0INCIDENTS';
const GEN = 'C0GENERAL';
const SECRET = 'whsec-current';
const OLD_SECRET = 'whsec-previous';

let w: World;
let dir: string;
let ops: Opsroom;

async function start(env: Record<string, string> = {}, timeoutMs = 800) {
  const e = parseEnv({
    PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'opsroom.db')}`, OPSROOM_CONFIG: join(dir, 'none.yml'),
    PAGERDUTY_TOKEN: 'tok-123', PAGERDUTY_API_URL: w.fake.url, PAGERDUTY_FROM: w.users.bot.email,
    PAGERDUTY_SERVICE_ID: w.services.checkout.id, PAGERDUTY_WEBHOOK_SECRET: `${OLD_SECRET}, ${SECRET}`, ...env,
  });
  const { services, severityMap, escalationPolicies } = w.settings;
  const file = FileConfigSchema.parse({ pagerduty: { services, severityMap, escalationPolicies } });
  ops = await startOpsroom({
    env: e, file, clock: w.clock, logger: createLogger('silent'), loops: false, workspaceState: join(dir, 'workspace.json'),
    pagerDuty: { timeoutMs, rateLimitRetryMs: 5 },
  });
  return ops;
}

beforeEach(async () => {
  w = await world();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-pd-'));
});
afterEach(async () => {
  const running = ops;
  ops = undefined as unknown as Opsroom;
  await running?.close();
  expect(w.fake.violations).toEqual([]);
  await w.fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const ws = () => ops.workspace!;
const settle = () => ops.dispatcher.settle();
const cards = () => ws().state.data.messages.filter((m) => m.channel === INC && (!m.thread_ts || m.thread_ts === m.ts));
const card = (n = 0) => cards()[n];
const thread = (n = 0) => ws().state.data.messages.filter((m) => m.channel === INC && m.thread_ts === card(n).ts && m.ts !== card(n).ts);
const pdIncidents = () => [...w.fake.incidents.values()];
const writes = () => w.fake.requests.filter((r) => r.method !== 'GET');
const later = (ms: number) => w.clock.advance(ms);
const webhook = (payload: unknown, secrets: string[] | null = [SECRET], opts: { signature?: string } = {}) =>
  PagerDutyFake.sendWebhook(`${ops.url}/pagerduty/webhook`, payload, secrets, opts);

async function openP1(title = 'Checkout API down') {
  const r = await ws().slash('U0ALICE', GEN, `open P1 ${title}`);
  expect(r.status).toBe(200);
  expect(r.durationMs).toBeLessThan(3000);
  expect(r.json?.text).toMatch(/Opened \*INC-\d+\*/);
  return r;
}

async function submitModal(user: string, values: Record<string, string>, except: string[] = []) {
  const view = await waitFor(() => ws().state.data.views.filter((v) => v.user === user && !except.includes(v.id)).at(-1));
  const r = await ws().submitView(user, view.id, values);
  expect(r.errors).toBeUndefined();
  return view.id;
}

describe('PagerDuty off', () => {
  it('says so on the card and stores no pager effects', async () => {
    await start({ PAGERDUTY_TOKEN: '' });
    await openP1();
    await settle();
    expect(visibleText(card())).toContain('PagerDuty: off');
    expect(visibleText(card())).not.toContain('Escalate');
    const pagerRows = await ops.database.db.selectFrom('effects').select('id').where('target', '=', 'pager').execute();
    expect(pagerRows).toEqual([]);
    expect(w.fake.requests).toEqual([]);
    const r = await webhook({ event: {} });
    expect(r.status).toBe(404);
    // /oncall answers from the handoff rotation instead (the local workspace ships one), and pages nobody.
    const oncall = await ws().slash('U0ALICE', GEN, '', { command: '/oncall' });
    expect(oncall.json.text).toMatch(/^On call now: <@U0[A-Z]+>/);
    expect(JSON.stringify(oncall.json.blocks)).toContain('PagerDuty is off, so nobody is paged');
    expect(w.fake.requests).toEqual([]);
  });

  it('refuses to start with a token but no service, naming the setting', async () => {
    await expect(start({ PAGERDUTY_SERVICE_ID: '' })).rejects.toThrow(/PAGERDUTY_SERVICE_ID/);
  });
});

describe('opsroom -> PagerDuty', () => {
  beforeEach(() => start());

  it('pages once with the right urgency, links it on the card, and ack, notes, severity and resolve follow', async () => {
    await openP1();
    await settle();
    expect(pdIncidents()).toHaveLength(1);
    const pd = pdIncidents()[0];
    expect(pd).toMatchObject({ incidentKey: 'opsroom-INC-1', urgency: 'high', priorityId: w.priorities.p1, status: 'triggered', serviceId: w.services.checkout.id });
    expect(visibleText(card())).toContain(`PagerDuty: <${w.fake.url}/web/incidents/${pd.id}|incident>`);

    const ts = card().ts;
    await ws().click('U0BOB', { channel: INC, ts }, 'incident.acknowledge');
    await settle();
    expect(pd.status).toBe('acknowledged');

    await ws().slash('U0BOB', INC, 'update Rolled back the 14:02 deploy', { threadTs: ts });
    await ws().click('U0BOB', { channel: INC, ts }, 'incident.change_severity', { value: '1:P3' });
    await settle();
    expect(pd.notes.map((n) => n.content)).toContain('Rolled back the 14:02 deploy');
    expect(pd.urgency).toBe('low');

    await ws().click('U0CAROL', { channel: INC, ts }, 'incident.resolve');
    await submitModal('U0CAROL', { summary: 'Rollback done' });
    await settle();
    expect(pd).toMatchObject({ status: 'resolved', resolution: 'Rollback done' });
    expect(w.fake.requestsTo('POST', /^\/incidents$/)).toHaveLength(1);
    expect(visibleText(card())).toContain('resolved');
  });

  it('keeps Slack answering while PagerDuty fails with 503, shows pending, then links the incident', async () => {
    w.fake.fail({ status: 503 }, { method: 'POST', path: /^\/incidents$/ });
    await openP1();
    await settle();
    expect(pdIncidents()).toHaveLength(0);
    expect(visibleText(card())).toMatch(/PagerDuty: pending \(retrying: PagerDuty answered 503/);
    later(1_500);
    await settle();
    expect(pdIncidents()).toHaveLength(1);
    expect(visibleText(card())).toContain(`PagerDuty: <${w.fake.url}/web/incidents/${pdIncidents()[0].id}|incident>`);
  });

  it('keeps Slack answering while PagerDuty hangs: the card and the acknowledgement do not wait for it', async () => {
    await ops.close();
    await start({}, 60_000); // the page hangs until the test drops the connection
    w.fake.fail('hang', { method: 'POST', path: /^\/incidents$/ });
    await openP1();
    await waitFor(() => card() && visibleText(card()).includes('PagerDuty: pending'));
    await ws().click('U0BOB', { channel: INC, ts: card().ts }, 'incident.acknowledge');
    await waitFor(() => visibleText(card()).includes('Acknowledged by'));
    // ...while the page is still in flight: not answered, not failed.
    expect(w.fake.requestsTo('POST', /^\/incidents$/).map((r) => r.status)).toEqual([0]);
    expect((await ops.outbox.forIncident(1)).filter((e) => e.target === 'pager')[0]).toMatchObject({ lastError: null });
    (w.fake as unknown as { server: import('node:http').Server }).server.closeAllConnections();
    await settle();
    expect(visibleText(card())).toMatch(/PagerDuty: pending \(retrying: PagerDuty unreachable/);
    later(1_500);
    await settle();
    expect(pdIncidents()).toHaveLength(1);
    expect(pdIncidents()[0].status).toBe('acknowledged');
    expect(visibleText(card())).toContain('PagerDuty: <');
  });

  it('waits as long as a 429 says before trying again', async () => {
    // pdjs absorbs three 429s itself; the fourth reaches the outbox with its Retry-After.
    w.fake.fail({ status: 429, headers: { 'retry-after': '120' } }, { method: 'POST', path: /^\/incidents$/, times: 4 });
    await openP1();
    await settle();
    expect(visibleText(card())).toMatch(/PagerDuty: pending \(retrying: PagerDuty answered 429/);
    later(100_000);
    await settle();
    expect(w.fake.requestsTo('POST', /^\/incidents$/)).toHaveLength(4);
    later(21_000);
    await settle();
    expect(pdIncidents()).toHaveLength(1);
    expect(visibleText(card())).toContain('PagerDuty: <');
  });

  it('shows a 4xx that retrying cannot fix, and does not retry it', async () => {
    w.fake.fail({ status: 400, body: pdError('Invalid Input Provided', 2001, ['Service Not Found']) }, { method: 'POST', path: /^\/incidents$/ });
    await openP1();
    await settle();
    expect(visibleText(card())).toMatch(/PagerDuty: failed: PagerDuty answered 400 to POST \/incidents: Invalid Input Provided: Service Not Found/);
    later(3_600_000);
    await settle();
    expect(w.fake.requestsTo('POST', /^\/incidents$/)).toHaveLength(1);
    expect(pdIncidents()).toHaveLength(0);
  });

  it('delivers a page left pending across a restart', async () => {
    w.fake.fail({ status: 503 }, { method: 'POST', path: /^\/incidents$/ });
    await openP1();
    await settle();
    expect(pdIncidents()).toHaveLength(0);
    const pending = (await ops.outbox.forIncident(1)).filter((e) => e.target === 'pager');
    expect(pending).toMatchObject([{ state: 'pending', attempts: 1 }]);
    await ops.close();
    later(60_000);
    await start();
    await settle();
    expect(pdIncidents()).toHaveLength(1);
    expect(pdIncidents()[0].incidentKey).toBe('opsroom-INC-1');
    expect(visibleText(card())).toContain(`PagerDuty: <${w.fake.url}/web/incidents/${pdIncidents()[0].id}|incident>`);
  });

  it('escalates from the card to the next level or a configured policy, and records who did it', async () => {
    await openP1();
    await settle();
    const pd = pdIncidents()[0];
    const ts = card().ts;
    await ws().click('U0BOB', { channel: INC, ts }, 'incident.escalate');
    const first = await submitModal('U0BOB', { escalate_to: 'next' });
    await settle();
    expect(pd.escalationLevel).toBe(2);
    expect(pd.notes.map((n) => n.content)).toContain('Escalated from opsroom by U0BOB: level 2 of SRE');
    await ws().click('U0CAROL', { channel: INC, ts }, 'incident.escalate');
    await submitModal('U0CAROL', { escalate_to: 'policy:databases' }, [first]);
    await settle();
    expect(pd.escalationPolicyId).toBe(w.policies.db.id);
    const events = await ops.store.events(1);
    expect(events.filter((e) => e.kind === 'escalation').map((e) => e.actor)).toEqual(['U0BOB', 'U0CAROL']);
    expect(thread().map((m) => m.text).join('\n')).toMatch(/<@U0BOB> escalated to the next level/);
  });

  it('answers /oncall with who is on call now and next', async () => {
    const all = await ws().slash('U0ALICE', GEN, '', { command: '/oncall' });
    expect(all.json.response_type).toBe('ephemeral');
    const text = visibleText(all.json);
    expect(text).toMatch(/On call now[\s\S]*\*SRE\* level 1: Ana Ruiz/);
    expect(text).toMatch(/Next[\s\S]*\*SRE\* level 1: Cleo Diaz/);
    const one = visibleText((await ws().slash('U0ALICE', GEN, 'payments', { command: '/oncall' })).json);
    expect(one).toMatch(/now for payments[\s\S]*Dan Ito[\s\S]*Next[\s\S]*Ben Ode/);
    expect(one).not.toContain('Ana Ruiz');
    const unknown = await ws().slash('U0ALICE', GEN, 'billing', { command: '/oncall' });
    expect(unknown.json.text).toMatch(/No PagerDuty service is mapped to "billing"/);
  });
});

describe('PagerDuty -> opsroom webhooks', () => {
  beforeEach(() => start());

  it('opens a Slack thread for an incident raised in PagerDuty; ack and resolve follow without echo', async () => {
    const pd = w.fake.createIncident({ title: 'Disk full on db-3', serviceId: w.services.checkout.id, priorityId: w.priorities.p2 });
    const before = w.fake.requests.length;
    expect((await webhook(w.fake.webhookEvent('incident.triggered', pd.id, { agentUserId: w.users.ana.id }))).status).toBe(200);
    await settle();
    expect(cards()).toHaveLength(1);
    expect(visibleText(card())).toMatch(/INC-1 · P2 · Disk full on db-3/);
    expect(visibleText(card())).toContain(`PagerDuty: <${w.fake.url}/web/incidents/${pd.id}|incident>`);
    expect(thread().map((m) => m.text).join('\n')).toMatch(/Raised in PagerDuty as P2/);

    later(1_000);
    pd.status = 'acknowledged';
    expect((await webhook(w.fake.webhookEvent('incident.acknowledged', pd.id, { agentUserId: w.users.ana.id }))).status).toBe(200);
    await settle();
    expect(visibleText(card())).toContain('Acknowledged by');
    later(1_000);
    pd.status = 'resolved';
    expect((await webhook(w.fake.webhookEvent('incident.resolved', pd.id))).status).toBe(200);
    await settle();
    expect(visibleText(card())).toContain('resolved');
    const note = w.fake.webhookEvent('incident.annotated', pd.id, { note: 'Root cause: log rotation off' });
    expect((await webhook(note)).status).toBe(200);
    await settle();
    expect(thread().map((m) => m.text).join('\n')).toMatch(/Note in PagerDuty[\s\S]*Root cause: log rotation off/);
    expect(w.fake.requests.length).toBe(before); // nothing went back to PagerDuty
  });

  it('links the incident opsroom created instead of opening a second thread', async () => {
    await openP1();
    await settle();
    const pd = pdIncidents()[0];
    expect((await webhook(w.fake.webhookEvent('incident.triggered', pd.id))).status).toBe(200);
    await settle();
    expect(cards()).toHaveLength(1);
    const writesBefore = writes().length;
    later(1_000);
    pd.status = 'acknowledged';
    await webhook(w.fake.webhookEvent('incident.acknowledged', pd.id, { agentUserId: w.users.ana.id }));
    await settle();
    expect(visibleText(card())).toContain('Acknowledged by');
    expect(writes().length).toBe(writesBefore);
  });

  it('refuses bad or missing signatures (nothing happens), accepts a rotated secret, ignores unknown types', async () => {
    const pd = w.fake.createIncident({ title: 'Queue backlog', serviceId: w.services.checkout.id });
    const body = w.fake.webhookEvent('incident.triggered', pd.id);
    expect((await webhook(body, ['wrong-secret'])).status).toBe(401);
    expect((await webhook(body, null)).status).toBe(401);
    await settle();
    expect(cards()).toHaveLength(0);
    expect((await webhook({ event: { id: 'X1', event_type: 'service.updated', data: {} } })).status).toBe(200);
    expect((await webhook(body, [OLD_SECRET])).status).toBe(200);
    await settle();
    expect(cards()).toHaveLength(1);
  });

  it('ends in the right state with duplicate and out-of-order deliveries', async () => {
    const pd = w.fake.createIncident({ title: 'Payments timeouts', serviceId: w.services.payments.id });
    const triggered = w.fake.webhookEvent('incident.triggered', pd.id);
    later(1_000);
    pd.status = 'acknowledged';
    const acked = w.fake.webhookEvent('incident.acknowledged', pd.id);
    later(1_000);
    pd.status = 'resolved';
    const resolved = w.fake.webhookEvent('incident.resolved', pd.id);
    for (const b of [resolved, triggered, resolved, acked, triggered]) expect((await webhook(b)).status).toBe(200);
    await settle();
    expect(cards()).toHaveLength(1);
    const i = (await ops.store.get(1))!;
    expect(i).toMatchObject({ status: 'resolved', service: 'payments' });
    const kinds = (await ops.store.events(1)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'resolved' || k === 'reopened')).toEqual(['resolved']);
    expect(writes()).toEqual([]);
  });
});
