import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCoded } from '#core/errors.js';
import { openDatabase } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { migrate, pendingMigrations } from '#store/migrations/index.js';
import { ENGINES } from './engines.js';
import { event, newIncident } from './fixtures.js';

describe('openDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a URL it does not understand, naming the expected forms', async () => {
    for (const url of ['mysql://x/y', 'sqlite:', '']) {
      await expect(openDatabase(url)).rejects.toSatisfy((e) => isCoded(e, 'bad_input') && /sqlite:/.test((e as Error).message));
    }
  });

  it('reports an unreachable PostgreSQL as unavailable without leaking the password', async () => {
    const err = await openDatabase('postgres://u:secret@127.0.0.1:1/x').catch((e: unknown) => e);
    expect(isCoded(err, 'unavailable')).toBe(true);
    expect((err as Error).message).not.toContain('secret');
  });

  it('opens an in-memory SQLite database, migrated', async () => {
    const database = await openDatabase('sqlite::memory:');
    expect(database.dialect).toBe('sqlite');
    expect(await pendingMigrations(database)).toEqual([]);
    const store = new KyselyIncidentStore(database);
    expect((await store.create(newIncident(), [], [])).id).toBe(1);
    await database.close();
  });

  it('creates the parent folder, uses WAL and enforces foreign keys', async () => {
    const file = join(dir, 'a', 'b', 'opsroom.db');
    const database = await openDatabase(`sqlite:${file}`);
    expect(existsSync(file)).toBe(true);
    const store = new KyselyIncidentStore(database);
    await expect(store.record(5, [event('orphan')], [])).rejects.toSatisfy((e) => isCoded(e, 'not_found'));
    const raw = database.db.insertInto('events').values({ incident_id: 5, at: 0, actor: 'x', kind: 'note', text: 'x', data: null });
    await expect(raw.execute()).rejects.toThrow(/FOREIGN KEY/i);
    await database.close();
  });
});

describe.each(ENGINES)('restart on $name', (engine) => {
  afterAll(() => engine.shutdown());

  it.runIf(engine.name === 'postgres')('migrates once when several replicas start together', async () => {
    const fresh = await engine.fresh();
    try {
      const replicas = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
      for (const r of replicas) expect(await pendingMigrations(r)).toEqual([]);
      const ids = await Promise.all(replicas.map((r) => new KyselyIncidentStore(r).create(newIncident(), [], [])));
      expect(ids.map((i) => i.id).sort()).toEqual([1, 2, 3]);
      for (const r of replicas) await r.close();
    } finally {
      await fresh.drop();
    }
  });

  it('keeps incidents, timelines, effects and claims across close and reopen; ids continue', async () => {
    const fresh = await engine.fresh();
    try {
      const first = await fresh.open();
      const store = new KyselyIncidentStore(first);
      const inc = await store.create(newIncident(), [event('opened')], [{ target: 'chat', payload: { type: 'card' } }]);
      await store.change(inc.id, 1, { cardTs: '1.2' }, [event('posted')], []);
      await store.claim('k1', inc.createdAt);
      await first.close();

      const second = await fresh.open();
      expect(await migrate(second)).toEqual([]);
      const again = new KyselyIncidentStore(second);
      expect(await again.get(inc.id)).toMatchObject({ title: inc.title, cardTs: '1.2', version: 2 });
      expect((await again.events(inc.id)).map((e) => e.text)).toEqual(['opened', 'posted']);
      expect(await again.claim('k1', inc.createdAt)).toBe(false);
      expect((await again.listOpen()).map((i) => i.id)).toEqual([inc.id]);
      expect((await again.create(newIncident({ title: 'next' }), [], [])).id).toBe(inc.id + 1);
      await second.close();
    } finally {
      await fresh.drop();
    }
  });
});
