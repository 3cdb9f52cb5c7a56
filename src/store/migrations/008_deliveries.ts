/** Delivery claims: one row per signed request (slash command, click, modal, webhook) while a replay can still arrive. */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    /** Replica handling it; a retry takes the row over once `lease_until` has passed. */
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('lease_until', MS)
    .addColumn('claimed_at', MS, (c) => c.notNull())
    .addColumn('expires_at', MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deliveries_expiry').on('deliveries').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deliveries').ifExists().execute();
}
