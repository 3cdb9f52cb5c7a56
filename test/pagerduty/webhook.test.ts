import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookHandler, LastApplied, parseWebhook, signatureFor, verifyWebhookSignature, WEBHOOK_PATH,
  type PagerDutyEvent,
} from '#pagerduty/index.js';
import { PagerDutyFake } from '../support/pagerduty-fake.js';
import { effect, incident, world, type World } from './support/world.js';

const SECRET = 'whsec-new';
const OLD = 'whsec-old';

describe('verifyWebhookSignature', () => {
  const body = Buffer.from('{"event":{}}');
  it('accepts the right signature, also among several during rotation', () => {
    expect(verifyWebhookSignature(body, signatureFor(body, SECRET), [SECRET])).toBe(true);
    expect(verifyWebhookSignature(body, `${signatureFor(body, OLD)}, ${signatureFor(body, SECRET)}`, [SECRET])).toBe(true);
    expect(verifyWebhookSignature(body, signatureFor(body, OLD), [SECRET, OLD])).toBe(true);
  });
  it('refuses a missing, wrong, truncated or foreign-scheme signature, and any signature with no secrets', () => {
    const good = signatureFor(body, SECRET);
    expect(verifyWebhookSignature(body, undefined, [SECRET])).toBe(false);
    expect(verifyWebhookSignature(body, '', [SECRET])).toBe(false);
    expect(verifyWebhookSignature(body, signatureFor(body, 'other'), [SECRET])).toBe(false);
    expect(verifyWebhookSignature(Buffer.from('{"event":{ }}'), good, [SECRET])).toBe(false);
    expect(verifyWebhookSignature(body, good.slice(0, 40), [SECRET])).toBe(false);
    expect(verifyWebhookSignature(body, good.replace('v1=', 'v0='), [SECRET])).toBe(false);
    expect(verifyWebhookSignature(body, good, [])).toBe(false);
  });
});

describe('webhook receiver', () => {
  let w: World;
  let server: http.Server;
  let url: string;
  let received: PagerDutyEvent[];
  let seen: Set<string>;
  let dedupeCalls: number;
  let failNext: boolean;
  let pdId: string;

  beforeEach(async () => {
    w = await world();
    received = [];
    seen = new Set();
    dedupeCalls = 0;
    failNext = false;
    const handle = createWebhookHandler({
      secrets: [SECRET],
      dedupe: async (id) => {
        dedupeCalls++;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      },
      release: async (id) => void seen.delete(id),
      onEvent: async (e) => {
        if (failNext) {
          failNext = false;
          throw new Error('store down');
        }
        received.push(e);
      },
    });
    server = http.createServer((req, res) => {
      if (req.url === WEBHOOK_PATH) void handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident());
    pdId = (await w.links.get(7))!.id;
  });
  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    expect(w.fake.violations).toEqual([]);
    await w.fake.close();
  });

  const send = (payload: unknown, secrets: string[] | null, signature?: string) => PagerDutyFake.sendWebhook(url, payload, secrets, { signature });

  it('hands a signed incident.acknowledged to onEvent as a typed event', async () => {
    await w.pager.deliver(effect({ type: 'pager.acknowledge', actor: 'U1' }), incident());
    const r = await send(w.fake.webhookEvent('incident.acknowledged', pdId, { agentUserId: w.users.ana.id }), [SECRET]);
    expect(r.status).toBe(200);
    expect(received).toHaveLength(1);
    const e = received[0];
    expect(e.type).toBe('incident.acknowledged');
    if (e.type === 'incident.annotated') throw new Error('unexpected');
    expect(e.incident).toMatchObject({ id: pdId, status: 'acknowledged', incidentKey: 'opsroom-INC-7', service: { id: w.services.checkout.id, name: 'Checkout' }, urgency: 'high' });
    expect(e.agent).toEqual({ id: w.users.ana.id, name: 'Ana Ruiz', type: 'user_reference' });
    expect(e.occurredAt).toBeInstanceOf(Date);
  });

  it('answers 401 to a bad, missing or old-secret-only signature, and does nothing', async () => {
    const payload = w.fake.webhookEvent('incident.resolved', pdId);
    expect((await send(payload, ['not-the-secret'])).status).toBe(401);
    expect((await send(payload, null)).status).toBe(401);
    expect((await send(payload, [OLD])).status).toBe(401);
    expect((await send(payload, null, 'v1=zz')).status).toBe(401);
    expect(received).toEqual([]);
    expect(dedupeCalls).toBe(0);
  });

  it('accepts a delivery signed with old and new secrets during rotation', async () => {
    expect((await send(w.fake.webhookEvent('incident.resolved', pdId), [OLD, SECRET])).status).toBe(200);
    expect(received.map((e) => e.type)).toEqual(['incident.resolved']);
  });

  it('processes a repeated delivery once', async () => {
    const payload = w.fake.webhookEvent('incident.annotated', pdId, { note: 'DB failover started' });
    expect((await send(payload, [SECRET])).status).toBe(200);
    const again = await send(payload, [SECRET]);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body).outcome).toBe('duplicate');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ type: 'incident.annotated', incident: { id: pdId }, note: { content: 'DB failover started' } });
  });

  it('acknowledges unknown event types without acting, and refuses malformed bodies with 400', async () => {
    const other = { event: { id: 'E-1', event_type: 'service.updated', resource_type: 'service', occurred_at: new Date().toISOString(), agent: null, data: { id: 'PS1', type: 'service' } } };
    const r = await send(other, [SECRET]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).outcome).toBe('ignored');
    expect((await send({ event: { id: 'E-3', event_type: 'pagey.ping' } }, [SECRET])).status).toBe(200);
    expect((await send('{not json', [SECRET])).status).toBe(400);
    expect((await send({ event: { id: 'E-2', event_type: 'incident.resolved' } }, [SECRET])).status).toBe(400);
    expect(received).toEqual([]);
  });

  it('a failed handling answers 500 and gives the claim back, so the retry is processed', async () => {
    const payload = w.fake.webhookEvent('incident.escalated', pdId);
    failNext = true;
    expect((await send(payload, [SECRET])).status).toBe(500);
    expect((await send(payload, [SECRET])).status).toBe(200);
    expect(received.map((e) => e.type)).toEqual(['incident.escalated']);
  });
});

