/** Who skipped a step and why, shown on the run card. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('step_runs').addColumn('skipped_by', 'text').execute();
  await db.schema.alterTable('step_runs').addColumn('skip_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('step_runs').dropColumn('skip_reason').execute();
  await db.schema.alterTable('step_runs').dropColumn('skipped_by').execute();
}
