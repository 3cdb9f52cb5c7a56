/** KyselyRecoveryStore: verified-recovery watches (migration 014) on SQLite or PostgreSQL. */
import type { Kysely, Selectable } from 'kysely';
import type { NewWatch, RecoveryStore, RecoveryWatch, WatchPatch, WatchState } from '#core/recovery/ports.js';
import type { Database } from './db.js';
import { toMs } from './rows.js';
import type { RunTables } from './runs.js';

interface RecoveryWatchesTable {
  id: import('kysely').Generated<number>;
  incident_id: number;
  run_id: number;
  step_id: string;
  /** JSON list of step ids. */
  checks: string;
  state: string;
  started_at: number;
  first_pass_at: number | null;
  next_check_at: number;
  ends_at: number;
  rounds: number;
  failure: string | null;
  finished_at: number | null;
  version: number;
}
export type RecoveryTables = { recovery_watches: RecoveryWatchesTable };

const date = (v: number | string) => new Date(Number(v));
const dateOrNull = (v: number | string | null) => (v === null ? null : date(v));
const msOrNull = (d: Date | null | undefined) => (d === null || d === undefined ? d : toMs(d));

const toWatch = (r: Selectable<RecoveryWatchesTable>): RecoveryWatch => ({
  id: Number(r.id), incidentId: Number(r.incident_id), runId: Number(r.run_id), stepId: r.step_id, checks: JSON.parse(r.checks) as string[],
  state: r.state as WatchState, startedAt: date(r.started_at), firstPassAt: dateOrNull(r.first_pass_at), nextCheckAt: date(r.next_check_at),
  endsAt: date(r.ends_at), rounds: Number(r.rounds), failure: r.failure, finishedAt: dateOrNull(r.finished_at), version: Number(r.version),
});

export class KyselyRecoveryStore implements RecoveryStore {
  private readonly db: Kysely<RecoveryTables>;

  constructor(database: Database) {
    this.db = database.db as unknown as Kysely<RecoveryTables>;
  }

  async create(w: NewWatch): Promise<RecoveryWatch> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('recovery_watches')
        .set((eb) => ({ state: 'cancelled', finished_at: toMs(w.startedAt), version: eb('version', '+', 1) }))
        .where('incident_id', '=', w.incidentId).where('state', '=', 'watching').execute();
      const row = await trx.insertInto('recovery_watches').values({
        incident_id: w.incidentId, run_id: w.runId, step_id: w.stepId, checks: JSON.stringify(w.checks), state: 'watching',
        started_at: toMs(w.startedAt), first_pass_at: null, next_check_at: toMs(w.nextCheckAt), ends_at: toMs(w.endsAt),
        rounds: 0, failure: null, finished_at: null, version: 0,
      }).returningAll().executeTakeFirstOrThrow();
      return toWatch(row);
    });
  }

  async get(id: number): Promise<RecoveryWatch | undefined> {
    const r = await this.db.selectFrom('recovery_watches').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toWatch(r);
  }

  async due(now: Date): Promise<RecoveryWatch[]> {
    const rows = await this.db.selectFrom('recovery_watches').selectAll()
      .where('state', '=', 'watching').where('next_check_at', '<=', toMs(now)).orderBy('next_check_at').orderBy('id').limit(100).execute();
    return rows.map(toWatch);
  }

  async forIncident(incidentId: number): Promise<RecoveryWatch[]> {
    const rows = await this.db.selectFrom('recovery_watches').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
    return rows.map(toWatch);
  }

  async recentRemediations(since: Date): Promise<{ runId: number; stepId: string; attempt: number; finishedAt: Date }[]> {
    const db = this.db as unknown as Kysely<RecoveryTables & RunTables>;
    const rows = await db.selectFrom('step_attempts as a').innerJoin('runs as r', 'r.id', 'a.run_id')
      .select(['a.run_id', 'a.step_id', 'a.number', 'a.finished_at'])
      .where('a.state', '=', 'succeeded').where('a.lock_owner', 'is not', null).where('a.finished_at', '>=', toMs(since))
      .where('r.incident_id', 'is not', null).orderBy('a.finished_at').limit(100).execute();
    return rows.map((r) => ({ runId: Number(r.run_id), stepId: r.step_id, attempt: Number(r.number), finishedAt: date(r.finished_at as number) }));
  }

  async update(id: number, version: number, p: WatchPatch): Promise<boolean> {
    const r = await this.db.updateTable('recovery_watches')
      .set((eb) => ({
        version: eb('version', '+', 1),
        ...(p.state !== undefined && { state: p.state }),
        ...(p.firstPassAt !== undefined && { first_pass_at: msOrNull(p.firstPassAt) as number | null }),
        ...(p.nextCheckAt !== undefined && { next_check_at: toMs(p.nextCheckAt) }),
        ...(p.rounds !== undefined && { rounds: p.rounds }),
        ...(p.failure !== undefined && { failure: p.failure }),
        ...(p.finishedAt !== undefined && { finished_at: msOrNull(p.finishedAt) as number | null }),
      }))
      .where('id', '=', id).where('version', '=', version).where('state', '=', 'watching')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
