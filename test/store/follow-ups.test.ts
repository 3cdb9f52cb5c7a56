import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FollowUpService } from '#core/followups/service.js';
import type { Database } from '#store/db.js';
import { KyselyFollowUpStore } from '#store/follow-ups.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyOutbox } from '#store/outbox.js';
import { ENGINES } from './engines.js';
import { at, newIncident } from './fixtures.js';
import { userMessage } from '#slack/errors.js';

describe.each(ENGINES)('follow-ups on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
  });
  afterEach(async () => {
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('records a follow-up with its timeline event and card effect, marks it done once, and lists the open ones', async () => {
    const incidents = new KyselyIncidentStore(database);
    const a = await incidents.create(newIncident(), [], []);
    const b = await incidents.create(newIncident({ title: 'Other' }), [], []);
    const store = new KyselyFollowUpStore(database);
    let now = at(60);
    const service = new FollowUpService({ store, incidents, clock: { now: () => now } });
    const f1 = await service.add(a.id, 'U0ALICE', '  Add   a Redis memory alert ', 'U0BOB');
    const f2 = await service.add(a.id, 'U0BOB', 'Document the restart');
    const f3 = await service.add(b.id, 'U0BOB', 'Unrelated');
    expect(f1).toMatchObject({ incidentId: a.id, text: 'Add a Redis memory alert', owner: 'U0BOB', createdBy: 'U0ALICE', doneAt: null });
    const events = await incidents.events(a.id);
    expect(events.filter((e) => e.kind === 'followup').map((e) => [e.actor, e.data?.followUpId])).toEqual([['U0ALICE', f1.id], ['U0BOB', f2.id]]);
    const effects = await new KyselyOutbox(database).forIncident(a.id);
    expect(effects.map((e) => e.payload.type)).toEqual(['card', 'thread', 'card', 'thread']);

    now = at(120);
    const done = await service.done(f1.id, 'U0DAVE');
    expect(done).toMatchObject({ doneBy: 'U0DAVE', doneAt: at(120) });
    await expect(service.done(f1.id, 'U0CAROL')).rejects.toThrow(/already marked done by @U0DAVE\./);
    expect(await service.done(f1.id, 'U0CAROL').catch(userMessage)).toBe(':warning: That follow-up was already marked done by <@U0DAVE>.');
    await expect(service.done(9999, 'U0CAROL')).rejects.toThrow(/no follow-up 9999/);
    expect((await store.openFor([a.id, b.id])).map((f) => f.id)).toEqual([f2.id, f3.id]);
    expect((await service.list(a.id)).map((f) => [f.id, f.doneBy])).toEqual([[f1.id, 'U0DAVE'], [f2.id, null]]);
    // A second handle racing the first: one of them wins.
    const races = await Promise.all([store.markDone(f2.id, 'U0ALICE', now, [], []), store.markDone(f2.id, 'U0BOB', now, [], [])]);
    expect(races.filter(Boolean)).toHaveLength(1);
  });

  it('refuses empty or over-long text and unknown incidents, storing nothing', async () => {
    const incidents = new KyselyIncidentStore(database);
    const a = await incidents.create(newIncident(), [], []);
    const store = new KyselyFollowUpStore(database);
    const service = new FollowUpService({ store, incidents, clock: { now: () => at(1) } });
    await expect(service.add(a.id, 'U0ALICE', '   ')).rejects.toThrow(/empty/);
    await expect(service.add(a.id, 'U0ALICE', 'x'.repeat(501))).rejects.toThrow(/limit is 500/);
    await expect(service.add(a.id + 7, 'U0ALICE', 'ok')).rejects.toThrow(/no INC-/);
    expect(await store.forIncident(a.id)).toEqual([]);
    expect((await incidents.events(a.id)).filter((e) => e.kind === 'followup')).toEqual([]);
  });
});