describe('parseWebhook and ordering', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident());
  });
  afterEach(() => w.fake.close());

  it('parses every incident event opsroom acts on', async () => {
    const id = (await w.links.get(7))!.id;
    const types = ['incident.triggered', 'incident.acknowledged', 'incident.resolved', 'incident.reassigned', 'incident.escalated', 'incident.priority_updated', 'incident.annotated'];
    const parsed = types.map((t) => parseWebhook(Buffer.from(JSON.stringify(w.fake.webhookEvent(t, id)))));
    expect(parsed.map((e) => e.type)).toEqual(types);
    const prio = parsed[5];
    if (prio.type !== 'incident.priority_updated') throw new Error('unexpected');
    expect(prio.incident.priority).toEqual({ id: w.priorities.p1, name: 'P1' });
    expect(prio.incident.assignees).toEqual([{ id: w.users.ana.id, name: 'Ana Ruiz' }]);
    expect(prio.incident.escalationPolicy).toEqual({ id: w.policies.sre.id, name: 'SRE' });
  });

  it('an incident raised in PagerDuty parses with its service, urgency and no opsroom key', () => {
    const pd = w.fake.createIncident({ title: 'Disk full on db-3', serviceId: w.services.payments.id, urgency: 'low' });
    const e = parseWebhook(JSON.stringify(w.fake.webhookEvent('incident.triggered', pd.id)));
    if (e.type !== 'incident.triggered') throw new Error('unexpected');
    expect(e.incident).toMatchObject({ id: pd.id, title: 'Disk full on db-3', incidentKey: null, urgency: 'low', service: { id: w.services.payments.id, name: 'Payments' } });
    expect(e.incident.assignees).toEqual([{ id: w.users.dan.id, name: 'Dan Ito' }]);
  });

  it('LastApplied drops an older status event that arrives after a newer one', async () => {
    const id = (await w.links.get(7))!.id;
    const ev = (type: string, iso: string) => parseWebhook(JSON.stringify(w.fake.webhookEvent(type, id, { occurredAt: new Date(iso) }))) as PagerDutyEvent;
    const resolved = ev('incident.resolved', '2026-11-22T08:10:00Z');
    const acked = ev('incident.acknowledged', '2026-11-22T08:05:00Z');
    const note = ev('incident.annotated', '2026-11-22T08:01:00Z');
    const prio = ev('incident.priority_updated', '2026-11-22T08:02:00Z');
    const order = new LastApplied();
    expect(order.isStale(resolved)).toBe(false);
    order.markApplied(resolved);
    expect(order.isStale(acked)).toBe(true);
    expect(order.isStale(note)).toBe(false);
    expect(order.isStale(prio)).toBe(false);
  });
});
