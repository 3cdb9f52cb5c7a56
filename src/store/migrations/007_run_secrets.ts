/** A run's secret values, encrypted (see src/core/runs/sealing.ts): never stored in clear. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('sealed_secrets', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('sealed_secrets').execute();
}
