import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Effect, NewEffect } from '#core/effects.js';
import type { Database } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyOutbox } from '#store/outbox.js';
import { ENGINES } from './engines.js';
import { at, event, newIncident, T0 } from './fixtures.js';

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const line = (text: string): NewEffect => ({ target: 'chat', payload: { type: 'thread', text } });
const page: NewEffect = { target: 'pager', payload: { type: 'pager.trigger' } };
const describeEffect = (e: Effect) => `${e.incidentId}:${e.payload.type === 'thread' && 'text' in e.payload ? e.payload.text : e.payload.type}`;
const LEASE = 30_000;

describe.each(ENGINES)('KyselyOutbox on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let store: KyselyIncidentStore;
  let outbox: KyselyOutbox;
  const extra: Database[] = [];

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
    store = new KyselyIncidentStore(database);
    outbox = new KyselyOutbox(database, { leaseMs: LEASE });
  });
  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('hands out only the head of each (incident, target) queue, in order', async () => {
    const inc = await store.create(newIncident(), [event('opened')], [card, page, line('one')]);
    await store.record(inc.id, [event('note', at(1))], [line('two')]);

    const first = await outbox.claimDue(at(1), 10);
    expect(first.map(describeEffect)).toEqual(['1:card', '1:pager.trigger']);
    expect(first[0]).toMatchObject({ state: 'pending', attempts: 0, lastError: null, incidentId: inc.id });
    expect(first[0].createdAt.getTime()).toBe(T0.getTime());
    // Both heads are leased: nothing else of these queues is handed out.
    expect(await outbox.claimDue(at(2), 10)).toEqual([]);

    await outbox.markDone(first[0].id);
    expect((await outbox.claimDue(at(3), 10)).map(describeEffect)).toEqual(['1:one']);
    await outbox.markDone(first[1].id);
    expect(await outbox.claimDue(at(4), 10)).toEqual([]);
    const pending = await outbox.forIncident(inc.id);
    expect(pending.map(describeEffect)).toEqual(['1:one', '1:two']);
  });

  it('does not hand out an effect before it is due', async () => {
    await store.create(newIncident({ createdAt: at(10_000) }), [], [card]);
    expect(await outbox.claimDue(at(9_999), 10)).toEqual([]);
    expect(await outbox.claimDue(at(10_000), 10)).toHaveLength(1);
  });

  it('retries at retryAt, keeping later effects of the queue waiting; gives up on null', async () => {
    const inc = await store.create(newIncident(), [], [card, line('after card')]);
    const [c] = await outbox.claimDue(T0, 10);
    await outbox.markFailed(c.id, 'ratelimited', at(5_000));
    expect(await outbox.claimDue(at(4_999), 10)).toEqual([]);
    const [again] = await outbox.claimDue(at(5_000), 10);
    expect(again).toMatchObject({ id: c.id, attempts: 1, lastError: 'ratelimited' });
    expect(again.nextAttemptAt.getTime()).toBe(at(5_000).getTime());

    await outbox.markFailed(c.id, 'x'.repeat(5000), null);
    const left = await outbox.forIncident(inc.id);
    expect(left.map((e) => e.state)).toEqual(['failed', 'pending']);
    expect(left[0].attempts).toBe(2);
    expect(left[0].lastError!.length).toBeLessThanOrEqual(2000);
    // A given-up effect no longer blocks its queue.
    expect((await outbox.claimDue(at(5_001), 10)).map(describeEffect)).toEqual(['1:after card']);
  });

  it('makes an effect due again when its claimer never finished (lease expiry)', async () => {
    await store.create(newIncident(), [], [page]);
    const [p] = await outbox.claimDue(T0, 10);
    expect(await outbox.claimDue(at(LEASE - 1), 10)).toEqual([]);
    const [retaken] = await outbox.claimDue(at(LEASE), 10);
    expect(retaken).toMatchObject({ id: p.id, attempts: 1 });
    await outbox.markDone(retaken.id);
    expect(await outbox.claimDue(at(10 * LEASE), 10)).toEqual([]);
    expect(await outbox.depth()).toBe(0);
  });

  it('respects the limit, oldest queues first', async () => {
    for (let i = 0; i < 4; i++) await store.create(newIncident({ title: `i${i}` }), [], [card]);
    expect(await outbox.depth()).toBe(4);
    expect((await outbox.claimDue(T0, 3)).map((e) => e.incidentId)).toEqual([1, 2, 3]);
    expect((await outbox.claimDue(T0, 3)).map((e) => e.incidentId)).toEqual([4]);
    expect(await outbox.claimDue(T0, 0)).toEqual([]);
  });

  it('delivers every effect once and in order per incident with several concurrent claimers', async () => {
    const claimers = [outbox];
    if (engine.name === 'postgres') {
      for (let i = 0; i < 3; i++) {
        const d = await fresh.open();
        extra.push(d);
        claimers.push(new KyselyOutbox(d, { leaseMs: LEASE }));
      }
    }
    const incidents = 8;
    const perIncident = 4;
    for (let i = 0; i < incidents; i++) {
      await store.create(newIncident({ title: `i${i}` }), [], Array.from({ length: perIncident }, (_, n) => line(`${n}`)));
    }
    const delivered: Effect[] = [];
    const inFlight = new Set<number>();
    const worker = async (box: KyselyOutbox) => {
      for (let idle = 0; idle < 3; ) {
        const got = await box.claimDue(T0, 3);
        if (!got.length) {
          idle++;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        idle = 0;
        for (const e of got) {
          // No other claimer holds an effect of the same incident right now.
          expect(inFlight.has(e.incidentId)).toBe(false);
          inFlight.add(e.incidentId);
        }
        await new Promise((r) => setTimeout(r, 1));
        for (const e of got) {
          delivered.push(e);
          inFlight.delete(e.incidentId);
          await box.markDone(e.id);
        }
      }
    };
    // Four workers even on SQLite (sharing one handle) so claims interleave.
    await Promise.all([0, 1, 2, 3].map((i) => worker(claimers[i % claimers.length])));
    expect(delivered).toHaveLength(incidents * perIncident);
    expect(new Set(delivered.map((e) => e.id)).size).toBe(incidents * perIncident);
    for (let i = 1; i <= incidents; i++) {
      const texts = delivered.filter((e) => e.incidentId === i).map(describeEffect);
      expect(texts).toEqual(['0', '1', '2', '3'].map((n) => `${i}:${n}`));
    }
    expect(await outbox.depth()).toBe(0);
  });
});
