/**
 * A real PostgreSQL for tests, started under a `mktemp -d` folder on a free port.
 *
 *   import { postgresBinaries, usePostgres } from '../support/peers/postgres.js';
 *   const hasPg = postgresBinaries() !== undefined;        // warns loudly; throws when CI=true
 *   describe.skipIf(!hasPg)('on PostgreSQL', () => {
 *     let pg: TestPostgres;
 *     beforeAll(async () => { pg = await usePostgres(); });   // a fresh database for this file
 *     afterAll(() => pg?.stop());
 *     // pg.url -> postgres://postgres@127.0.0.1:PORT/t_xxx (openDatabase(pg.url))
 *   });
 *
 * With this file as a vitest `globalSetup`, one server serves the whole run (each file still gets
 * its own database); without it, `usePostgres()` starts a server for the file and stops it after.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PostgresServer {
  /** Superuser URL to the `postgres` database. */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops the server (pg_ctl stop -m fast), keeping its data: for outage tests. */
  halt(): void;
  /** Starts it again after halt(), on the same port and data. */
  resume(): void;
}

export interface TestPostgres {
  /** URL of a fresh database owned by this caller. */
  url: string;
  stop(): Promise<void>;
}

declare module 'vitest' {
  interface ProvidedContext {
    opsroomPostgresUrl: string;
  }
}

const INSTALL_HINT = 'install PostgreSQL (apt-get install postgresql, or scripts/install-peers.sh)';

/** The folder holding initdb/pg_ctl, or undefined (after a loud warning) when missing. Throws under CI. */
export function postgresBinaries(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(root, v, 'bin')));
  }
  const found = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (found) return found;
  const message = `PostgreSQL binaries (initdb, pg_ctl) not found: ${INSTALL_HINT}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n*** SKIPPING PostgreSQL tests: ${message} ***\n`);
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL program as user postgres when we are root (initdb refuses root). */
function runPg(bin: string, args: string[]) {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}`);
  }
}

/** Starts a throwaway server. Throws when binaries are missing (check postgresBinaries() first). */
export async function startPostgres(options: { preload?: string[]; settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(`PostgreSQL binaries not found: ${INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'opsroom-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  runPg(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  let port = 0;
  const start = () => {
    const preload = options.preload?.length ? ` -c shared_preload_libraries=${options.preload.join(',')}` : '';
    const settings = Object.entries(options.settings ?? {}).map(([k, v]) => ` -c ${k}=${v}`).join('');
    const opts = `-p ${port} -k ${dir} -h 127.0.0.1 -F -c max_connections=200${preload}${settings}`;
    runPg(join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      start();
      break;
    } catch (e) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }
  }
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      runPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // halted already
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stopSync);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {
      process.off('exit', stopSync);
      stopSync();
    },
    halt: () => runPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
    resume: start,
  };
}

/** Creates a fresh database on the server at `adminUrl`; `stop()` drops it. */
export async function createDatabase(adminUrl: string): Promise<TestPostgres> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    stop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A fresh database: on the run's shared server when globalSetup provided one, else on a server of its own. */
export async function usePostgres(): Promise<TestPostgres> {
  const { inject } = await import('vitest');
  const shared = inject('opsroomPostgresUrl');
  if (shared) return createDatabase(shared);
  const server = await startPostgres();
  const database = await createDatabase(server.url);
  return {
    url: database.url,
    stop: async () => {
      await database.stop().catch(() => {});
      await server.stop();
    },
  };
}

/**
 * vitest globalSetup: one server for the whole run (skipped, loudly, when binaries are missing).
 * @public vitest calls it by name.
 */
export async function setup(project: { provide(key: 'opsroomPostgresUrl', value: string): void }) {
  if (!postgresBinaries()) return;
  const server = await startPostgres();
  project.provide('opsroomPostgresUrl', server.url);
  return () => server.stop();
}
