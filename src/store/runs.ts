/**
 * KyselyRunStore: runs, step runs, attempts and target locks on SQLite or PostgreSQL.
 * Claims and finishes are compare-and-set updates inside a transaction, so two clicks (or two
 * replicas) on the same step execute it once.
 */
import type { Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Attempt, AttemptResult, AttemptStart, NewRun, Run, RunStore, StepRun, StepSkip, TargetLock, TimelineRecord } from '#core/runs/ports.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import type { StepKey, StopRequest, StopRequestStore } from '#core/runs/stops.js';
import type { RunState, StepState } from '#core/runs/step-state.js';
import type { Database } from './db.js';
import { appendTimeline } from './incident-store.js';
import type { Tables as IncidentTables } from './tables.js';
import { toMs } from './rows.js';

interface RunsTable {
  id: Generated<number>;
  runbook_id: string;
  incident_id: number | null;
  params: string;
  started_by: string;
  created_at: number;
  state: string;
  /** The run's secret values, encrypted (never in clear), or null. */
  sealed_secrets: string | null;
}
interface StepRunsTable {
  run_id: number;
  step_id: string;
  position: number;
  step: string;
  state: string;
  attempts: number;
  updated_at: number;
  skipped_by: string | null;
  skip_reason: string | null;
}
interface StepAttemptsTable {
  id: Generated<number>;
  run_id: number;
  step_id: string;
  number: number;
  actor: string;
  started_at: number;
  finished_at: number | null;
  target: string;
  command: string;
  state: string;
  exit_code: number | null;
  duration_ms: number | null;
  output: string | null;
  output_dropped_bytes: number;
  error: string | null;
  approval_refs: string;
  lock_owner: string | null;
  instance: string | null;
}
interface TargetLocksTable {
  target: string;
  owner: string;
  expires_at: number;
}
interface RunInstancesTable {
  instance: string;
  alive_until: number;
}
interface StepStopRequestsTable {
  run_id: number;
  step_id: string;
  attempt: number;
  requested_by: string;
  requested_at: number;
}
export type RunTables = {
  run_instances: RunInstancesTable;
  step_stop_requests: StepStopRequestsTable;
  runs: RunsTable;
  step_runs: StepRunsTable;
  step_attempts: StepAttemptsTable;
  target_locks: TargetLocksTable;
};

type Db = Kysely<RunTables>;
const date = (v: number | string) => new Date(Number(v));
const numOrNull = (v: number | string | null) => (v === null ? null : Number(v));

const toRun = (r: Selectable<RunsTable>): Run => ({
  id: Number(r.id), runbookId: r.runbook_id, incidentId: numOrNull(r.incident_id), params: JSON.parse(r.params) as Record<string, unknown>,
  startedBy: r.started_by, createdAt: date(r.created_at), state: r.state as RunState,
});
const toStepRun = (r: Selectable<StepRunsTable>): StepRun => ({
  runId: Number(r.run_id), stepId: r.step_id, position: Number(r.position), step: JSON.parse(r.step) as ResolvedStep,
  state: r.state as StepState, attempts: Number(r.attempts), updatedAt: date(r.updated_at),
  ...(r.state === 'skipped' && r.skipped_by ? { skipped: { by: r.skipped_by, reason: r.skip_reason } } : {}),
});
const toAttempt = (r: Selectable<StepAttemptsTable>): Attempt => ({
  runId: Number(r.run_id), stepId: r.step_id, number: Number(r.number), actor: r.actor, startedAt: date(r.started_at),
  finishedAt: r.finished_at === null ? null : date(r.finished_at), target: r.target, command: r.command,
  state: r.state as Attempt['state'], exitCode: numOrNull(r.exit_code), durationMs: numOrNull(r.duration_ms), output: r.output,
  outputDroppedBytes: Number(r.output_dropped_bytes), error: r.error, approvalRefs: JSON.parse(r.approval_refs) as string[], lockOwner: r.lock_owner,
  instance: r.instance,
});

export class KyselyRunStore implements RunStore, StopRequestStore {
  private readonly db: Db;

  constructor(database: Database) {
    this.db = database.db.withTables<RunTables>() as unknown as Db;
  }

