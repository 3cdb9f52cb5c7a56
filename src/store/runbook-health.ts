/** Runbook freshness in the database (migration 015): one row per runbook, replaced by each verify. */
import type { Kysely } from 'kysely';
import type { HealthStore, RunbookHealth } from '#core/verify/freshness.js';
import type { Database } from './db.js';
import { toMs } from './rows.js';

interface RunbookHealthTable {
  runbook_id: string;
  last_verified_at: number | null;
  broken_since: number | null;
  reason: string | null;
  checked_at: number;
}
type Tables = { runbook_health: RunbookHealthTable };

const date = (v: number | null) => (v === null ? null : new Date(Number(v)));
const fromRow = (r: RunbookHealthTable): RunbookHealth => ({
  runbookId: r.runbook_id, lastVerifiedAt: date(r.last_verified_at), brokenSince: date(r.broken_since), reason: r.reason, checkedAt: new Date(Number(r.checked_at)),
});

export class KyselyHealthStore implements HealthStore {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<Tables>;
  }

  async get(runbookIds: readonly string[]): Promise<RunbookHealth[]> {
    if (!runbookIds.length) return [];
    const rows = await this.db.selectFrom('runbook_health').selectAll().where('runbook_id', 'in', [...runbookIds]).execute();
    return rows.map(fromRow);
  }

  async all(): Promise<RunbookHealth[]> {
    return (await this.db.selectFrom('runbook_health').selectAll().orderBy('runbook_id').execute()).map(fromRow);
  }

  async put(rows: readonly RunbookHealth[]): Promise<void> {
    if (!rows.length) return;
    const values = rows.map((h) => ({
      runbook_id: h.runbookId, last_verified_at: h.lastVerifiedAt ? toMs(h.lastVerifiedAt) : null,
      broken_since: h.brokenSince ? toMs(h.brokenSince) : null, reason: h.reason, checked_at: toMs(h.checkedAt),
    }));
    await this.db.insertInto('runbook_health').values(values)
      .onConflict((oc) => oc.column('runbook_id').doUpdateSet((eb) => ({
        last_verified_at: eb.ref('excluded.last_verified_at'), broken_since: eb.ref('excluded.broken_since'),
        reason: eb.ref('excluded.reason'), checked_at: eb.ref('excluded.checked_at'),
      })))
      .execute();
  }
}
