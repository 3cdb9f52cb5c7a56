import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentService } from '#core/incidents/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import { KyselyIncidentStore, KyselyOutbox, openDatabase, type Database } from '#store/index.js';
import { ManualClock } from '../../support/clock.js';
import { payloadText } from '#slack/lines/index.js';
import { userMessage } from '#slack/errors.js';

let database: Database;
let store: KyselyIncidentStore;
let outbox: KyselyOutbox;
let clock: ManualClock;
let svc: IncidentService;

const open = (title = 'Checkout API down', severity = 'P1', openedBy = 'U0ALICE') =>
  svc.open({ severity, title, openedBy, sourceChannel: 'C0GENERAL' });

beforeEach(async () => {
  database = await openDatabase('sqlite::memory:');
  clock = new ManualClock();
  store = new KyselyIncidentStore(database, clock);
  outbox = new KyselyOutbox(database);
  svc = new IncidentService({ store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'C0INCIDENTS', pagerEnabled: true });
});
afterEach(() => database.close());

describe('IncidentService', () => {
  it('opens INC-1, INC-2 with the opener as commander, a timeline event and effects', async () => {
    const { incident } = await open();
    expect(incident).toMatchObject({ id: 1, severity: 'P1', status: 'investigating', commander: 'U0ALICE', channel: 'C0INCIDENTS' });
    expect((await open('Other thing')).incident.id).toBe(2);
    const events = await store.events(1);
    expect(events.map((e) => e.kind)).toEqual(['opened']);
    const effects = await outbox.forIncident(1);
    expect(effects.map((e) => e.payload.type)).toEqual(['card', 'thread', 'pager.trigger']);
  });

  it('answers a repeat of the same open within 60 s with the first incident', async () => {
    const first = await open();
    clock.advance(30_000);
    const again = await open('checkout api   DOWN');
    expect(again).toMatchObject({ duplicate: true, incident: { id: first.incident.id } });
    clock.advance(31_000);
    expect((await open()).duplicate).toBe(false);
    expect((await open('Checkout API down', 'P1', 'U0BOB')).duplicate).toBe(false);
  });

  it('refuses unknown severities and bad titles', async () => {
    await expect(open('x', 'P9')).rejects.toThrow(/Unknown severity "P9"/);
    await expect(open('   ')).rejects.toThrow(/empty/);
    await expect(open('x'.repeat(121))).rejects.toThrow(/limit is 120/);
  });

  it('acknowledges once; a second ack is refused and changes nothing', async () => {
    await open();
    clock.advance(90_000);
    const acked = await svc.acknowledge(1, 'U0BOB');
    expect(acked.acknowledgedBy).toBe('U0BOB');
    await expect(svc.acknowledge(1, 'U0CAROL')).rejects.toThrow(/already acknowledged by @U0BOB\./);
    // Slack names the person with a mention.
    expect(await svc.acknowledge(1, 'U0CAROL').catch(userMessage)).toBe(':warning: INC-1 was already acknowledged by <@U0BOB>.');
    expect((await store.events(1)).filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
  });

  it('two concurrent acknowledgements change the state once', async () => {
    await open();
    const results = await Promise.allSettled([svc.acknowledge(1, 'U0BOB'), svc.acknowledge(1, 'U0CAROL')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.events(1)).filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
  });

  it('moves status through the table and refuses illegal moves', async () => {
    await open();
    await svc.setStatus(1, 'U0ALICE', 'identified');
    await svc.postUpdate(1, 'U0ALICE', 'Rolled back', 'monitoring');
    expect((await svc.get(1)).status).toBe('monitoring');
    await expect(svc.setStatus(1, 'U0ALICE', 'monitoring')).rejects.toThrow(/already monitoring/);
    await svc.resolve(1, 'U0ALICE', 'Bad deploy');
    await expect(svc.setStatus(1, 'U0ALICE', 'identified')).rejects.toThrow(/resolved\. Reopen/);
    await expect(svc.resolve(1, 'U0ALICE', null)).rejects.toThrow(/already resolved/);
    const reopened = await svc.reopen(1, 'U0BOB');
    expect(reopened).toMatchObject({ status: 'investigating', resolvedAt: null });
  });

  it('resolves with time to acknowledge, time to resolve and a timeline summary', async () => {
    await open();
    clock.advance(4 * 60_000);
    await svc.acknowledge(1, 'U0BOB');
    await svc.postUpdate(1, 'U0BOB', 'Found it');
    await svc.setSeverity(1, 'U0BOB', 'sev-2');
    clock.advance(20 * 60_000);
    await svc.resolve(1, 'U0BOB', 'Rolled back the deploy');
    const thread = (await outbox.forIncident(1)).map((e) => e.payload).filter((p) => p.type === 'thread').at(-1);
    expect(thread).toBeDefined();
    const text = payloadText(thread as Extract<typeof thread, { type: 'thread' }>);
    expect(text).toContain('Time to acknowledge:* 4m');
    expect(text).toContain('Time to resolve:* 24m');
    expect(text).toContain('1 update');
    expect(text).toContain('1 severity change');
    const kinds = (await store.events(1)).map((e) => e.kind);
    expect(kinds).toEqual(['opened', 'acknowledged', 'update', 'severity', 'resolved']);
  });

  it('reminds once per update interval when an incident goes quiet', async () => {
    await open(); // P1: every 15 min
    await open('Slow search', 'P3'); // P3: every 120 min
    clock.advance(14 * 60_000);
    expect(await svc.remindDue()).toEqual([]);
    clock.advance(60_000);
    expect(await svc.remindDue()).toEqual([1]);
    expect(await svc.remindDue()).toEqual([]);
    clock.advance(15 * 60_000);
    expect(await svc.remindDue()).toEqual([1]);
    await svc.postUpdate(1, 'U0ALICE', 'still on it');
    clock.advance(10 * 60_000);
    expect(await svc.remindDue()).toEqual([]);
    expect((await store.events(1)).filter((e) => e.kind === 'reminder')).toHaveLength(2);
  });

  it('does not echo changes that came from the pager', async () => {
    await open();
    await svc.acknowledge(1, 'pagerduty', { fromPager: true });
    const types = (await outbox.forIncident(1)).map((e) => e.payload.type);
    expect(types).not.toContain('pager.acknowledge');
  });
});
