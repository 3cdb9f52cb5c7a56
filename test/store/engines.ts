/** The engines every store test runs against: SQLite (a file in a temp dir) and a real PostgreSQL. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '#store/db.js';
import { postgresBinaries, startPostgres, createDatabase, type PostgresServer } from '../support/peers/postgres.js';

export interface Engine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated database; `open()` gives another handle (another pool/connection) on it. */
  fresh(): Promise<{ url: string; open(): Promise<Database>; drop(): Promise<void> }>;
  /** Stops what the engine started (call in afterAll). */
  shutdown(): Promise<void>;
}

const sqlite = (): Engine => ({
  name: 'sqlite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'opsroom-store-'));
    const url = `sqlite:${join(dir, 'nested', 'opsroom.db')}`;
    return { url, open: () => openDatabase(url), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  async shutdown() {},
});

const postgres = (): Engine => {
  let server: Promise<{ url: string; own?: PostgresServer }> | undefined;
  const adminUrl = () =>
    (server ??= (async () => {
      const { inject } = await import('vitest');
      const shared = inject('opsroomPostgresUrl');
      if (shared) return { url: shared };
      const own = await startPostgres();
      return { url: own.url, own };
    })());
  return {
    name: 'postgres',
    async fresh() {
      const database = await createDatabase((await adminUrl()).url);
      return { url: database.url, open: () => openDatabase(database.url), drop: database.stop };
    },
    async shutdown() {
      if (server) await (await server).own?.stop();
    },
  };
};

export const ENGINES: Engine[] = [sqlite(), ...(postgresBinaries() ? [postgres()] : [])];
