import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerEscalator, PagerEventHandler, type PagerEvent, type PagerIncidentSnapshot } from '#core/incidents/pager-events.js';
import { IncidentService } from '#core/incidents/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import {
  KyselyIncidentStore, KyselyOutbox, KyselyPagerEventOrder, KyselyPagerLinks, openDatabase, releaseClaim, type Database,
} from '#store/index.js';
import { ManualClock } from '../../support/clock.js';
import { payloadText } from '#slack/lines/index.js';

const T0 = new Date('2026-11-22T08:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const WATCHED = 'PSVC1';

let dir: string;
let database: Database;
let clock: ManualClock;
let store: KyselyIncidentStore;
let outbox: KyselyOutbox;
let links: KyselyPagerLinks;
let svc: IncidentService;
let handler: PagerEventHandler;
let seq = 0;

function wire(db: Database) {
  store = new KyselyIncidentStore(db, clock);
  outbox = new KyselyOutbox(db);
  links = new KyselyPagerLinks(db);
  svc = new IncidentService({ store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INC', pagerEnabled: true });
  handler = new PagerEventHandler({
    incidents: svc, store, links, order: new KyselyPagerEventOrder(db),
    incidentIdFromKey: (k) => (k?.startsWith('opsroom-INC-') ? Number(k.slice(12)) : undefined),
    watchedService: (id) => (id === WATCHED ? { name: 'checkout' } : undefined),
    severityFor: (pd) => (pd.priority?.name === 'P2' ? 'P2' : pd.priority?.name === 'P1' ? 'P1' : undefined),
    releaseClaim: (k) => releaseClaim(db, k),
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsroom-pe-'));
  database = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  clock = new ManualClock(T0);
  wire(database);
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const snap = (over: Partial<PagerIncidentSnapshot> = {}): PagerIncidentSnapshot => ({
  id: 'Q1', url: 'https://pd.example/incidents/Q1', number: 1, title: 'Disk full on db-3', status: 'triggered',
  incidentKey: null, urgency: 'high', service: { id: WATCHED, name: 'Checkout' }, assignees: [{ id: 'PU1', name: 'Ana' }],
  escalationPolicy: { id: 'PE1', name: 'SRE' }, priority: null, ...over,
});
const ev = (type: Exclude<PagerEvent['type'], 'incident.annotated'>, when: number, over: Partial<PagerIncidentSnapshot> = {}): PagerEvent => ({
  type, eventId: `E${++seq}`, occurredAt: at(when), agent: { id: 'PU1', name: 'Ana', type: 'user_reference' }, incident: snap(over),
});
const note = (content: string, when: number, pagerId = 'Q1', noteId = `N${++seq}`): PagerEvent => ({
  type: 'incident.annotated', eventId: `E${++seq}`, occurredAt: at(when), agent: null,
  incident: { id: pagerId, url: null, title: null }, note: { id: noteId, content },
});
const pagerEffects = async (id: number) => (await outbox.forIncident(id)).filter((e) => e.target === 'pager');

describe('PagerEventHandler', () => {
  it('opens a linked incident for a trigger on a watched service, without paging back', async () => {
    expect(await handler.apply(ev('incident.triggered', 0, { priority: { id: 'PP2', name: 'P2' } }))).toBe('opened');
    const i = await store.get(1);
    expect(i).toMatchObject({ title: 'Disk full on db-3', severity: 'P2', service: 'checkout', status: 'investigating', openedBy: 'pagerduty' });
    expect(await links.get(1)).toEqual({ id: 'Q1', url: 'https://pd.example/incidents/Q1' });
    expect(await pagerEffects(1)).toEqual([]);
    const thread = (await outbox.forIncident(1)).map((e) => e.payload).flatMap((p) => (p.type === 'thread' ? [payloadText(p)] : []));
    expect(thread.join('\n')).toContain('Raised in PagerDuty as P2');
  });

  it('ignores unwatched services and notes on unknown incidents', async () => {
    expect(await handler.apply(ev('incident.triggered', 0, { service: { id: 'POTHER', name: 'x' } }))).toBe('unwatched');
    expect(await handler.apply(note('hi', 1, 'Q404'))).toBe('unknown_incident');
    expect(await store.listOpen()).toEqual([]);
  });

  it('links the incident opsroom created (found by incident_key) instead of opening another', async () => {
    const { incident } = await svc.open({ severity: 'P1', title: 'Checkout API down', openedBy: 'U1', sourceChannel: 'C1' });
    const before = (await pagerEffects(incident.id)).length;
    expect(await handler.apply(ev('incident.triggered', 0, { id: 'Q9', url: 'u9', incidentKey: `opsroom-INC-${incident.id}` }))).toBe('linked');
    expect(await links.get(incident.id)).toEqual({ id: 'Q9', url: 'u9' });
    expect((await store.listOpen()).map((i) => i.id)).toEqual([incident.id]);
    expect((await pagerEffects(incident.id)).length).toBe(before);
  });

  it('follows acknowledge and resolve without echo, and a second delivery changes nothing', async () => {
    await handler.apply(ev('incident.triggered', 0));
    expect(await handler.apply(ev('incident.acknowledged', 10, { status: 'acknowledged' }))).toBe('applied');
    expect(await store.get(1)).toMatchObject({ acknowledgedBy: 'pagerduty' });
    const resolved = ev('incident.resolved', 20, { status: 'resolved' });
    expect(await handler.apply(resolved)).toBe('applied');
    expect(await handler.apply(resolved)).toBe('stale');
    expect(await store.get(1)).toMatchObject({ status: 'resolved', resolution: 'Resolved in PagerDuty by Ana' });
    expect(await pagerEffects(1)).toEqual([]);
    const kinds = (await store.events(1)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'resolved')).toHaveLength(1);
    expect(kinds).toContain('pagerduty');
  });

  it('ends in the right state when deliveries arrive out of order, also after a restart', async () => {
    await handler.apply(ev('incident.triggered', 0));
    expect(await handler.apply(ev('incident.resolved', 30, { status: 'resolved' }))).toBe('applied');
    await database.close();
    database = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    wire(database); // a new process: nothing in memory
    expect(await handler.apply(ev('incident.acknowledged', 10, { status: 'acknowledged' }))).toBe('stale');
    expect(await handler.apply(ev('incident.triggered', 5))).toBe('stale');
    expect(await store.get(1)).toMatchObject({ status: 'resolved', acknowledgedAt: null });
    // A newer re-trigger in PagerDuty reopens it.
    expect(await handler.apply(ev('incident.triggered', 40))).toBe('applied');
    expect(await store.get(1)).toMatchObject({ status: 'investigating' });
  });

  it('opens from the first event it sees, in that event\'s state, and drops older ones', async () => {
    expect(await handler.apply(ev('incident.acknowledged', 10, { status: 'acknowledged' }))).toBe('opened');
    expect(await store.get(1)).toMatchObject({ acknowledgedBy: 'pagerduty' });
    expect(await handler.apply(ev('incident.triggered', 0))).toBe('stale');
    expect((await store.listOpen()).length).toBe(1);
  });

  it('keeps status, assignment and priority apart: an old reassignment is stale, an old status is not blocked by it', async () => {
    await handler.apply(ev('incident.triggered', 0));
    expect(await handler.apply(ev('incident.reassigned', 20, { assignees: [{ id: 'PU2', name: 'Ben' }] }))).toBe('applied');
    expect(await handler.apply(ev('incident.escalated', 15))).toBe('stale');
    expect(await handler.apply(ev('incident.acknowledged', 10, { status: 'acknowledged' }))).toBe('applied');
    const texts = (await store.events(1)).map((e) => e.text);
    expect(texts).toContain('Reassigned in PagerDuty by Ana: now Ben (SRE)');
    expect(texts.filter((t) => t.startsWith('Escalated'))).toEqual([]);
  });

  it('maps a priority change to a severity change without paging back', async () => {
    await handler.apply(ev('incident.triggered', 0, { priority: { id: 'PP2', name: 'P2' } }));
    expect(await store.get(1)).toMatchObject({ severity: 'P2' });
    expect(await handler.apply(ev('incident.priority_updated', 5, { priority: { id: 'PP1', name: 'P1' } }))).toBe('applied');
    expect(await store.get(1)).toMatchObject({ severity: 'P1' });
    expect(await handler.apply(ev('incident.priority_updated', 6, { priority: { id: 'PPX', name: 'Other' } }))).toBe('unchanged');
    expect(await pagerEffects(1)).toEqual([]);
  });

  it('posts PagerDuty notes once, and not the ones that came from opsroom', async () => {
    await handler.apply(ev('incident.triggered', 0));
    await svc.postUpdate(1, 'U1', 'Rolled back the deploy');
    expect(await handler.apply(note('Rolled back the deploy', 5))).toBe('echo');
    expect(await handler.apply(note('Escalated from opsroom by U1: level 2', 6))).toBe('echo');
    const n = note('DBA on the way', 7, 'Q1', 'N-dba');
    expect(await handler.apply(n)).toBe('applied');
    expect(await handler.apply({ ...n, eventId: 'other' })).toBe('unchanged');
    expect((await store.events(1)).filter((e) => e.kind === 'note').map((e) => e.text)).toEqual(['DBA on the way']);
  });

  it('takes its ordering step back when applying fails, so the retry is applied', async () => {
    await handler.apply(ev('incident.triggered', 0));
    const original = svc.acknowledge.bind(svc);
    svc.acknowledge = async () => { throw new Error('database hiccup'); };
    const ack = ev('incident.acknowledged', 10, { status: 'acknowledged' });
    await expect(handler.apply(ack)).rejects.toThrow('database hiccup');
    svc.acknowledge = original;
    expect(await handler.apply(ack)).toBe('applied');
  });
});

describe('IncidentService.escalate', () => {
  it('records who escalated and stores a pager.escalate effect', async () => {
    const { incident } = await svc.open({ severity: 'P1', title: 'x', openedBy: 'U1', sourceChannel: 'C1' });
    await svc.escalate(incident.id, 'U0BOB', { policyId: 'databases' });
    const e = (await store.events(incident.id)).find((x) => x.kind === 'escalation');
    expect(e).toMatchObject({ actor: 'U0BOB', text: 'Escalated to escalation policy databases' });
    expect((await pagerEffects(incident.id)).map((x) => x.payload)).toContainEqual({ type: 'pager.escalate', actor: 'U0BOB', policyId: 'databases' });
  });

  it('refuses when PagerDuty is off or the incident is resolved', async () => {
    const off = new IncidentService({ store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INC', pagerEnabled: false });
    const { incident } = await off.open({ severity: 'P1', title: 'x', openedBy: 'U1', sourceChannel: 'C1' });
    await expect(off.escalate(incident.id, 'U1')).rejects.toThrow(/PagerDuty is off/);
    await svc.resolve(incident.id, 'U1', null);
    await expect(svc.escalate(incident.id, 'U1')).rejects.toThrow(/resolved/);
  });
});

describe('PagerEscalator (runbook steps)', () => {
  it('queues a pager escalation: a configured policy by name, anything else the next level', async () => {
    const { incident } = await svc.open({ severity: 'P1', title: 'x', openedBy: 'U1', sourceChannel: 'C1' });
    let kicked = 0;
    const esc = new PagerEscalator({ store, policies: ['databases'], onEffects: () => kicked++ });
    const ctx = { runId: 3, stepId: 'restart', runbookId: 'redis-down', incidentId: incident.id, actor: 'U0BOB' };
    expect((await esc.escalate('databases', 'restart failed', ctx)).message).toMatch(/to databases queued/);
    expect((await esc.escalate('sre', 'still down', ctx)).message).toMatch(/to the next level queued/);
    const payloads = (await pagerEffects(incident.id)).map((e) => e.payload).filter((p) => p.type === 'pager.escalate');
    expect(payloads).toEqual([{ type: 'pager.escalate', actor: 'U0BOB', policyId: 'databases' }, { type: 'pager.escalate', actor: 'U0BOB' }]);
    expect(kicked).toBe(2);
    expect((await esc.escalate('sre', 'x', { ...ctx, incidentId: null })).message).toMatch(/no incident/);
  });
});
