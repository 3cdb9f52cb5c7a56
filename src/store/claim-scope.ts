/**
 * The delivery claims a request handler holds, carried along its async calls. Every transaction
 * committed inside the handler marks them done in that same transaction (see db.ts): a request's
 * effect and "this request was handled" commit together, or neither does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryCompiler, type TransactionSettings } from 'kysely';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Dialect } from './dialect.js';

export interface HeldClaim {
  key: string;
  /** This attempt's owner token (instance name and a per-attempt suffix). */
  token: string;
  settled: boolean;
}

export interface ClaimScope {
  claims: HeldClaim[];
  /** False once the handler returned: work it left running (timers, deliveries) no longer settles anything. */
  open: boolean;
}

export const claimScope = new AsyncLocalStorage<ClaimScope>();

const SETTLE: Record<Dialect, string> = {
  sqlite: `update "deliveries" set "state" = 'done', "lease_until" = null where "key" = ? and "owner" = ?`,
  postgres: `update "deliveries" set "state" = 'done', "lease_until" = null where "key" = $1 and "owner" = $2`,
};

/**
 * Marks the claims of the current scope done on `connection`, inside the transaction about to
 * commit. Throws (the transaction rolls back) when a claim was taken over by another replica
 * after this one's lease lapsed. Returns the claims to flag as settled once the commit succeeded.
 */
async function settleHeldClaims(connection: DatabaseConnection, dialect: Dialect): Promise<HeldClaim[]> {
  const scope = claimScope.getStore();
  if (!scope?.open) return [];
  const pending = scope.claims.filter((c) => !c.settled);
  for (const c of pending) {
    const r = await connection.executeQuery(CompiledQuery.raw(SETTLE[dialect], [c.key, c.token]));
    if (!r.numAffectedRows) throw new CodedError(ErrorCode.Conflict, 'Another replica took this request over; it is handled there.');
  }
  return pending;
}

/** Runs `fn` outside any claim scope (background work such as the outbox). */
export const outsideClaims = <T>(fn: () => T): T => claimScope.exit(fn);

/** Wraps a Kysely driver so that each commit settles the claims of the scope it runs in. */
export class ClaimingDriver implements Driver {
  constructor(private readonly inner: Driver, private readonly dialect: Dialect) {}
  init() { return this.inner.init(); }
  acquireConnection() { return this.inner.acquireConnection(); }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings) { return this.inner.beginTransaction(c, s); }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    const settled = await settleHeldClaims(c, this.dialect);
    await this.inner.commitTransaction(c);
    for (const claim of settled) claim.settled = true;
  }
  rollbackTransaction(c: DatabaseConnection) { return this.inner.rollbackTransaction(c); }
  savepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) { return this.inner.savepoint!(c, name, compile); }
  rollbackToSavepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) { return this.inner.rollbackToSavepoint!(c, name, compile); }
  releaseSavepoint(c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) { return this.inner.releaseSavepoint!(c, name, compile); }
  releaseConnection(c: DatabaseConnection) { return this.inner.releaseConnection(c); }
  destroy() { return this.inner.destroy(); }
}
