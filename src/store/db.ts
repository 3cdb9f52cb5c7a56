/** Opens the database named by DATABASE_URL: SQLite (better-sqlite3) or PostgreSQL (pg), one Kysely code path. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DialectAdapter,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import { CodedError, ErrorCode } from '#core/errors.js';
import { GuardedDriver, StorageHealth, storageFault } from './guard.js';
import { ClaimingDriver } from './claim-scope.js';
import { migrate } from './migrations/index.js';
import type { Tables } from './tables.js';
import type { Dialect } from './dialect.js';

export type { Dialect };

export interface Database {
  db: Kysely<Tables>;
  dialect: Dialect;
  /** The last storage fault (lock, read-only or full disk, lost server) until a write succeeds again. */
  health: StorageHealth;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/**
 * `sqlite:<path>` (parent folder created), `sqlite::memory:`, or `postgres://…` / `postgresql://…`.
 * Migrations are applied unless `migrate: false`.
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const database = url.startsWith('sqlite:')
    ? openSqlite(url.slice('sqlite:'.length))
    : /^postgres(ql)?:\/\//.test(url)
      ? await openPostgres(url, options.poolSize ?? 10)
      : undefined;
  if (!database) {
    throw new CodedError(ErrorCode.BadInput, `DATABASE_URL must start with sqlite: or postgres:// (got "${redact(url)}")`);
  }
  if (options.migrate !== false) {
    try {
      await migrate(database);
    } catch (e) {
      await database.close();
      throw e;
    }
  }
  return database;
}

function openSqlite(path: string): Database {
  if (!path) throw new CodedError(ErrorCode.BadInput, 'DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/opsroom.db');
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const open = () => {
    const sqlite = new SqliteDatabase(memory ? ':memory:' : path);
    // busy_timeout blocks the event loop: keep it tiny; GuardedDriver waits for locks asynchronously.
    sqlite.pragma('busy_timeout = 10');
    if (!memory) {
      try {
        sqlite.pragma('journal_mode = WAL');
      } catch (e) {
        // A read-only file still opens: reads work, writes answer "cannot save right now" and /readyz says so.
        if (!storageFault(e)) throw e;
      }
    }
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    return sqlite;
  };
  const health = new StorageHealth();
  const statements = cachedStatements(open, memory);
  const db = new Kysely<Tables>({ dialect: new ImmediateSqliteDialect(statements, health) });
  return { db, dialect: 'sqlite', health, close: () => db.destroy() };
}

const STATEMENT_CACHE = 500;

/**
 * Prepares each SQL text once: Kysely's SQLite driver would prepare it again on every query,
 * which was the largest single cost of acknowledging a command under load.
 */
function cachedStatements(open: () => SqliteDatabase.Database, memory: boolean): SqliteLike {
  const cache = new Map<string, SqliteDatabase.Statement>();
  let sqlite = open();
  let reopen = false;
  let reopenedAt = 0;
  // A file opened while read-only stays read-only: open it afresh, between transactions, at most every 2 s.
  const fresh = () => {
    if (!reopen || sqlite.inTransaction || Date.now() - reopenedAt < 2000) return;
    reopenedAt = Date.now();
    try {
      const next = open();
      cache.clear();
      sqlite.close();
      sqlite = next;
      reopen = false;
    } catch { /* still not openable: later */ }
  };
  return {
    close: () => { cache.clear(); sqlite.close(); },
    recover: (e: unknown) => {
      if (!memory && /^SQLITE_READONLY/.test(String((e as { code?: unknown })?.code))) reopen = true;
    },
    prepare: (sql: string) => {
      fresh();
      let stmt = cache.get(sql);
      if (!stmt) {
        if (cache.size >= STATEMENT_CACHE) cache.clear();
        stmt = sqlite.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

type SqliteLike = { close(): void; prepare(sql: string): SqliteDatabase.Statement; recover(e: unknown): void };

async function openPostgres(url: string, max: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // A server that is down or restarting answers at once; one that never answers must not hold a request.
    connectionTimeoutMillis: 5000,
    // int8 (bigint: ids, epoch-ms times, counts) as JS numbers; all values we store fit in 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A pool error on an idle client (server restarted) must not crash the process.
  pool.on('error', () => {});
  // Likewise for a client checked out when its connection drops (the query in flight gets the error).
  pool.on('connect', (client) => client.on('error', () => {}));
  const health = new StorageHealth();
  const db = new Kysely<Tables>({ dialect: new GuardedPostgresDialect({ pool }, health) });
  try {
    await db.executeQuery(CompiledQuery.raw('select 1'));
  } catch (e) {
    await db.destroy();
    throw new CodedError(ErrorCode.Unavailable, `Cannot reach PostgreSQL at ${redact(url)}: ${(e as Error).message}`);
  }
  return { db, dialect: 'postgres', health, close: () => db.destroy() };
}

class GuardedPostgresDialect extends PostgresDialect {
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], private readonly health: StorageHealth) {
    super(config);
  }
  override createDriver(): Driver {
    return new ClaimingDriver(new GuardedDriver(super.createDriver(), this.health), 'postgres');
  }
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two
 * processes on one file wait for each other (GuardedDriver) instead of failing on lock upgrade.
 * SQLite DDL is transactional, so migrations run in one such transaction (a cross-process lock).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SqliteLike, private readonly health: StorageHealth) {
    super({ database: sqlite });
  }
  override createDriver(): Driver {
    return new ClaimingDriver(new GuardedDriver(new ImmediateSqliteDriver({ database: this.sqlite }), this.health, (e) => this.sqlite.recover(e)), 'sqlite');
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Throws when the database does not answer (for readiness checks). */
export async function ping(database: Database): Promise<void> {
  await database.db.executeQuery(CompiledQuery.raw('select 1'));
}

/** Hides the password in a connection URL for error messages. */
export const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
