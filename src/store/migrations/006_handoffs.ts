/** Shift handoffs: notes, posted handoffs (one per key: once per shift) and their acceptance; indexes for time windows. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('handoff_notes')
    .$call(withId(dialect))
    .addColumn('at', MS, (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('incident_id', MS)
    .execute();
  await db.schema.createIndex('handoff_notes_at').on('handoff_notes').column('at').execute();

  await db.schema
    .createTable('handoffs')
    .$call(withId(dialect))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('since', MS, (c) => c.notNull())
    .addColumn('until', MS, (c) => c.notNull())
    .addColumn('posted_at', MS, (c) => c.notNull())
    .addColumn('posted_by', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('ts', 'text')
    .addColumn('incoming', 'text')
    .addColumn('dm_channel', 'text')
    .addColumn('dm_ts', 'text')
    .addColumn('accepted_by', 'text')
    .addColumn('accepted_at', MS)
    .addColumn('reminded_at', MS)
    .addColumn('escalated_at', MS)
    .addColumn('headline', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('handoffs_message').on('handoffs').columns(['channel', 'ts']).execute();
  await db.schema.createIndex('handoffs_dm').on('handoffs').columns(['dm_channel', 'dm_ts']).execute();
  await db.schema.createIndex('handoffs_unaccepted').on('handoffs').columns(['accepted_at', 'posted_at']).execute();

  // Time-window reads of the summary.
  await db.schema.createIndex('events_at').on('events').columns(['at', 'kind']).execute();
  await db.schema.createIndex('incidents_created').on('incidents').column('created_at').execute();
  await db.schema.createIndex('incidents_resolved').on('incidents').column('resolved_at').execute();
  await db.schema.createIndex('step_attempts_started').on('step_attempts').column('started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['events_at', 'incidents_created', 'incidents_resolved', 'step_attempts_started']) await db.schema.dropIndex(i).ifExists().execute();
  for (const t of ['handoffs', 'handoff_notes']) await db.schema.dropTable(t).ifExists().execute();
}
