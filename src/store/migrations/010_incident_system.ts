/** Incidents name their system (routing, alerts) and when they were mitigated (time to mitigate). */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('system', 'text').execute();
  await db.schema.alterTable('incidents').addColumn('mitigated_at', MS).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('incidents').dropColumn('mitigated_at').execute();
  await db.schema.alterTable('incidents').dropColumn('system').execute();
}
