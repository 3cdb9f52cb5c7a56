/** Alert intake: one row per alert group (Alertmanager/Grafana groupKey) and one per alert in it. */
import type { Kysely } from 'kysely';
import { JSON_TEXT, MS } from './helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('alert_groups')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    /** The incident the group opened or joined (the newest one). */
    .addColumn('incident_id', MS)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('labels', JSON_TEXT, (c) => c.notNull())
    .addColumn('runbook', 'text')
    .addColumn('received_at', MS, (c) => c.notNull())
    .addColumn('resolved_at', MS)
    /** With onResolved: resolve, when the incident is resolved if the group stays quiet. */
    .addColumn('quiet_until', MS)
    .addPrimaryKeyConstraint('alert_groups_pk', ['source', 'group_key'])
    .execute();
  await db.schema.createIndex('alert_groups_incident').on('alert_groups').column('incident_id').execute();
  await db.schema.createIndex('alert_groups_quiet').on('alert_groups').column('quiet_until').execute();
  await db.schema
    .createTable('alerts')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('labels', JSON_TEXT, (c) => c.notNull())
    .addColumn('changed_at', MS, (c) => c.notNull())
    /** When its last thread line was posted (flapping lines are rate-limited). */
    .addColumn('line_at', MS)
    /** State changes since that line that got no line of their own. */
    .addColumn('unposted', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('alerts_pk', ['source', 'group_key', 'fingerprint'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alerts').ifExists().execute();
  await db.schema.dropTable('alert_groups').ifExists().execute();
}
