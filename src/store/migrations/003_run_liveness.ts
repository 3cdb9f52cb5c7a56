/** Which engine process runs an attempt, and which processes are alive (crash recovery with replicas). */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('step_attempts').addColumn('instance', 'text').execute();
  await db.schema
    .createTable('run_instances')
    .addColumn('instance', 'text', (c) => c.primaryKey())
    .addColumn('alive_until', MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('run_instances').ifExists().execute();
  await db.schema.alterTable('step_attempts').dropColumn('instance').execute();
}
