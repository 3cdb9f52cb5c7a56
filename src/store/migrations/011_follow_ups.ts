/** Follow-ups: action items recorded on an incident, open until someone marks them done. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('follow_ups')
    .$call(withId(dialect))
    .addColumn('incident_id', MS, (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', MS, (c) => c.notNull())
    .addColumn('done_by', 'text')
    .addColumn('done_at', MS)
    .addColumn('issue_url', 'text')
    .execute();
  await db.schema.createIndex('follow_ups_incident').on('follow_ups').columns(['incident_id', 'done_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('follow_ups').ifExists().execute();
}
