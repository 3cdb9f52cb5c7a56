/** Ports of the run engine: where runs are stored, and who takes an escalation. */
import type { NewEffect } from '../effects.js';
import type { NewEvent } from '../incidents/timeline.js';
import type { ResolvedStep } from './step-runner.js';
import type { RunState, StepState } from './step-state.js';

export interface NewRun {
  runbookId: string;
  incidentId: number | null;
  params: Record<string, unknown>;
  startedBy: string;
  /** The steps as resolved when the run started, secrets sealed (sealing.ts); what runs later is exactly this. */
  steps: ResolvedStep[];
  /** The run's secret values, encrypted (SecretVault), or null when they are kept in memory only. */
  sealedSecrets?: string | null;
}

export interface Run {
  id: number;
  runbookId: string;
  incidentId: number | null;
  params: Record<string, unknown>;
  startedBy: string;
  createdAt: Date;
  state: RunState;
}

export interface StepRun {
  runId: number;
  stepId: string;
  /** Order within the run, from 0. */
  position: number;
  step: ResolvedStep;
  state: StepState;
  /** Attempts started so far. */
  attempts: number;
  updatedAt: Date;
  /** Set while skipped: who skipped it (`opsroom` for an unmet `when:`) and why. */
  skipped?: StepSkip;
}

export interface StepSkip {
  by: string;
  reason: string | null;
}

/** What is known when an attempt starts. */
export interface AttemptStart {
  actor: string;
  startedAt: Date;
  /** Where it runs, e.g. `docker:redis`, `ssh:bastion`. */
  target: string;
  /** The exact command text (describeCommand). */
  command: string;
  /** Confirmation/approval references that allowed it (empty for ordinary steps). */
  approvalRefs: string[];
  /** Owner of the target lock held for this attempt, if any. */
  lockOwner: string | null;
  /** The engine process running it (see RunEngineDeps.instanceId). */
  instance: string | null;
}

type AttemptResultState = 'succeeded' | 'failed' | 'timed_out' | 'interrupted';

export interface AttemptResult {
  state: AttemptResultState;
  finishedAt: Date;
  exitCode: number | null;
  durationMs: number;
  /** Redacted and capped. */
  output: string;
  outputDroppedBytes: number;
  error: string | null;
}

export interface Attempt extends AttemptStart {
  runId: number;
  stepId: string;
  /** 1, 2, … within the step. */
  number: number;
  state: AttemptResultState | 'running';
  finishedAt: Date | null;
  exitCode: number | null;
  durationMs: number | null;
  output: string | null;
  outputDroppedBytes: number;
  error: string | null;
}

export interface TargetLock {
  target: string;
  owner: string;
  expiresAt: Date;
}

/** Timeline events and effects of an incident, stored with a step's change. */
export interface TimelineRecord {
  incidentId: number;
  events: NewEvent[];
  effects: NewEffect[];
}

export interface RunStore {
  /** Stores the run and its steps (all pending). */
  createRun(input: NewRun, at: Date): Promise<Run>;
  getRun(id: number): Promise<Run | undefined>;
  listRuns(filter?: { incidentId?: number; limit?: number }): Promise<Run[]>;
  setRunState(id: number, state: RunState): Promise<void>;
  steps(runId: number): Promise<StepRun[]>;
  getStep(runId: number, stepId: string): Promise<StepRun | undefined>;
  /** The encrypted secret values stored with the run (NewRun.sealedSecrets), or null. */
  sealedSecrets(runId: number): Promise<string | null>;
  /**
   * Atomically: if the step is in `expected`, move it to running, count an attempt and store the
   * attempt's start. Returns the attempt, or null when the step was not in `expected` (someone else
   * claimed it first: two clicks, one execution).
   */
  claimStep(runId: number, stepId: string, expected: StepState, attempt: AttemptStart, record?: TimelineRecord): Promise<Attempt | null>;
  /** Atomically ends a running attempt: the step leaves `running` and the attempt gets its result. */
  finishAttempt(runId: number, stepId: string, number: number, result: AttemptResult): Promise<boolean>;
  /**
   * Compare-and-set of a step's state (skip, retry); `skipped` records who skipped it and why
   * (cleared by any other move); `record` (timeline events, effects) is stored in the same
   * transaction. False, nothing written, when the step was not in `from`.
   */
  moveStep(runId: number, stepId: string, from: StepState, to: StepState, at: Date, skipped?: StepSkip, record?: TimelineRecord): Promise<boolean>;
  attempts(runId: number, stepId?: string): Promise<Attempt[]>;
  /** Takes the lock if it is free, expired or already ours. */
  acquireLock(target: string, owner: string, expiresAt: Date, now: Date): Promise<boolean>;
  releaseLock(target: string, owner: string): Promise<void>;
  getLock(target: string): Promise<TargetLock | undefined>;
  /** Says the engine process `instance` is alive until `aliveUntil`. */
  heartbeat(instance: string, aliveUntil: Date): Promise<void>;
  /**
   * Marks running steps interrupted (with their open attempts) and releases their locks: the ones
   * started by `instance` itself (in an earlier life), by no known instance, or by an instance
   * whose heartbeat lapsed before `at`. Steps of live processes are left alone. Returns the
   * steps it changed.
   */
  interruptRunning(at: Date, reason: string, instance: string): Promise<StepRun[]>;
}

export interface EscalationContext {
  runId: number;
  stepId: string;
  runbookId: string;
  incidentId: number | null;
  actor: string;
}

/** What became of an escalation: `paged` is true only when someone was paged (or a page was queued). */
export interface EscalationResult {
  message: string;
  ref?: string;
  paged?: boolean;
}

/** Takes an escalation request (PagerDuty, or by default a log line that pages nobody). */
export interface Escalator {
  escalate(to: string, reason: string, ctx: EscalationContext): Promise<EscalationResult>;
}

/** The default without a pager: writes the request to a log and says that nobody was paged. */
export class LoggingEscalator implements Escalator {
  constructor(private readonly log: (line: string) => void = (l) => console.error(l)) {}
  async escalate(to: string, reason: string, ctx: EscalationContext): Promise<EscalationResult> {
    const where = ctx.incidentId === null ? `run ${ctx.runId}` : `incident ${ctx.incidentId}, run ${ctx.runId}`;
    this.log(`escalation requested to ${to} by ${ctx.actor} (${where}, step ${ctx.stepId}), nobody paged: ${reason}`);
    return { message: `nobody was paged (no pager is configured): contact ${to} yourself — ${reason}`, paged: false };
  }
}
