/**
 * Named leases: "only one replica does this job until <time>". For schedulers (update reminders,
 * handoff posts): whoever gets `tryLease(name, me, until, now)` does the work; the lease lapses
 * on its own if that process dies, and the next caller after `until` takes over.
 */
import type { Kysely } from 'kysely';
import type { Database } from './db.js';
import { toMs } from './rows.js';
import type { Tables } from './tables.js';

export class KyselyLeases {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db;
  }

  /**
   * Takes or renews the lease `name` for `owner` until `until`. True when `owner` now holds it:
   * it was free, had expired (until <= now), or `owner` already held it.
   */
  async tryLease(name: string, owner: string, until: Date, now: Date): Promise<boolean> {
    const nowMs = toMs(now);
    const row = await this.db
      .insertInto('leases')
      .values({ name, owner, until: toMs(until) })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), until: eb.ref('excluded.until') }))
          .where((eb) => eb.or([eb('leases.until', '<=', nowMs), eb('leases.owner', '=', eb.ref('excluded.owner'))])),
      )
      .returning('name')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Gives the lease up early (only if `owner` holds it). */
  async release(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** Current holder, if the lease has not expired at `now`. */
  async holder(name: string, now: Date): Promise<{ owner: string; until: Date } | undefined> {
    const row = await this.db
      .selectFrom('leases')
      .select(['owner', 'until'])
      .where('name', '=', name)
      .where('until', '>', toMs(now))
      .executeTakeFirst();
    return row && { owner: row.owner, until: new Date(Number(row.until)) };
  }
}
