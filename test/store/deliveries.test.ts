import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCoded, ErrorCode } from '#core/errors.js';
import type { Database } from '#store/db.js';
import { outsideClaims } from '#store/claim-scope.js';
import { KyselyDeliveries } from '#store/deliveries.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { ENGINES } from './engines.js';
import { event, newIncident } from './fixtures.js';

describe.each(ENGINES)('KyselyDeliveries on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  let database: Database;
  let store: KyselyIncidentStore;
  const open: Database[] = [];
  const deliveries = (owner: string, leaseMs = 300) => new KyselyDeliveries(database, { owner, leaseMs, pollMs: 20 });
  const incidents = async () => (await database.db.selectFrom('incidents').select('id').execute()).length;

  beforeEach(async () => {
    fresh = await engine.fresh();
    database = await fresh.open();
    store = new KyselyIncidentStore(database);
  });
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    await database.close();
    await fresh.drop();
  });
  afterAll(() => engine.shutdown());

  it('runs a key once: a second delivery, now or later, does nothing', async () => {
    const a = deliveries('a');
    const first = await a.run('click:T1', () => store.create(newIncident(), [event('opened')], []));
    expect(first.ran).toBe(true);
    expect(await a.state('click:T1')).toBe('done');
    expect(await deliveries('b').run('click:T1', () => store.create(newIncident({ title: 'again' }), [], []))).toEqual({ ran: false });
    expect(await incidents()).toBe(1);
  });

  it('marks the claim done in the transaction of the effect, and only then', async () => {
    const a = deliveries('a', 60_000);
    let during: string | undefined;
    await a.run('slash:T2', async () => {
      during = await a.state('slash:T2');
      await store.create(newIncident(), [], []);
      expect(await a.state('slash:T2')).toBe('done');
    });
    expect(during).toBe('claimed');
  });

  it('gives the claim back when the work fails before committing: the retry runs', async () => {
    const a = deliveries('a');
    await expect(a.run('submit:V1', async () => { throw new Error('bad input'); })).rejects.toThrow('bad input');
    expect(await a.state('submit:V1')).toBeUndefined();
    expect((await a.run('submit:V1', () => store.create(newIncident(), [], []))).ran).toBe(true);
    expect(await incidents()).toBe(1);
  });

  it('keeps the claim when the work fails after its effect committed', async () => {
    const a = deliveries('a');
    await expect(a.run('click:T3', async () => {
      await store.create(newIncident(), [], []);
      throw new Error('rendering failed');
    })).rejects.toThrow('rendering failed');
    expect(await a.state('click:T3')).toBe('done');
    expect((await deliveries('b').run('click:T3', () => store.create(newIncident(), [], []))).ran).toBe(false);
  });

  it('waits for a live holder and then reports the delivery as handled', async () => {
    const a = deliveries('a');
    let release!: () => void;
    const held = a.run('click:T4', async () => {
      await new Promise<void>((r) => { release = r; });
      await store.create(newIncident(), [], []);
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = deliveries('b').run('click:T4', () => store.create(newIncident({ title: 'twice' }), [], []), { waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 900)); // three lease lengths: the holder renews meanwhile
    release();
    expect((await held).ran).toBe(true);
    expect(await second).toEqual({ ran: false });
    expect(await incidents()).toBe(1);
  });

  it('says busy, not handled, when the holder still has the key once the wait ends', async () => {
    const a = deliveries('a');
    let release!: () => void;
    const held = a.run('slash:T8', async () => {
      await new Promise<void>((r) => { release = r; });
      await store.create(newIncident(), [], []);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(await deliveries('b').run('slash:T8', () => store.create(newIncident({ title: 'twice' }), [], []), { waitMs: 100 }))
      .toEqual({ ran: false, busy: true });
    release();
    expect((await held).ran).toBe(true);
    expect(await deliveries('b').run('slash:T8', () => store.create(newIncident({ title: 'twice' }), [], []))).toEqual({ ran: false });
    expect(await incidents()).toBe(1);
  });

  it('rolls the effect back when the lease was lost to another replica meanwhile', async () => {
    const a = deliveries('a');
    const b = deliveries('b');
    const r = a.run('click:T5', async () => {
      // a stalls (no renewal reaches the database in time); b, another replica, takes the key over.
      await database.db.updateTable('deliveries').set({ lease_until: 0 }).where('key', '=', 'click:T5').execute();
      const byB = await outsideClaims(() => b.run('click:T5', () => store.create(newIncident({ title: 'by b' }), [], [])));
      expect(byB.ran).toBe(true);
      await store.create(newIncident({ title: 'by a' }), [], []);
    });
    const e = await r.catch((err) => err);
    expect(isCoded(e, ErrorCode.Conflict)).toBe(true);
    const titles = (await database.db.selectFrom('incidents').select('title').execute()).map((x) => x.title);
    expect(titles).toEqual(['by b']);
  });

  it('a claim left by a killed process does not swallow the retry', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/delivery-holder.ts', fresh.url, 'slash:T6'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c) => String(c).includes('CLAIMED') && resolve());
      child.once('exit', (code) => reject(new Error(`holder exited early (${code})`)));
    });
    child.removeAllListeners('exit');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(await deliveries('retry').state('slash:T6')).toBe('claimed');
    // The retry arrives at once: it waits out the dead holder's lease (1 s) and runs.
    const retry = await deliveries('retry').run('slash:T6', () => store.create(newIncident(), [], []), { waitMs: 5000 });
    expect(retry.ran).toBe(true);
    expect(await incidents()).toBe(1);
  });

  it('prunes claims after their keep time, not before', async () => {
    let now = 1_000_000;
    const a = new KyselyDeliveries(database, { owner: 'a', keepMs: 600_000, now: () => now });
    await a.run('click:T7', async () => undefined);
    now += 599_000;
    expect(await a.prune()).toBe(0);
    expect((await a.run('click:T7', async () => undefined)).ran).toBe(false);
    now += 2_000;
    expect(await a.prune()).toBe(1);
    expect(await a.state('click:T7')).toBeUndefined();
  });
});
