/** Remediation from Slack: second-person approvals, and where each run's messages live. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('approvals')
    .$call(withId(dialect))
    .addColumn('run_id', MS, (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('incident_id', MS)
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', MS, (c) => c.notNull())
    .addColumn('expires_at', MS, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', MS)
    .execute();
  await db.schema.createIndex('approvals_step').on('approvals').columns(['run_id', 'step_id']).execute();

  await db.schema
    .createTable('chat_refs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chat_refs_message').on('chat_refs').columns(['channel', 'ts']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chat_refs').ifExists().execute();
  await db.schema.dropTable('approvals').ifExists().execute();
}
