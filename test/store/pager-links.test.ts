import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyPagerEventOrder, KyselyPagerLinks, releaseClaim } from '#store/pager-links.js';
import { ENGINES } from './engines.js';
import { at, newIncident, T0 } from './fixtures.js';

describe.each(ENGINES)('PagerDuty state on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let other: Database | undefined;

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
  });
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('links incidents both ways and replaces a link', async () => {
    const store = new KyselyIncidentStore(database);
    const a = await store.create(newIncident(), [], []);
    const links = new KyselyPagerLinks(database);
    expect(await links.get(a.id)).toBeUndefined();
    await links.set(a.id, { id: 'Q1', url: 'https://pd/Q1' });
    await links.set(a.id, { id: 'Q2', url: 'https://pd/Q2' });
    expect(await links.get(a.id)).toEqual({ id: 'Q2', url: 'https://pd/Q2' });
    expect(await links.findIncident('Q2')).toBe(a.id);
    expect(await links.findIncident('Q1')).toBeUndefined();
  });

  it('moves the ordering mark only forward, per stream, seen from another handle, and takes a step back', async () => {
    const order = new KyselyPagerEventOrder(database);
    expect(await order.advance('Q1', 'status', at(10))).toEqual({ applied: true, previous: null });
    other = await fresh.open();
    const elsewhere = new KyselyPagerEventOrder(other);
    expect(await elsewhere.advance('Q1', 'status', at(10))).toMatchObject({ applied: false });
    expect(await elsewhere.advance('Q1', 'status', at(5))).toMatchObject({ applied: false });
    expect(await elsewhere.advance('Q1', 'assignment', at(5))).toMatchObject({ applied: true });
    const step = await order.advance('Q1', 'status', at(20));
    expect(step).toEqual({ applied: true, previous: at(10) });
    await order.undo('Q1', 'status', at(20), step.previous);
    expect(await elsewhere.advance('Q1', 'status', at(15))).toMatchObject({ applied: true, previous: at(10) });
    await order.undo('Q1', 'assignment', at(5), null);
    expect(await order.advance('Q1', 'assignment', at(1))).toEqual({ applied: true, previous: null });
  });

  it('gives a claim back', async () => {
    const store = new KyselyIncidentStore(database);
    expect(await store.claim('pagerduty-event:E1', T0)).toBe(true);
    expect(await store.claim('pagerduty-event:E1', T0)).toBe(false);
    await releaseClaim(database, 'pagerduty-event:E1');
    expect(await store.claim('pagerduty-event:E1', T0)).toBe(true);
  });
});
