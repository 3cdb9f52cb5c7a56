/** Stop requests: a person asked to stop a running step; the replica running it polls for them. */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('step_stop_requests')
    .addColumn('run_id', MS, (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    /** The attempt to stop: a later retry is never stopped by an old request. */
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('step_stop_requests_pk', ['run_id', 'step_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('step_stop_requests').ifExists().execute();
}
