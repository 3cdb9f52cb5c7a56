/**
 * One timeline entry per message across replicas (SQLite and PostgreSQL): each replica has its own
 * handle, store, delivery claims and service; the same message arriving on both at once (the
 * thread event on one, the shortcut on the other) is recorded once, also once the delivery claims
 * have lapsed.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimelineMessages, type ChatMessage } from '#core/incidents/messages.js';
import { IncidentService } from '#core/incidents/service.js';
import { DEFAULT_SEVERITIES } from '#core/incidents/severity.js';
import type { Database } from '#store/db.js';
import { KyselyDeliveries } from '#store/deliveries.js';
import { KyselyIncidentStore } from '#store/index.js';
import { ManualClock } from '../support/clock.js';
import { ENGINES } from './engines.js';
import { newIncident } from './fixtures.js';

describe.each(ENGINES)('timeline messages across replicas on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  const handles: Database[] = [];
  const clock = new ManualClock();

  beforeEach(async () => { fresh = await engine.fresh(); });
  afterEach(async () => {
    for (const d of handles.splice(0)) await d.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  /** `laterMs`: this replica's claims see a clock that far ahead (the other replicas' claims have lapsed). */
  async function replica(name: string, laterMs = 0) {
    const database = await fresh.open();
    handles.push(database);
    const store = new KyselyIncidentStore(database, clock);
    const incidents = new IncidentService({ store, clock, severities: DEFAULT_SEVERITIES, incidentChannel: 'CINC', pagerEnabled: false });
    const once = new KyselyDeliveries(database, { owner: name, pollMs: 10, now: () => Date.now() + laterMs });
    return { store, messages: new TimelineMessages({ incidents, store, clock, once }) };
  }

  const message = (ts: string): ChatMessage => ({ channel: 'CINC', ts, threadTs: '1.000000', author: 'U2', text: `said at ${ts}`, permalink: null });

  it('the same message on two replicas at once is one entry, also after the claims lapsed', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const incident = await a.store.create(newIncident({ createdAt: clock.now() }), [], []);
    const tss = Array.from({ length: 8 }, (_, i) => `1700000000.00000${i}`);
    const results = await Promise.all(tss.flatMap((ts) => [
      a.messages.add(incident.id, message(ts), { kind: 'message', actor: 'U2' }),
      b.messages.add(incident.id, message(ts), { kind: 'timeline', actor: 'U3' }),
    ]));
    // Each pair: exactly one of the two added it.
    for (let i = 0; i < tss.length; i++) expect([results[2 * i].added, results[2 * i + 1].added].filter(Boolean)).toHaveLength(1);
    const kept = (await b.store.events(incident.id)).filter((e) => e.kind === 'message' || e.kind === 'timeline');
    expect(kept.map((e) => e.data?.ts).sort()).toEqual(tss);
    // Later, from either replica: still one; also where the delivery claims have long lapsed.
    expect((await a.messages.add(incident.id, message(tss[0]), { kind: 'timeline', actor: 'U4' })).added).toBe(false);
    const c = await replica('c', 60 * 60_000);
    expect((await c.messages.add(incident.id, message(tss[1]), { kind: 'timeline', actor: 'U4' })).added).toBe(false);
    for (const ts of tss.slice(0, 2)) expect((await b.store.events(incident.id)).filter((e) => e.data?.ts === ts)).toHaveLength(1);
  });

  it('the same message is its own entry on another incident', async () => {
    const a = await replica('a');
    const one = await a.store.create(newIncident({ createdAt: clock.now() }), [], []);
    const two = await a.store.create(newIncident({ title: 'Search slow', createdAt: clock.now() }), [], []);
    expect((await a.messages.add(one.id, message('1.5'), { kind: 'timeline', actor: 'U3' })).added).toBe(true);
    expect((await a.messages.add(two.id, message('1.5'), { kind: 'timeline', actor: 'U3' })).added).toBe(true);
    expect((await a.store.events(two.id)).map((e) => e.kind)).toEqual(['timeline']);
  });
});
