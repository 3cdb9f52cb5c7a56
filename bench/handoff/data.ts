/**
 * Bulk data for the handoff benchmark, generated inside the database (one INSERT … SELECT over a
 * generated series per table: the fastest load either engine offers without extra tools).
 * Incidents are spread evenly over the past, about 1,000 a day, each with ten timeline events
 * ten minutes apart; almost all resolved after two hours (or by now), a few (and the newest 20) still open.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '#store/index.js';

const KINDS = ['opened', 'acknowledged', 'update', 'page', 'update', 'status', 'escalation', 'update', 'reminder', 'resolved'];
const DAY = 86_400_000;

export async function loadIncidents(database: Database, incidents: number, eventsPerIncident: number, now: number): Promise<void> {
  const pg = database.dialect === 'postgres';
  // The generated rows are consistent by construction: foreign keys are not checked row by row.
  if (pg) {
    await database.db.transaction().execute(async (trx) => {
      await sql.raw('set local session_replication_role = replica').execute(trx);
      await insertAll(trx, pg, incidents, eventsPerIncident, now);
    });
  } else {
    await sql.raw('pragma foreign_keys = off').execute(database.db);
    try {
      await insertAll(database.db, pg, incidents, eventsPerIncident, now);
    } finally {
      await sql.raw('pragma foreign_keys = on').execute(database.db);
    }
  }
  await sql.raw(pg ? 'vacuum analyze' : 'analyze').execute(database.db);
}

async function insertAll(db: Kysely<any>, pg: boolean, incidents: number, eventsPerIncident: number, now: number): Promise<void> {
  const step = Math.floor(((incidents / 1000) * DAY) / incidents);
  const created = (i: string) => `(${now} - (${incidents} - ${i}) * ${step} - 60000)`;
  const open = (i: string) => `(${i} % 2000 = 7 or ${i} > ${incidents - 20})`;
  const series = (n: number, body: (i: string) => string) =>
    pg ? `${body('s.i')} from generate_series(1::bigint, ${n}::bigint) as s(i)` : `${body('s.i')} from s`;
  const withSeries = (n: number) => (pg ? '' : `with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n}) `);
  const least = pg ? 'least' : 'min';

  await sql.raw(`${withSeries(incidents)}insert into incidents (id, title, title_key, severity, status, commander, opened_by, summary, service, channel, source_channel,
      card_ts, created_at, acknowledged_at, acknowledged_by, resolved_at, resolution, last_update_at, last_reminder_at, version)
    ${series(incidents, (i) => `select ${i}, 'Service ' || (${i} % 97) || ' degraded #' || ${i}, 'service ' || (${i} % 97) || ' degraded #' || ${i},
      'P' || (1 + ${i} % 4), case when ${open(i)} then 'investigating' else 'resolved' end, 'U0ALICE', 'U0BOB', null, 'svc' || (${i} % 97),
      'C0INCIDENTS', 'C0GENERAL', '1700000000.' || ${i}, ${created(i)}, ${created(i)} + 300000, 'U0ALICE',
      case when ${open(i)} then null else ${least}(${created(i)} + 7200000, ${now - 1000}) end, case when ${open(i)} then null else 'fixed' end,
      ${created(i)} + 4200000, null, 10`)}`).execute(db);

  const inc = (j: string) => `((${j} - 1) / ${eventsPerIncident} + 1)`;
  const k = (j: string) => `((${j} - 1) % ${eventsPerIncident})`;
  const kind = (j: string) => `case ${k(j)} ${KINDS.map((x, n) => `when ${n} then '${x}'`).join(' ')} else 'note' end`;
  const events = incidents * eventsPerIncident;
  await sql.raw(`${withSeries(events)}insert into events (incident_id, at, actor, kind, text, data)
    ${series(events, (j) => `select ${inc(j)}, ${least}(${created(inc(j))} + ${k(j)} * 600000, ${now - 1}), 'U0ALICE',
      case when ${open(inc(j))} and ${k(j)} = 9 then 'update' else ${kind(j)} end,
      'Event ' || ${k(j)} || ' of INC-' || ${inc(j)} || ': next: check the dashboards', null`)}`).execute(db);
  await sql.raw(`insert into counters (name, value) values ('incident', ${incidents})`).execute(db);
}
