/**
 * Storage faults as one clear error. Every query goes through `GuardedDriver`: a SQLite lock held
 * by another process is waited out asynchronously (short backoff, never a blocking busy_timeout),
 * and a fault the caller cannot fix — locked too long, read-only or full disk, PostgreSQL gone or
 * restarting — becomes `CodedError(Unavailable, STORAGE_UNAVAILABLE)`. `StorageHealth` remembers
 * the last fault until rows are written again, for /readyz.
 */
import type { CompiledQuery, DatabaseConnection, Driver, TransactionSettings } from 'kysely';
import { CodedError, ErrorCode, isCoded } from '#core/errors.js';

export const STORAGE_UNAVAILABLE = 'opsroom cannot save right now, try again in a moment';

/** How long one statement waits for another process's SQLite lock before giving up. */
const BUSY_WAIT_MS = 1500;
/** A remembered fault is dropped this long after it was seen, if nothing failed since. */
const FAULT_MEMORY_MS = 30_000;

const SQLITE_FAULTS = /^SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|PROTOCOL|NOTADB|CORRUPT)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// SQLSTATE: 08 connection, 53 insufficient resources (53100 disk full), 57P01-03 shutdown/restart, 58 system, 25006 read-only.
const PG_STATES = /^(08|53|57P0[1-3]|58|25006)/;
const PG_MESSAGES = /connection terminated|connection timeout|timeout exceeded when trying to connect|connection error|not queryable|database system is (starting up|shutting down|in recovery)|Connection ended/i;

/** A short reason when `e` is a storage fault (not a bug, not bad input), else undefined. */
export function storageFault(e: unknown): string | undefined {
  if (isCoded(e, ErrorCode.Unavailable) && e.message === STORAGE_UNAVAILABLE) return String(e.details?.reason ?? 'unavailable');
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (SQLITE_FAULTS.test(code)) return `${code}: ${message}`;
  if (NET_CODES.has(code)) return `${code}: ${message}`;
  if (code && PG_STATES.test(code)) return `${code}: ${message}`;
  if (PG_MESSAGES.test(message)) return message;
  return undefined;
}

const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown })?.code ?? ''));

export class StorageHealth {
  private last?: { reason: string; at: number };

  fault(reason: string): void {
    this.last = { reason, at: Date.now() };
  }

  /** A write went through: storage works again. */
  ok(): void {
    this.last = undefined;
  }

  /** The last fault, while it is recent and nothing was written since. */
  current(): string | undefined {
    if (this.last && Date.now() - this.last.at > FAULT_MEMORY_MS) this.last = undefined;
    return this.last?.reason;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
// Proof that storage takes writes: rows changed (an empty transaction commits even on a read-only file).
const WRITE = /^\s*(insert|update|delete)\b/i;

/** Wraps a Kysely driver: SQLite locks retried asynchronously, faults mapped and remembered. */
export class GuardedDriver implements Driver {
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  /** `recover`: told of each fault (SQLite reopens a file it could only open read-only). */
  constructor(
    private readonly driver: Driver, private readonly health: StorageHealth,
    private readonly recover: (e: unknown) => void = () => {}, private readonly busyWaitMs = BUSY_WAIT_MS,
  ) {}

  /** Runs `op`, retrying a SQLite lock for up to busyWaitMs; other faults become one clear error. */
  async guard<T>(op: () => Promise<T> | T, wrote: (r: T) => boolean = () => false): Promise<T> {
    const started = Date.now();
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      try {
        const r = await op();
        if (wrote(r)) this.health.ok();
        return r;
      } catch (e) {
        if (isBusy(e) && Date.now() - started + delay < this.busyWaitMs) {
          await sleep(delay);
          continue;
        }
        const reason = storageFault(e);
        if (!reason) throw e;
        this.health.fault(reason);
        this.recover(e);
        if (isCoded(e, ErrorCode.Unavailable)) throw e;
        throw new CodedError(ErrorCode.Unavailable, STORAGE_UNAVAILABLE, { reason });
      }
    }
  }

  init() {
    return this.guard(() => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const conn = await this.guard(() => this.driver.acquireConnection());
    const guarded: DatabaseConnection = {
      executeQuery: <R>(q: CompiledQuery) => this.guard(() => conn.executeQuery<R>(q), (r) => WRITE.test(q.sql) && Number(r.numAffectedRows ?? 0) > 0),
      streamQuery: <R>(q: CompiledQuery, chunkSize?: number) => conn.streamQuery<R>(q, chunkSize),
    };
    this.inner.set(guarded, conn);
    return guarded;
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    return this.driver.beginTransaction(c, settings);
  }

  commitTransaction(c: DatabaseConnection) {
    return this.driver.commitTransaction(c);
  }

  /** A failed rollback (SQLite already rolled back, or the connection is gone) must not hide the first error. */
  async rollbackTransaction(c: DatabaseConnection) {
    await this.driver.rollbackTransaction(c).catch(() => undefined);
  }

  savepoint(c: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) {
    return this.driver.savepoint!(c, name, compile);
  }

  rollbackToSavepoint(c: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]) {
    return this.driver.rollbackToSavepoint!(c, name, compile);
  }

  releaseSavepoint(c: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]) {
    return this.driver.releaseSavepoint!(c, name, compile);
  }

  releaseConnection(c: DatabaseConnection) {
    return this.driver.releaseConnection(this.inner.get(c) ?? c);
  }

  destroy() {
    return this.driver.destroy();
  }
}
