/** AlertStore over Kysely: the group row is the lock that makes one delivery, on any replica, open one incident. */
import type { Kysely, Selectable } from 'kysely';
import type { AlertSource, AlertStatus } from '#core/alerts/alert.js';
import type { AlertGroupState, AlertStore, GroupPlan, GroupSnapshot, StoredAlert } from '#core/alerts/ports.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Database } from './db.js';
import { appendTimeline, insertIncident, nextCounter } from './incident-store.js';
import { patchRow, toEvent, toIncident, toMs } from './rows.js';
import type { AlertGroupsTable, AlertsTable, Tables } from './tables.js';

const msOrNull = (d: Date | null) => (d === null ? null : toMs(d));
const dateOrNull = (v: number | string | null) => (v === null ? null : new Date(Number(v)));
const labels = (s: string): Record<string, string> => JSON.parse(s) as Record<string, string>;

function toGroup(r: Selectable<AlertGroupsTable>): AlertGroupState {
  return {
    incidentId: r.incident_id === null ? null : Number(r.incident_id), status: r.status as AlertStatus, labels: labels(r.labels),
    runbook: r.runbook, resolvedAt: dateOrNull(r.resolved_at), quietUntil: dateOrNull(r.quiet_until),
  };
}

function toAlert(r: Selectable<AlertsTable>): StoredAlert {
  return {
    fingerprint: r.fingerprint, status: r.status as AlertStatus, labels: labels(r.labels), changedAt: new Date(Number(r.changed_at)),
    lineAt: dateOrNull(r.line_at), unposted: Number(r.unposted),
  };
}

export class KyselyAlertStore implements AlertStore {
  private readonly db: Kysely<Tables>;
  constructor(database: Database) {
    this.db = database.db;
  }

  async withGroup(source: AlertSource, groupKey: string, now: Date, decide: (s: GroupSnapshot) => GroupPlan) {
    return this.db.transaction().execute(async (trx) => {
      // The upsert locks the group's row until commit (PostgreSQL; SQLite transactions are exclusive):
      // a second delivery of the same group waits here and then sees what this one stored.
      const before = await trx.selectFrom('alert_groups').selectAll().where('source', '=', source).where('group_key', '=', groupKey).executeTakeFirst();
      const locked = await trx.insertInto('alert_groups')
        .values({ source, group_key: groupKey, incident_id: null, status: 'firing', labels: '{}', runbook: null, received_at: toMs(now), resolved_at: null, quiet_until: null })
        .onConflict((oc) => oc.columns(['source', 'group_key']).doUpdateSet({ received_at: toMs(now) }))
        .returningAll().executeTakeFirstOrThrow();
      const group = before || locked.incident_id !== null || locked.status !== 'firing' || locked.labels !== '{}' ? toGroup(locked) : null;
      const alerts = (await trx.selectFrom('alerts').selectAll().where('source', '=', source).where('group_key', '=', groupKey).execute()).map(toAlert);
      const incidentRow = group?.incidentId != null ? await trx.selectFrom('incidents').selectAll().where('id', '=', group.incidentId).executeTakeFirst() : undefined;
      const incident = incidentRow ? toIncident(incidentRow) : null;
      const history = incident ? (await trx.selectFrom('events').selectAll().where('incident_id', '=', incident.id).orderBy('id').execute()).map(toEvent) : [];
      const plan = decide({ group, alerts, incident, history });

      let incidentId = group?.incidentId ?? null;
      if (plan.open) {
        incidentId = await nextCounter(trx, 'incident');
        await insertIncident(trx, incidentId, plan.open.incident, plan.open.events, plan.open.effects);
      } else if (plan.change && incident) {
        const at = toMs(plan.change.events[0]?.at ?? now);
        if (Object.keys(plan.change.patch).length) {
          const row = await trx.updateTable('incidents').set({ ...patchRow(plan.change.patch), version: incident.version + 1 })
            .where('id', '=', incident.id).where('version', '=', incident.version).returning('id').executeTakeFirst();
          if (!row) throw new CodedError(ErrorCode.Conflict, `INC-${incident.id} was changed meanwhile; try again.`);
        }
        await appendTimeline(trx, incident.id, plan.change.events, plan.change.effects, at);
      }
      const g = plan.group;
      await trx.updateTable('alert_groups').set({
        incident_id: incidentId, status: g.status, labels: JSON.stringify(g.labels), runbook: g.runbook,
        resolved_at: msOrNull(g.resolvedAt), quiet_until: msOrNull(g.quietUntil),
      }).where('source', '=', source).where('group_key', '=', groupKey).execute();
      for (const a of plan.alerts) {
        const row = {
          status: a.status, labels: JSON.stringify(a.labels), changed_at: toMs(a.changedAt), line_at: msOrNull(a.lineAt), unposted: a.unposted,
        };
        await trx.insertInto('alerts').values({ source, group_key: groupKey, fingerprint: a.fingerprint, ...row })
          .onConflict((oc) => oc.columns(['source', 'group_key', 'fingerprint']).doUpdateSet(row)).execute();
      }
      return { plan, incidentId };
    });
  }

  async dueQuiet(now: Date) {
    const rows = await this.db.selectFrom('alert_groups').select(['source', 'group_key'])
      .where('quiet_until', 'is not', null).where('quiet_until', '<=', toMs(now)).execute();
    return rows.map((r) => ({ source: r.source as AlertSource, groupKey: r.group_key }));
  }

  async forIncident(incidentId: number) {
    const g = await this.db.selectFrom('alert_groups').select(['runbook', 'labels', 'group_key', 'source']).where('incident_id', '=', incidentId)
      .orderBy('received_at', 'desc').executeTakeFirst();
    if (!g) return undefined;
    // The labels of the group's alerts, firing ones last so they win (instance, pod, namespace…).
    const alerts = await this.db.selectFrom('alerts').select(['labels', 'status']).where('source', '=', g.source).where('group_key', '=', g.group_key).orderBy('changed_at').execute();
    const merged: Record<string, string> = {};
    for (const a of [...alerts.filter((x) => x.status !== 'firing'), ...alerts.filter((x) => x.status === 'firing')]) Object.assign(merged, labels(a.labels));
    return { runbook: g.runbook, labels: { ...merged, ...labels(g.labels) } };
  }
}
