/** The durable outbox over Kysely: effects stored with their change, delivered in order per (incident, target). */
import { sql, type Kysely } from 'kysely';
import type { Effect } from '#core/effects.js';
import type { Outbox } from '#core/ports.js';
import { outsideClaims } from './claim-scope.js';
import type { Database, Dialect } from './db.js';
import { toEffect, toMs } from './rows.js';
import type { Tables } from './tables.js';

export interface OutboxOptions {
  /** How long a claimed effect stays invisible to other claimers (default 60 s). A dead claimer's effect is due again after it. */
  leaseMs?: number;
}

const MAX_ERROR = 2000;

export class KyselyOutbox implements Outbox {
  private readonly db: Kysely<Tables>;
  private readonly dialect: Dialect;
  readonly leaseMs: number;

  constructor(database: Database, options: OutboxOptions = {}) {
    this.db = database.db;
    this.dialect = database.dialect;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /**
   * Claims up to `limit` due effects, oldest first: only the head (oldest pending) of each
   * (incident, target) queue, and only if it is due and not leased. Claiming sets a lease until
   * now + leaseMs and counts the attempt in the stored row; the returned `attempts` is the number
   * of EARLIER attempts (0 on first delivery; a claimer that died counts), so `attempts > 0`
   * means "this is a retry".
   * Safe with several processes: rows are locked with FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
   * transactions take the write lock up front.
   */
  async claimDue(now: Date, limit: number): Promise<Effect[]> {
    const nowMs = toMs(now);
    if (limit <= 0) return [];
    // Deliveries are background work: a drain kicked from a request handler settles none of its claims.
    return outsideClaims(() => this.db.transaction().execute(async (trx) => {
      let heads = trx
        .selectFrom('effects as e')
        .select('e.id')
        .where('e.state', '=', 'pending')
        .where('e.next_attempt_at', '<=', nowMs)
        .where((eb) => eb.or([eb('e.locked_until', 'is', null), eb('e.locked_until', '<=', nowMs)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('effects as p')
                .select('p.id')
                .whereRef('p.incident_id', '=', 'e.incident_id')
                .whereRef('p.target', '=', 'e.target')
                .where('p.state', '=', 'pending')
                .whereRef('p.id', '<', 'e.id'),
            ),
          ),
        )
        .orderBy('e.id')
        .limit(limit);
      if (this.dialect === 'postgres') heads = heads.forUpdate().skipLocked();
      const ids = (await heads.execute()).map((r) => Number(r.id));
      if (!ids.length) return [];
      const rows = await trx
        .updateTable('effects')
        .set({ locked_until: nowMs + this.leaseMs, attempts: sql<number>`attempts + 1` })
        .where('id', 'in', ids)
        .returningAll()
        .execute();
      return rows.map((r) => ({ ...toEffect(r), attempts: Number(r.attempts) - 1 })).sort((a, b) => a.id - b.id);
    }));
  }

  async markDone(id: number): Promise<void> {
    await this.db.updateTable('effects').set({ state: 'done', locked_until: null }).where('id', '=', id).execute();
  }

  async markFailed(id: number, error: string, retryAt: Date | null): Promise<void> {
    const last_error = error.length > MAX_ERROR ? `${error.slice(0, MAX_ERROR - 1)}…` : error;
    const set =
      retryAt === null
        ? { state: 'failed', locked_until: null, last_error }
        : { state: 'pending', locked_until: null, last_error, next_attempt_at: toMs(retryAt) };
    await this.db.updateTable('effects').set(set).where('id', '=', id).execute();
  }

  async forIncident(incidentId: number): Promise<Effect[]> {
    const rows = await this.db
      .selectFrom('effects')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .where('state', 'in', ['pending', 'failed'])
      .orderBy('id')
      .execute();
    return rows.map(toEffect);
  }

  /** Number of pending effects (the outbox depth, for metrics). */
  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('effects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
