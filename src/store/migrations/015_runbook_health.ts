/** Runbook freshness (core/verify): when each runbook last fit the live inventory, or since when it is broken and why. */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('runbook_health')
    .addColumn('runbook_id', 'text', (c) => c.primaryKey())
    .addColumn('last_verified_at', MS)
    .addColumn('broken_since', MS)
    .addColumn('reason', 'text')
    .addColumn('checked_at', MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('runbook_health').ifExists().execute();
}
