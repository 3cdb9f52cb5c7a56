/** Verified-recovery watches: a remediation's checks run again for a window (core/recovery). */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { JSON_TEXT, MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('recovery_watches')
    .$call(withId(dialect))
    .addColumn('incident_id', MS, (c) => c.notNull())
    .addColumn('run_id', MS, (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('checks', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', MS, (c) => c.notNull())
    .addColumn('first_pass_at', MS)
    .addColumn('next_check_at', MS, (c) => c.notNull())
    .addColumn('ends_at', MS, (c) => c.notNull())
    .addColumn('rounds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failure', 'text')
    .addColumn('finished_at', MS)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('recovery_watches_due').on('recovery_watches').columns(['state', 'next_check_at']).execute();
  await db.schema.createIndex('recovery_watches_incident').on('recovery_watches').columns(['incident_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('recovery_watches').ifExists().execute();
}
