/** PagerDuty state in the store: incident links, webhook ordering, and giving back a webhook claim. */
import type { Kysely } from 'kysely';
import type { PagerEventOrder, PagerLinkStore, PagerStream } from '#core/incidents/pager-events.js';
import type { PagerRef } from '#core/ports.js';
import type { Database } from './db.js';
import { toMs } from './rows.js';
import type { Tables } from './tables.js';

/** Which PagerDuty incident belongs to which opsroom incident (implements pagerduty's PagerLinks). */
export class KyselyPagerLinks implements PagerLinkStore {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db;
  }

  async get(incidentId: number): Promise<PagerRef | undefined> {
    const row = await this.db.selectFrom('pager_links').select(['pager_id', 'url']).where('incident_id', '=', incidentId).executeTakeFirst();
    return row && { id: row.pager_id, url: row.url };
  }

  async set(incidentId: number, ref: PagerRef): Promise<void> {
    await this.db
      .insertInto('pager_links')
      .values({ incident_id: incidentId, pager_id: ref.id, url: ref.url })
      .onConflict((oc) => oc.column('incident_id').doUpdateSet({ pager_id: ref.id, url: ref.url }))
      .execute();
  }

  async findIncident(pagerId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('pager_links').select('incident_id').where('pager_id', '=', pagerId).executeTakeFirst();
    return row ? Number(row.incident_id) : undefined;
  }
}

/** The newest webhook time applied per PagerDuty incident and stream, shared by every replica. */
export class KyselyPagerEventOrder implements PagerEventOrder {
  private readonly db: Kysely<Tables>;

  constructor(database: Database) {
    this.db = database.db;
  }

  async advance(pagerId: string, stream: PagerStream, at: Date) {
    const ms = toMs(at);
    const before = await this.db
      .selectFrom('pager_event_order').select('last_at')
      .where('pager_id', '=', pagerId).where('stream', '=', stream)
      .executeTakeFirst();
    // One statement decides: insert, or move forward only when strictly newer.
    const row = await this.db
      .insertInto('pager_event_order')
      .values({ pager_id: pagerId, stream, last_at: ms })
      .onConflict((oc) =>
        oc.columns(['pager_id', 'stream'])
          .doUpdateSet((eb) => ({ last_at: eb.ref('excluded.last_at') }))
          .where((eb) => eb('pager_event_order.last_at', '<', eb.ref('excluded.last_at'))),
      )
      .returning('last_at')
      .executeTakeFirst();
    return { applied: row !== undefined, previous: before ? new Date(Number(before.last_at)) : null };
  }

  async undo(pagerId: string, stream: PagerStream, at: Date, previous: Date | null) {
    if (previous === null) {
      await this.db.deleteFrom('pager_event_order')
        .where('pager_id', '=', pagerId).where('stream', '=', stream).where('last_at', '=', toMs(at))
        .execute();
      return;
    }
    await this.db.updateTable('pager_event_order').set({ last_at: toMs(previous) })
      .where('pager_id', '=', pagerId).where('stream', '=', stream).where('last_at', '=', toMs(at))
      .execute();
  }
}

/** Gives back an idempotency claim (IncidentStore.claim) so a failed webhook's retry is handled. */
export async function releaseClaim(database: Database, key: string): Promise<void> {
  await database.db.deleteFrom('claims').where('key', '=', key).execute();
}
