/** An in-memory RunStore for unit tests and the no-database mode. Every method is atomic. */
import { CodedError, ErrorCode } from '../errors.js';
import type { Attempt, AttemptResult, AttemptStart, NewRun, Run, RunStore, StepRun, StepSkip, TargetLock, TimelineRecord } from './ports.js';
import type { RunState, StepState } from './step-state.js';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<number, Run>();
  private readonly stepRuns = new Map<number, StepRun[]>();
  private readonly attemptRows: Attempt[] = [];
  /** Timeline records stored with step moves (this store keeps no incidents). */
  readonly timeline: TimelineRecord[] = [];
  private readonly locks = new Map<string, TargetLock>();
  private readonly alive = new Map<string, Date>();
  private readonly sealed = new Map<number, string>();
  private nextId = 1;

  async createRun(input: NewRun, at: Date): Promise<Run> {
    const ids = new Set(input.steps.map((s) => s.id));
    if (ids.size !== input.steps.length) throw new CodedError(ErrorCode.BadInput, 'Step ids must be unique within a run.');
    const run: Run = { id: this.nextId++, runbookId: input.runbookId, incidentId: input.incidentId, params: clone(input.params), startedBy: input.startedBy, createdAt: at, state: 'pending' };
    this.runs.set(run.id, run);
    if (input.sealedSecrets) this.sealed.set(run.id, input.sealedSecrets);
    this.stepRuns.set(run.id, input.steps.map((step, position) => ({ runId: run.id, stepId: step.id, position, step: clone(step), state: 'pending', attempts: 0, updatedAt: at })));
    return clone(run);
  }

  async getRun(id: number): Promise<Run | undefined> {
    const r = this.runs.get(id);
    return r && clone(r);
  }

  async listRuns(filter: { incidentId?: number; limit?: number } = {}): Promise<Run[]> {
    return [...this.runs.values()]
      .filter((r) => filter.incidentId === undefined || r.incidentId === filter.incidentId)
      .sort((a, b) => b.id - a.id)
      .slice(0, filter.limit ?? 100)
      .map(clone);
  }

  async setRunState(id: number, state: RunState): Promise<void> {
    const r = this.runs.get(id);
    if (r) r.state = state;
  }

  async steps(runId: number): Promise<StepRun[]> {
    return (this.stepRuns.get(runId) ?? []).map(clone);
  }

  async getStep(runId: number, stepId: string): Promise<StepRun | undefined> {
    const s = this.find(runId, stepId);
    return s && clone(s);
  }

  async sealedSecrets(runId: number): Promise<string | null> {
    return this.sealed.get(runId) ?? null;
  }

  async claimStep(runId: number, stepId: string, expected: StepState, start: AttemptStart, record?: TimelineRecord): Promise<Attempt | null> {
    const s = this.find(runId, stepId);
    if (!s || s.state !== expected) return null;
    if (record) this.timeline.push(record);
    s.state = 'running';
    s.attempts += 1;
    s.updatedAt = start.startedAt;
    const attempt: Attempt = {
      ...clone(start), runId, stepId, number: s.attempts, state: 'running', finishedAt: null, exitCode: null,
      durationMs: null, output: null, outputDroppedBytes: 0, error: null,
    };
    this.attemptRows.push(attempt);
    return clone(attempt);
  }

  async finishAttempt(runId: number, stepId: string, number: number, result: AttemptResult): Promise<boolean> {
    const s = this.find(runId, stepId);
    const a = this.attemptRows.find((x) => x.runId === runId && x.stepId === stepId && x.number === number);
    if (!s || !a || s.state !== 'running' || a.state !== 'running') return false;
    s.state = result.state;
    s.updatedAt = result.finishedAt;
    Object.assign(a, clone(result));
    return true;
  }

  async moveStep(runId: number, stepId: string, from: StepState, to: StepState, at: Date, skipped?: StepSkip, record?: TimelineRecord): Promise<boolean> {
    const s = this.find(runId, stepId);
    if (!s || s.state !== from) return false;
    if (record) this.timeline.push(record);
    s.state = to;
    s.updatedAt = at;
    if (skipped) s.skipped = skipped;
    else delete s.skipped;
    return true;
  }

  async attempts(runId: number, stepId?: string): Promise<Attempt[]> {
    return this.attemptRows.filter((a) => a.runId === runId && (stepId === undefined || a.stepId === stepId)).map(clone);
  }

  async acquireLock(target: string, owner: string, expiresAt: Date, now: Date): Promise<boolean> {
    const held = this.locks.get(target);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.locks.set(target, { target, owner, expiresAt });
    return true;
  }

  async releaseLock(target: string, owner: string): Promise<void> {
    if (this.locks.get(target)?.owner === owner) this.locks.delete(target);
  }

  async getLock(target: string): Promise<TargetLock | undefined> {
    const l = this.locks.get(target);
    return l && clone(l);
  }

  async heartbeat(instance: string, aliveUntil: Date): Promise<void> {
    this.alive.set(instance, aliveUntil);
  }

  async interruptRunning(at: Date, reason: string, instance: string): Promise<StepRun[]> {
    const changed: StepRun[] = [];
    const orphaned = (a: Attempt): boolean =>
      a.instance === null || a.instance === instance || (this.alive.get(a.instance)?.getTime() ?? 0) <= at.getTime();
    for (const steps of this.stepRuns.values()) {
      for (const s of steps) {
        if (s.state !== 'running') continue;
        const open = this.attemptRows.filter((a) => a.runId === s.runId && a.stepId === s.stepId && a.state === 'running');
        if (open.length > 0 && !open.every(orphaned)) continue;
        s.state = 'interrupted';
        s.updatedAt = at;
        for (const a of this.attemptRows) {
          if (a.runId !== s.runId || a.stepId !== s.stepId || a.state !== 'running') continue;
          Object.assign(a, { state: 'interrupted', finishedAt: at, error: reason, durationMs: at.getTime() - a.startedAt.getTime() });
          for (const [t, l] of this.locks) if (a.lockOwner !== null && l.owner === a.lockOwner) this.locks.delete(t);
        }
        changed.push(clone(s));
      }
    }
    return changed;
  }

  private find(runId: number, stepId: string): StepRun | undefined {
    return this.stepRuns.get(runId)?.find((s) => s.stepId === stepId);
  }
}
