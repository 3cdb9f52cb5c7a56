/** PagerDuty: which PagerDuty incident belongs to which opsroom incident, and webhook ordering state. */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pager_links')
    .addColumn('incident_id', MS, (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
    .addColumn('pager_id', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text', (c) => c.notNull())
    .execute();
  // Per PagerDuty incident and ordering stream ('status' | 'assignment' | 'priority'): the newest
  // occurred_at applied, so a late delivery never overwrites a newer state (any replica, any restart).
  await db.schema
    .createTable('pager_event_order')
    .addColumn('pager_id', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('last_at', MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('pager_event_order_pk', ['pager_id', 'stream'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pager_event_order').ifExists().execute();
  await db.schema.dropTable('pager_links').ifExists().execute();
}