  async createRun(input: NewRun, at: Date): Promise<Run> {
    if (new Set(input.steps.map((s) => s.id)).size !== input.steps.length) {
      throw new CodedError(ErrorCode.BadInput, 'Step ids must be unique within a run.');
    }
    const atMs = toMs(at);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('runs').values({
        runbook_id: input.runbookId, incident_id: input.incidentId, params: JSON.stringify(input.params),
        started_by: input.startedBy, created_at: atMs, state: 'pending', sealed_secrets: input.sealedSecrets ?? null,
      }).returningAll().executeTakeFirstOrThrow();
      const runId = Number(row.id);
      const steps: Insertable<StepRunsTable>[] = input.steps.map((step, position) => ({
        run_id: runId, step_id: step.id, position, step: JSON.stringify(step), state: 'pending', attempts: 0, updated_at: atMs,
      }));
      if (steps.length) await trx.insertInto('step_runs').values(steps).execute();
      return toRun(row);
    });
  }

  async getRun(id: number): Promise<Run | undefined> {
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRun(r);
  }

  async listRuns(filter: { incidentId?: number; limit?: number } = {}): Promise<Run[]> {
    let q = this.db.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 100);
    if (filter.incidentId !== undefined) q = q.where('incident_id', '=', filter.incidentId);
    return (await q.execute()).map(toRun);
  }

  async setRunState(id: number, state: RunState): Promise<void> {
    await this.db.updateTable('runs').set({ state }).where('id', '=', id).execute();
  }

  async steps(runId: number): Promise<StepRun[]> {
    const rows = await this.db.selectFrom('step_runs').selectAll().where('run_id', '=', runId).orderBy('position').execute();
    return rows.map(toStepRun);
  }

  async getStep(runId: number, stepId: string): Promise<StepRun | undefined> {
    const r = await this.db.selectFrom('step_runs').selectAll().where('run_id', '=', runId).where('step_id', '=', stepId).executeTakeFirst();
    return r && toStepRun(r);
  }

  async sealedSecrets(runId: number): Promise<string | null> {
    const r = await this.db.selectFrom('runs').select('sealed_secrets').where('id', '=', runId).executeTakeFirst();
    return r?.sealed_secrets ?? null;
  }

  async claimStep(runId: number, stepId: string, expected: StepState, start: AttemptStart, record?: TimelineRecord): Promise<Attempt | null> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx.updateTable('step_runs')
        .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), updated_at: toMs(start.startedAt) }))
        .where('run_id', '=', runId).where('step_id', '=', stepId).where('state', '=', expected)
        .returning('attempts').executeTakeFirst();
      if (!claimed) return null;
      const row = await trx.insertInto('step_attempts').values({
        run_id: runId, step_id: stepId, number: Number(claimed.attempts), actor: start.actor, started_at: toMs(start.startedAt),
        finished_at: null, target: start.target, command: start.command, state: 'running', exit_code: null, duration_ms: null,
        output: null, output_dropped_bytes: 0, error: null, approval_refs: JSON.stringify(start.approvalRefs), lock_owner: start.lockOwner,
        instance: start.instance,
      }).returningAll().executeTakeFirstOrThrow();
      if (record) await appendTimeline(trx as unknown as Transaction<IncidentTables>, record.incidentId, record.events, record.effects, record.events[0]?.at.getTime() ?? toMs(start.startedAt));
      return toAttempt(row);
    });
  }

  async finishAttempt(runId: number, stepId: string, number: number, result: AttemptResult): Promise<boolean> {
    const finishedAt = toMs(result.finishedAt);
    return this.db.transaction().execute(async (trx) => {
      const step = await trx.updateTable('step_runs').set({ state: result.state, updated_at: finishedAt })
        .where('run_id', '=', runId).where('step_id', '=', stepId).where('state', '=', 'running').where('attempts', '=', number)
        .executeTakeFirst();
      if (Number(step.numUpdatedRows) !== 1) return false;
      await trx.updateTable('step_attempts').set({
        state: result.state, finished_at: finishedAt, exit_code: result.exitCode, duration_ms: result.durationMs,
        output: result.output, output_dropped_bytes: result.outputDroppedBytes, error: result.error,
      }).where('run_id', '=', runId).where('step_id', '=', stepId).where('number', '=', number).execute();
      return true;
    });
  }

  async moveStep(runId: number, stepId: string, from: StepState, to: StepState, at: Date, skipped?: StepSkip, record?: TimelineRecord): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('step_runs').set({ state: to, updated_at: toMs(at), skipped_by: skipped?.by ?? null, skip_reason: skipped?.reason ?? null })
        .where('run_id', '=', runId).where('step_id', '=', stepId).where('state', '=', from).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      if (record) await appendTimeline(trx as unknown as Transaction<IncidentTables>, record.incidentId, record.events, record.effects, record.events[0]?.at.getTime() ?? toMs(at));
      return true;
    });
  }

  async attempts(runId: number, stepId?: string): Promise<Attempt[]> {
    let q = this.db.selectFrom('step_attempts').selectAll().where('run_id', '=', runId);
    if (stepId !== undefined) q = q.where('step_id', '=', stepId);
    return (await q.orderBy('id').execute()).map(toAttempt);
  }

  async acquireLock(target: string, owner: string, expiresAt: Date, now: Date): Promise<boolean> {
    const nowMs = toMs(now);
    const row = await this.db.insertInto('target_locks').values({ target, owner, expires_at: toMs(expiresAt) })
      .onConflict((oc) => oc.column('target')
        .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
        .where((eb) => eb.or([eb('target_locks.expires_at', '<=', nowMs), eb('target_locks.owner', '=', eb.ref('excluded.owner'))])))
      .returning('target').executeTakeFirst();
    return row !== undefined;
  }

  async releaseLock(target: string, owner: string): Promise<void> {
    await this.db.deleteFrom('target_locks').where('target', '=', target).where('owner', '=', owner).execute();
  }

  async getLock(target: string): Promise<TargetLock | undefined> {
    const r = await this.db.selectFrom('target_locks').selectAll().where('target', '=', target).executeTakeFirst();
    return r && { target: r.target, owner: r.owner, expiresAt: date(r.expires_at) };
  }

  async requestStop(req: StopRequest): Promise<boolean> {
    const row = await this.db.insertInto('step_stop_requests').values({
      run_id: req.runId, step_id: req.stepId, attempt: req.attempt, requested_by: req.requestedBy, requested_at: toMs(req.requestedAt),
    }).onConflict((oc) => oc.columns(['run_id', 'step_id', 'attempt']).doNothing()).returning('run_id').executeTakeFirst();
    return row !== undefined;
  }

  async stopRequests(keys: readonly StepKey[]): Promise<StopRequest[]> {
    if (!keys.length) return [];
    const rows = await this.db.selectFrom('step_stop_requests').selectAll()
      .where('run_id', 'in', [...new Set(keys.map((k) => k.runId))]).execute();
    const wanted = new Set(keys.map((k) => `${k.runId}/${k.stepId}/${k.attempt}`));
    return rows.filter((r) => wanted.has(`${Number(r.run_id)}/${r.step_id}/${Number(r.attempt)}`)).map((r) => ({
      runId: Number(r.run_id), stepId: r.step_id, attempt: Number(r.attempt), requestedBy: r.requested_by, requestedAt: date(r.requested_at),
    }));
  }

  async heartbeat(instance: string, aliveUntil: Date): Promise<void> {
    const until = toMs(aliveUntil);
    await this.db.insertInto('run_instances').values({ instance, alive_until: until })
      .onConflict((oc) => oc.column('instance').doUpdateSet({ alive_until: until })).execute();
  }

  async interruptRunning(at: Date, reason: string, instance: string): Promise<StepRun[]> {
    const atMs = toMs(at);
    return this.db.transaction().execute(async (trx: Transaction<RunTables>) => {
      const running = await trx.selectFrom('step_runs').selectAll().where('state', '=', 'running').execute();
      const alive = new Map((await trx.selectFrom('run_instances').selectAll().execute()).map((r) => [r.instance, Number(r.alive_until)]));
      const orphaned = (a: Selectable<StepAttemptsTable>): boolean =>
        a.instance === null || a.instance === instance || (alive.get(a.instance) ?? 0) <= atMs;
      const changed: StepRun[] = [];
      for (const s of running) {
        const open = await trx.selectFrom('step_attempts').selectAll()
          .where('run_id', '=', s.run_id).where('step_id', '=', s.step_id).where('state', '=', 'running').execute();
        if (open.length > 0 && !open.every(orphaned)) continue;
        const u = await trx.updateTable('step_runs').set({ state: 'interrupted', updated_at: atMs })
          .where('run_id', '=', s.run_id).where('step_id', '=', s.step_id).where('state', '=', 'running').executeTakeFirst();
        if (Number(u.numUpdatedRows) !== 1) continue;
        for (const a of open) {
          await trx.updateTable('step_attempts')
            .set({ state: 'interrupted', finished_at: atMs, error: reason, duration_ms: Math.max(0, atMs - Number(a.started_at)) })
            .where('id', '=', a.id).execute();
          if (a.lock_owner !== null) await trx.deleteFrom('target_locks').where('owner', '=', a.lock_owner).execute();
        }
        changed.push(toStepRun({ ...s, state: 'interrupted', updated_at: atMs }));
      }
      return changed;
    });
  }
}
