/**
 * Routines: each scheduled slot (runbook id + scheduled time) recorded once, so one replica runs
 * it; and the channel of each run that has no incident (a routine, or `/runbook run` outside one).
 */
import type { Kysely } from 'kysely';
import { MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('schedule_slots')
    .addColumn('runbook_id', 'text', (c) => c.notNull())
    .addColumn('slot_at', MS, (c) => c.notNull())
    /** running, passed, failed or missed. */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('claimed_at', MS, (c) => c.notNull())
    .addColumn('run_id', MS)
    .addColumn('incident_id', MS)
    .addPrimaryKeyConstraint('schedule_slots_pk', ['runbook_id', 'slot_at'])
    .execute();
  await db.schema
    .createTable('routine_runs')
    .addColumn('run_id', MS, (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('routine_runs').ifExists().execute();
  await db.schema.dropTable('schedule_slots').ifExists().execute();
}
