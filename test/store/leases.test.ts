import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '#store/db.js';
import { KyselyLeases } from '#store/leases.js';
import { ENGINES } from './engines.js';
import { at, T0 } from './fixtures.js';

describe.each(ENGINES)('KyselyLeases on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let leases: KyselyLeases;
  const extra: Database[] = [];

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
    leases = new KyselyLeases(database);
  });
  afterEach(async () => {
    for (const d of extra.splice(0)) await d.close();
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('holds a lease until it expires, lets its owner renew, and hands it over after', async () => {
    expect(await leases.tryLease('reminders', 'r1', at(10_000), T0)).toBe(true);
    expect(await leases.tryLease('reminders', 'r2', at(20_000), at(5_000))).toBe(false);
    expect(await leases.holder('reminders', at(5_000))).toEqual({ owner: 'r1', until: at(10_000) });
    expect(await leases.tryLease('reminders', 'r1', at(15_000), at(9_000))).toBe(true);
    expect(await leases.tryLease('reminders', 'r2', at(20_000), at(14_999))).toBe(false);
    expect(await leases.tryLease('reminders', 'r2', at(30_000), at(15_000))).toBe(true);
    expect((await leases.holder('reminders', at(16_000)))?.owner).toBe('r2');
    expect(await leases.tryLease('handoff', 'r1', at(1_000), T0)).toBe(true);
    await leases.release('reminders', 'r1'); // not the holder: no effect
    expect((await leases.holder('reminders', at(16_000)))?.owner).toBe('r2');
    await leases.release('reminders', 'r2');
    expect(await leases.holder('reminders', at(16_000))).toBeUndefined();
    expect(await leases.tryLease('reminders', 'r3', at(40_000), at(16_000))).toBe(true);
  });

  it('gives a contested lease to exactly one of many concurrent callers', async () => {
    const handles = [leases];
    if (engine.name === 'postgres') {
      for (let i = 0; i < 2; i++) {
        const d = await fresh.open();
        extra.push(d);
        handles.push(new KyselyLeases(d));
      }
    }
    for (let round = 0; round < 3; round++) {
      const now = at(round * 100_000);
      const got = await Promise.all(
        Array.from({ length: 12 }, (_, i) => handles[i % handles.length].tryLease('handoff', `r${i}`, at(round * 100_000 + 50_000), now)),
      );
      expect(got.filter(Boolean)).toHaveLength(1);
    }
  });
});
