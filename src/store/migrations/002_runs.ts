/** Runbook runs: runs, their steps, every attempt, and per-target locks. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { JSON_TEXT, MS, withId } from './helpers.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('runs')
    .$call(withId(dialect))
    .addColumn('runbook_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', MS)
    .addColumn('params', JSON_TEXT, (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('created_at', MS, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_incident').on('runs').columns(['incident_id', 'id']).execute();

  await db.schema
    .createTable('step_runs')
    .addColumn('run_id', MS, (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('step', JSON_TEXT, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', MS, (c) => c.notNull())
    .addPrimaryKeyConstraint('step_runs_pk', ['run_id', 'step_id'])
    .execute();
  await db.schema.createIndex('step_runs_state').on('step_runs').column('state').execute();

  await db.schema
    .createTable('step_attempts')
    .$call(withId(dialect))
    .addColumn('run_id', MS, (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('started_at', MS, (c) => c.notNull())
    .addColumn('finished_at', MS)
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('exit_code', 'integer')
    .addColumn('duration_ms', MS)
    .addColumn('output', 'text')
    .addColumn('output_dropped_bytes', MS, (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('approval_refs', JSON_TEXT, (c) => c.notNull())
    .addColumn('lock_owner', 'text')
    .addUniqueConstraint('step_attempts_number', ['run_id', 'step_id', 'number'])
    .execute();

  await db.schema
    .createTable('target_locks')
    .addColumn('target', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', MS, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['target_locks', 'step_attempts', 'step_runs', 'runs']) await db.schema.dropTable(t).ifExists().execute();
}
