import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { JSON_TEXT, MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('title_key', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('commander', 'text', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('service', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source_channel', 'text', (c) => c.notNull())
    .addColumn('card_ts', 'text')
    .addColumn('created_at', MS, (c) => c.notNull())
    .addColumn('acknowledged_at', MS)
    .addColumn('acknowledged_by', 'text')
    .addColumn('resolved_at', MS)
    .addColumn('resolution', 'text')
    .addColumn('last_update_at', MS, (c) => c.notNull())
    .addColumn('last_reminder_at', MS)
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('incidents_thread').on('incidents').columns(['channel', 'card_ts']).execute();
  await db.schema
    .createIndex('incidents_duplicate')
    .on('incidents')
    .columns(['opened_by', 'source_channel', 'title_key', 'created_at'])
    .execute();
  await db.schema.createIndex('incidents_status').on('incidents').column('status').execute();

  await db.schema
    .createTable('events')
    .$call(withId(dialect))
    .addColumn('incident_id', MS, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('at', MS, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('data', JSON_TEXT)
    .execute();
  await db.schema.createIndex('events_incident').on('events').columns(['incident_id', 'id']).execute();

  await db.schema
    .createTable('effects')
    .$call(withId(dialect))
    .addColumn('incident_id', MS, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('payload', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', MS, (c) => c.notNull())
    .addColumn('locked_until', MS)
    .addColumn('last_error', 'text')
    .addColumn('created_at', MS, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('effects_queue').on('effects').columns(['incident_id', 'target', 'state', 'id']).execute();
  await db.schema.createIndex('effects_due').on('effects').columns(['state', 'next_attempt_at']).execute();

  await db.schema
    .createTable('claims')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('claimed_at', MS, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('until', MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['leases', 'claims', 'effects', 'events', 'incidents', 'counters']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
