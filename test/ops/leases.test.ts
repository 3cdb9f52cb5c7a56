import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '#config/env.js';
import { LeasedLoop, holdSocketModeLease } from '#ops/index.js';
import { KyselyLeases, type Database } from '#store/index.js';
import { ManualClock } from '../support/clock.js';
import { ENGINES } from '../store/engines.js';

describe.each(ENGINES)('on $name', (engine) => {
  afterAll(() => engine.shutdown());

  async function twoReplicas() {
    const fresh = await engine.fresh();
    const a: Database = await fresh.open();
    const b: Database = engine.name === 'sqlite' ? a : await fresh.open(); // one SQLite handle per process
    return { a, b, async stop() { await a.close(); if (b !== a) await b.close(); await fresh.drop(); } };
  }

  it('a leased loop runs on one replica at a time; another takes over when the holder dies or stops', async () => {
    const db = await twoReplicas();
    const clock = new ManualClock();
    const runs: string[] = [];
    const loop = (owner: string, database: Database) => new LeasedLoop({
      name: 'reminders', owner, leases: new KyselyLeases(database), clock, everyMs: 30_000, run: async () => void runs.push(owner),
    });
    const [x, y, c] = [loop('a', db.a), loop('b', db.b), loop('c', db.b)];
    for (let i = 0; i < 3; i++) {
      await Promise.all([x.tick(), y.tick()]);
      clock.advance(30_000);
    }
    expect(runs).toHaveLength(3); // one run per round, always by the same holder
    expect(new Set(runs).size).toBe(1);
    const [, b] = runs[0] === 'a' ? [x, y] : [y, x];
    // a dies (stops ticking without giving the lease up): b takes over once its lease (3 × 30 s) lapses.
    // a last renewed at t=60 s, until t=150 s; b tries at 90, 120, 150, 180 s.
    const tries: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      tries.push(await b.tick());
      clock.advance(30_000);
    }
    expect(tries).toEqual([false, false, true, true]);
    // b stops cleanly: its lease is released, c takes over at once.
    await b.stop();
    expect(await c.tick()).toBe(true);
    await db.stop();
  });

  it('Socket Mode: a second replica is refused while the first keeps its lease, and starts after the first dies', async () => {
    const db = await twoReplicas();
    const clock = { now: () => new Date() };
    const ttlMs = 600;
    const release = await holdSocketModeLease({ leases: new KyselyLeases(db.a), owner: 'replica-a', clock, ttlMs });
    const second = holdSocketModeLease({ leases: new KyselyLeases(db.b), owner: 'replica-b', clock, ttlMs });
    await expect(second).rejects.toBeInstanceOf(ConfigError);
    await expect(second).rejects.toThrow(/replica "replica-a".*use HTTP mode: unset SLACK_APP_TOKEN/);

    // A holder that died (no renewal, lease not released): the next replica waits it out and starts.
    const leases = new KyselyLeases(db.a);
    await release();
    await leases.tryLease('slack-socket-mode', 'dead-replica', new Date(Date.now() + ttlMs), new Date());
    const third = await holdSocketModeLease({ leases: new KyselyLeases(db.b), owner: 'replica-c', clock, ttlMs });
    expect((await leases.holder('slack-socket-mode', new Date()))?.owner).toBe('replica-c');
    await third();
    await db.stop();
  });
});
