/** What `opsroom report` reads: incidents opened and runs started in [since, until). Reads only. */
import type { Kysely } from 'kysely';
import type { Incident } from '#core/incidents/incident.js';
import type { RunRow } from '#core/report/build.js';
import type { Database } from './db.js';
import { toIncident, toMs } from './rows.js';
import type { RunTables } from './runs.js';
import type { Tables } from './tables.js';

export async function reportInputs(database: Database, since: Date, until: Date): Promise<{ incidents: Incident[]; runs: RunRow[] }> {
  const db = database.db as unknown as Kysely<Tables & RunTables>;
  const rows = await db.selectFrom('incidents').selectAll()
    .where('created_at', '>=', toMs(since)).where('created_at', '<', toMs(until)).orderBy('id').execute();
  const runs = await db.selectFrom('runs').select(['runbook_id', 'state'])
    .where('created_at', '>=', toMs(since)).where('created_at', '<', toMs(until)).orderBy('id').execute();
  return { incidents: rows.map(toIncident), runs: runs.map((r) => ({ runbookId: r.runbook_id, state: r.state })) };
}
