import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCoded } from '#core/errors.js';
import type { Database } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { ENGINES } from './engines.js';
import { at, event, newIncident, T0 } from './fixtures.js';

describe.each(ENGINES)('KyselyIncidentStore on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let store: KyselyIncidentStore;
  const extra: Database[] = [];

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
    store = new KyselyIncidentStore(database);
  });
  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  /**
   * A second handle on the same database: another pool on PostgreSQL. On SQLite the same handle
   * (better-sqlite3 blocks the thread while waiting for a lock, so two handles in one process
   * would wait on each other; other processes are covered by sqlite-processes.test.ts).
   */
  const other = async () => {
    if (engine.name === 'sqlite') return store;
    const d = await fresh.open();
    extra.push(d);
    return new KyselyIncidentStore(d);
  };

  it('creates incidents numbered 1, 2, 3 and reads every field back exactly', async () => {
    const a = await store.create(newIncident({ summary: 'card errors', service: 'checkout' }), [event('opened')], []);
    const b = await store.create(newIncident({ title: 'Second', createdAt: at(1) }), [], []);
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(a).toMatchObject({ status: 'investigating', version: 1, cardTs: null, resolvedAt: null, lastReminderAt: null });
    const got = await store.get(1);
    expect(got).toEqual(a);
    expect(got!.createdAt.toISOString()).toBe('2026-03-01T10:00:00.123Z');
    expect(got!.lastUpdateAt.getTime()).toBe(T0.getTime());
    expect(got!.summary).toBe('card errors');
    expect(await store.get(99)).toBeUndefined();
  });

  it('gives concurrent creates distinct consecutive ids, from two handles', async () => {
    const second = await other();
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? second : store).create(newIncident({ title: `t${i}` }), [event(`e${i}`)], [{ target: 'chat', payload: { type: 'card' } }]),
      ),
    );
    expect(made.map((m) => m.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const m of made) {
      const evs = await store.events(m.id);
      expect(evs.map((e) => e.text)).toEqual([`e${m.title.slice(1)}`]);
    }
  });

  it('finds an incident by its card thread once the card ts is stored', async () => {
    const inc = await store.create(newIncident(), [], []);
    expect(await store.findByThread('CINC', '1700000000.000100')).toBeUndefined();
    await store.change(inc.id, 1, { cardTs: '1700000000.000100' }, [], []);
    expect((await store.findByThread('CINC', '1700000000.000100'))?.id).toBe(inc.id);
    expect(await store.findByThread('COTHER', '1700000000.000100')).toBeUndefined();
  });

  it('finds a recent duplicate: same opener, channel and title (any case), at or after since', async () => {
    const inc = await store.create(newIncident({ title: 'Redis CAÍDO en prod' }), [], []);
    const dup = (title: string, since = at(-60_000), by = 'U1', ch = 'CSRC') => store.findRecentDuplicate(by, ch, title, since);
    expect((await dup('redis caído en prod'))?.id).toBe(inc.id);
    expect((await dup('  Redis CAÍDO en prod '))?.id).toBe(inc.id);
    expect((await dup('Redis CAÍDO en prod', T0))?.id).toBe(inc.id);
    expect(await dup('Redis CAÍDO en prod', at(1))).toBeUndefined();
    expect(await dup('Redis caído', at(-60_000))).toBeUndefined();
    expect(await dup('Redis CAÍDO en prod', at(-60_000), 'U2')).toBeUndefined();
    expect(await dup('Redis CAÍDO en prod', at(-60_000), 'U1', 'COTHER')).toBeUndefined();
  });

  it('lists open incidents and those overlapping a window', async () => {
    const h = 3_600_000;
    const early = await store.create(newIncident({ title: 'early', createdAt: at(0) }), [], []);
    await store.create(newIncident({ title: 'mid', createdAt: at(2 * h) }), [], []);
    const late = await store.create(newIncident({ title: 'late', createdAt: at(5 * h) }), [], []);
    const old = await store.create(newIncident({ title: 'old', createdAt: at(-5 * h) }), [], []);
    await store.change(early.id, 1, { status: 'resolved', resolvedAt: at(h), resolution: 'fixed' }, [], []);
    await store.change(old.id, 1, { status: 'resolved', resolvedAt: at(-4 * h) }, [], []);
    expect((await store.listOpen()).map((i) => i.title)).toEqual(['mid', 'late']);
    // [0.5h, 3h): early resolved inside, mid opened inside; late opens after, old resolved before.
    expect((await store.listBetween(at(0.5 * h), at(3 * h))).map((i) => i.title)).toEqual(['early', 'mid']);
    // [3h, 4h): mid is still open throughout.
    expect((await store.listBetween(at(3 * h), at(4 * h))).map((i) => i.title)).toEqual(['mid']);
    // until is exclusive: late opened exactly at 5h.
    expect((await store.listBetween(at(4 * h), at(5 * h))).map((i) => i.title)).toEqual(['mid']);
    expect((await store.listBetween(at(4 * h), at(5 * h + 1))).map((i) => i.title)).toEqual(['mid', 'late']);
    expect(late.id).toBe(3);
  });

  it('applies a change with its events, bumps the version, and rejects a stale version', async () => {
    const inc = await store.create(newIncident(), [event('opened', T0, { kind: 'opened' })], []);
    const changed = await store.change(
      inc.id,
      1,
      { status: 'identified', acknowledgedAt: at(5), acknowledgedBy: 'U2', title: 'Checkout API 500s', summary: null },
      [event('identified', at(5), { kind: 'status', data: { from: 'investigating', to: 'identified' } })],
      [{ target: 'chat', payload: { type: 'card' } }],
    );
    expect(changed).toMatchObject({ version: 2, status: 'identified', acknowledgedBy: 'U2', title: 'Checkout API 500s' });
    expect(changed.acknowledgedAt?.getTime()).toBe(at(5).getTime());
    expect(await store.get(inc.id)).toEqual(changed);
    expect((await store.findRecentDuplicate('U1', 'CSRC', 'checkout api 500s', T0))?.id).toBe(inc.id);

    const stale = store.change(inc.id, 1, { status: 'monitoring' }, [event('lost', at(6))], []);
    await expect(stale).rejects.toSatisfy((e) => isCoded(e, 'conflict'));
    const missing = store.change(404, 1, { status: 'monitoring' }, [], []);
    await expect(missing).rejects.toSatisfy((e) => isCoded(e, 'not_found'));

    const evs = await store.events(inc.id);
    expect(evs.map((e) => e.text)).toEqual(['opened', 'identified']);
    expect(evs[1].data).toEqual({ from: 'investigating', to: 'identified' });
    expect((await store.get(inc.id))?.status).toBe('identified');
  });

  it('lets exactly one of two concurrent changes on the same version win', async () => {
    const second = await other();
    for (let round = 0; round < 5; round++) {
      const inc = await store.create(newIncident({ title: `race ${round}` }), [], []);
      const results = await Promise.allSettled([
        store.change(inc.id, 1, { severity: 'P2' }, [event('to P2')], []),
        second.change(inc.id, 1, { severity: 'P3' }, [event('to P3')], []),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isCoded(lost[0].reason, 'conflict')).toBe(true);
      const winner = (won[0] as PromiseFulfilledResult<{ severity: string }>).value.severity;
      expect((await store.get(inc.id))?.severity).toBe(winner);
      // The loser's events were rolled back with it.
      expect((await store.events(inc.id)).map((e) => e.text)).toEqual([`to ${winner}`]);
    }
  });

  it('keeps timeline events in insertion order across calls', async () => {
    const inc = await store.create(newIncident(), [event('a', T0, { kind: 'opened' }), event('b')], []);
    await store.record(inc.id, [event('c', at(1), { kind: 'note', data: { nested: { n: 1, s: 'ü' } } })], []);
    await store.change(inc.id, 1, { lastUpdateAt: at(2) }, [event('d', at(2)), event('e', at(2))], []);
    await store.record(inc.id, [event('f', at(3))], [{ target: 'pager', payload: { type: 'pager.note', actor: 'U1', text: 'x' } }]);
    const evs = await store.events(inc.id);
    expect(evs.map((e) => e.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(evs.every((e) => e.incidentId === inc.id)).toBe(true);
    expect(evs[2]).toMatchObject({ kind: 'note', data: { nested: { n: 1, s: 'ü' } } });
    expect(evs[3].at.getTime()).toBe(at(2).getTime());
    await expect(store.record(777, [event('x')], [])).rejects.toSatisfy((e) => isCoded(e, 'not_found'));
  });

  it('claims a key exactly once under 20 concurrent claims from two handles', async () => {
    const second = await other();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? second : store).claim('slack:retry:abc', T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.claim('slack:retry:abc', at(1000))).toBe(false);
    expect(await store.claim('slack:retry:other', T0)).toBe(true);
  });
});
