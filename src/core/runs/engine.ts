/**
 * The run engine: starts runs, runs, skips and retries steps, and tells watchers as things happen.
 * Every step runs under its own AbortController; nothing here waits on another run. Two claims of
 * the same step execute it once (store.claimStep), and a target lock keeps two runs from restarting
 * the same thing at once.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CodedError, ErrorCode } from '../errors.js';
import { systemClock, type Clock } from '../ports.js';
import { checkCondition, describeCondition, statesOf } from './conditions.js';
import { assertConfirmed, type Confirmation, confirmationRefs } from './confirmation.js';
import { RunEvents, type RunListener } from './events.js';
import { abortableSleep, type AbortCause, executeStep, runDeadlineMs as deadlineMs } from './execute.js';
import { judge, needsLock, targetKey } from './expect.js';
import { capOutput, type CapturedOutput, type OutputCapOptions, OutputPipe } from './output.js';
import { type Attempt, type Escalator, LoggingEscalator, type NewRun, type Run, type RunStore, type StepRun, type StepSkip, type TimelineRecord } from './ports.js';
import { knownSecrets, scrubDeep } from './known-secrets.js';
import { Redactor } from './redact.js';
import { isSealed, newSealedRun, seal, type SealedRun, SecretVault, unseal } from './sealing.js';
import { type DiagnosticsResult, runAll, type RunAllOptions, type RunAllResult, runDiagnostics } from './sequence.js';
import type { StepContext, StepResult } from './step-context.js';
import { describeCommand, type ResolvedStep, type StepRunner } from './step-runner.js';
import { RunStateTracker } from './run-state.js';
import { type StopRequestStore, stoppedReason, StopWatcher } from './stops.js';
import { nextStepState, RETRYABLE_STATES } from './step-state.js';

export type { StepContext, StepResult } from './step-context.js';

type StepAction = 'run' | 'retry' | 'skip';

/** Extra checks before anything happens (permissions, second approver); throw CodedError(forbidden) to deny. */
export type AuthorizeHook = (req: { action: StepAction; run: Run; step: StepRun; actor: string; confirmation?: Confirmation }) => Promise<void> | void;

export interface RunEngineDeps {
  store: RunStore;
  runner: StepRunner;
  escalator?: Escalator;
  clock?: Clock;
  /** Configured secret values, hidden in every output. */
  secrets?: readonly string[];
  /**
   * Key material for the run secrets kept across restarts (OPSROOM_SECRET_KEY); default: the
   * configured secrets. Without either, a run's secret parameters live in memory only.
   */
  secretKey?: string;
  authorize?: AuthorizeHook;
  outputCap?: OutputCapOptions;
  /** How long to wait for an aborted runner before giving up on it (default 5 s). */
  abortGraceMs?: number;
  /** Added to a step's deadline for its target lock's expiry (default 60 s). */
  lockSlackMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * Names this process in the store (default: the host name, stable across restarts). Replicas
   * sharing a host name need distinct ids. Recovery leaves steps of live instances alone.
   */
  instanceId?: string;
  /** How often a process running steps says it is alive (default 10 s; alive for three times that). */
  heartbeatMs?: number;
  /** Stored stop requests: a stop asked on any replica reaches the one running the step. */
  stops?: StopRequestStore;
  /** How often running steps are checked for stop requests (default 1 s). */
  stopPollMs?: number;
}

export interface StartedStep {
  attempt: Attempt;
  /** Settles when the step has finished; never rejects. */
  done: Promise<StepResult>;
}

interface InFlight {
  controller: AbortController;
  pipe: OutputPipe;
  cause: AbortCause | null;
  done: Promise<StepResult>;
  attempt: number;
  /** Set when a person stopped it: it ends as interrupted, "stopped by …". */
  stoppedBy?: string;
}

export class RunEngine {
  readonly events = new RunEvents();
  private readonly store: RunStore;
  private readonly clock: Clock;
  private readonly escalator: Escalator;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly runStates: RunStateTracker;
  /** Each run's secret values (the stored steps hold placeholders: sealing.ts). */
  private readonly sealedRuns = new Map<number, SealedRun>();
  private readonly vault: SecretVault;
  readonly instanceId: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly stops: StopWatcher;

  constructor(private readonly deps: RunEngineDeps) {
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.escalator = deps.escalator ?? new LoggingEscalator();
    this.instanceId = deps.instanceId ?? hostname();
    this.runStates = new RunStateTracker(this.store, this.events);
    this.stops = new StopWatcher(deps.stops, () => [...this.inFlight.entries()].filter(([, f]) => !f.controller.signal.aborted)
      .map(([k, f]) => ({ runId: Number(k.split('/')[0]), stepId: k.slice(k.indexOf('/') + 1), attempt: f.attempt, stop: (by: string) => this.stopFlight(f, by) })), deps.stopPollMs);
    this.vault = new SecretVault(deps.secretKey || (deps.secrets ?? []).join('\n') || undefined);
    knownSecrets.add(deps.secrets ?? []);
  }

  subscribe(listener: RunListener, filter: { runId?: number } = {}): () => void {
    return this.events.subscribe(listener, filter);
  }

  /**
   * Stores a new run (every step pending). `secrets` (values of secret parameters) and the
   * configured secrets are sealed out of the stored steps and hidden from the params; the values
   * are kept in memory and, with a key, encrypted beside the run, so a step still runs and is
   * still redacted after a restart.
   */
  async start(input: NewRun, options: { secrets?: readonly string[] } = {}): Promise<Run> {
    if (input.steps.length === 0) throw new CodedError(ErrorCode.BadInput, 'A run needs at least one step.');
    knownSecrets.add(options.secrets ?? []);
    const sealed = newSealedRun([...(options.secrets ?? []), ...(this.deps.secrets ?? [])]);
    const steps = seal(input.steps, sealed);
    const hide = new Redactor({ secrets: sealed.values });
    const stored: NewRun = {
      ...input, steps, params: scrubDeep(input.params, (t) => hide.redact(t)),
      sealedSecrets: isSealed(steps, sealed.nonce) ? this.vault.encrypt(sealed) : null,
    };
    const run = await this.store.createRun(stored, this.clock.now());
    this.sealedRuns.set(run.id, sealed);
    this.events.emit({ type: 'run.created', run });
    return run;
  }

  /** Runs a pending step and waits for it to finish. */
  async runStep(runId: number, stepId: string, ctx: StepContext): Promise<StepResult> {
    return (await this.startStep(runId, stepId, ctx)).done;
  }

  /** Retries a failed, timed-out or interrupted step (a new attempt) and waits for it. */
  async retry(runId: number, stepId: string, ctx: StepContext): Promise<StepResult> {
    return (await this.startStep(runId, stepId, ctx, 'retry')).done;
  }

  /**
   * Claims the step and starts it; resolves as soon as it is running (so a click can be answered
   * at once) with a `done` promise for the result. Throws CodedError: not_found, conflict (already
   * claimed, or target busy), illegal_transition, forbidden (dangerous without a valid confirmation).
   */
  async startStep(runId: number, stepId: string, ctx: StepContext, action: 'run' | 'retry' = 'run'): Promise<StartedStep> {
    const { run, step } = await this.load(runId, stepId);
    const from = step.state;
    if (action === 'run' && from !== 'pending') {
      const hint = RETRYABLE_STATES.includes(from) ? ' (use retry)' : '';
      throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is ${from.replace('_', ' ')}${hint}.`, { state: from });
    }
    if (action === 'retry') {
      if (from === 'running') throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is already running.`, { state: from });
      nextStepState(nextStepState(from, 'retry'), 'start');
    } else nextStepState(from, 'start');
    const when = step.step.when;
    if (when) {
      const c = checkCondition(when, statesOf(await this.store.steps(runId)));
      if (!c.holds) throw new CodedError(ErrorCode.Conflict, `Step ${stepId} ${describeCondition(when)}: ${c.reason}.`, { state: from, condition: c.reason });
    }
    assertConfirmed(run.id, step, ctx.confirmation);
    await this.deps.authorize?.({ action, run, step, actor: ctx.actor, confirmation: ctx.confirmation });
    const plain = await this.unsealed(run.id, step);

    const s = step.step;
    const target = targetKey(s.command);
    let lockOwner: string | null = null;
    if (needsLock(s)) {
      lockOwner = `run:${runId}/${stepId}/${randomUUID()}`;
      const now = this.clock.now();
      const until = new Date(now.getTime() + deadlineMs(s) + (this.deps.lockSlackMs ?? 60_000));
      if (!(await this.store.acquireLock(target, lockOwner, until, now))) {
        const held = await this.store.getLock(target);
        const by = held?.owner.match(/^run:(\d+)\/([^/]+)\//);
        if (by && Number(by[1]) === runId && by[2] === stepId) throw new CodedError(ErrorCode.Conflict, `Step ${stepId} was already started by someone else.`);
        throw new CodedError(ErrorCode.Conflict, `${target} is busy${by ? ` (run ${by[1]}, step ${by[2]})` : ''}; try again when it finishes.`, { target });
      }
    }
    await this.keepAlive();
    const release = async (): Promise<void> => {
      if (lockOwner) await this.store.releaseLock(target, lockOwner);
    };
    const attempt = await this.store.claimStep(runId, stepId, from, {
      // The command text is shown and stored: secrets in it are hidden too.
      actor: ctx.actor, startedAt: this.clock.now(), target, command: this.redactorFor(runId, s, ctx).redact(describeCommand(s.command)),
      approvalRefs: ctx.confirmation && s.danger ? confirmationRefs(ctx.confirmation) : [], lockOwner, instance: this.instanceId,
    }, ctx.record).catch(async (e: unknown) => {
      await release().catch(() => undefined);
      throw e;
    });
    if (!attempt) {
      await release();
      throw new CodedError(ErrorCode.Conflict, `Step ${stepId} was already started by someone else.`);
    }
    const done = this.execute(run, { ...step, step: plain }, attempt, ctx);
    return { attempt, done };
  }

  /** "Run diagnostics": every pending non-dangerous check, in order (see sequence.ts). */
  runDiagnostics(runId: number, ctx: StepContext): Promise<DiagnosticsResult> {
    return runDiagnostics(this, this.store, runId, ctx);
  }

  /** Every pending step in order, following on_failure; dangerous ones go through `decide`. */
  runAll(runId: number, options: RunAllOptions): Promise<RunAllResult> {
    return runAll(this, this.store, runId, options);
  }

  /** Skips a pending, failed, timed-out or interrupted step; who and why stay on the step. */
  /** Skips a step; `record` gives the timeline events stored with the move, in one transaction. */
  async skip(runId: number, stepId: string, actor: string, reason: string | null = null, record?: (skipped: StepSkip) => TimelineRecord | undefined): Promise<StepRun> {
    const { run, step } = await this.load(runId, stepId);
    const to = nextStepState(step.state, 'skip');
    await this.deps.authorize?.({ action: 'skip', run, step, actor });
    const skipped = { by: actor, reason: reason?.trim().slice(0, 300) || null };
    if (!(await this.store.moveStep(runId, stepId, step.state, to, this.clock.now(), skipped, record?.(skipped)))) {
      throw new CodedError(ErrorCode.Conflict, `Step ${stepId} changed meanwhile; look again.`);
    }
    this.events.emit({ type: 'step.changed', runId, stepId, state: to, actor, ...(reason ? { reason } : {}) });
    await this.runStates.refresh(runId);
    return { ...step, state: to, skipped };
  }

  /** Stops a running step; it ends as failed ("cancelled by …"). False when it was not running here. */
  cancel(runId: number, stepId: string, actor: string): boolean {
    const f = this.inFlight.get(`${runId}/${stepId}`);
    if (!f || f.controller.signal.aborted) return false;
    f.cause = { kind: 'cancel', by: actor };
    f.controller.abort();
    return true;
  }

  /**
   * Asks to stop a running step, wherever it runs: the request is stored and the process running
   * it aborts it within a poll (at once when that is this one). Throws conflict when it is not running.
   */
  async requestStop(runId: number, stepId: string, by: string, expected?: number): Promise<{ attempt: number }> {
    const { step } = await this.load(runId, stepId);
    if (step.state !== 'running' || (expected !== undefined && step.attempts !== expected)) throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is ${step.state.replace('_', ' ')}, not running.`, { state: step.state });
    const attempt = step.attempts;
    if (this.deps.stops) await this.deps.stops.requestStop({ runId, stepId, attempt, requestedBy: by, requestedAt: this.clock.now() });
    const f = this.inFlight.get(`${runId}/${stepId}`);
    if (f?.attempt === attempt) this.stopFlight(f, by);
    else if (!this.deps.stops) throw new CodedError(ErrorCode.Conflict, `Step ${stepId} is not running in this process.`);
    return { attempt };
  }

  /** Aborts this process's running steps that someone asked to stop (the poll does this every second). */
  checkStops(): Promise<void> {
    return this.stops.check();
  }

  private stopFlight(f: InFlight, by: string): void {
    if (f.controller.signal.aborted) return;
    f.stoppedBy = by;
    f.cause = { kind: 'cancel', by };
    f.controller.abort();
  }

  /** Aborts every running step; they end as interrupted. Waits for them (bounded by the grace). */
  async close(): Promise<void> {
    this.stops.close();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const all = [...this.inFlight.values()];
    for (const f of all) {
      if (f.controller.signal.aborted) continue;
      f.cause = { kind: 'shutdown' };
      f.controller.abort();
    }
    await Promise.all(all.map((f) => f.done));
  }

  /**
   * At start-up, before this process runs anything: every step left running by this instance's
   * previous life or by an instance that stopped saying it is alive is marked interrupted (and its
   * lock released). Nothing is re-run; a person retries or skips. With replicas, call
   * `recoverDeadInstances()` now and then instead: this one would take this process's own live steps.
   */
  async recoverInterrupted(): Promise<StepRun[]> {
    return this.interruptOrphans(this.instanceId);
  }

  /** Marks interrupted only the running steps of other instances whose heartbeat lapsed (never this process's). */
  async recoverDeadInstances(): Promise<StepRun[]> {
    return this.interruptOrphans('');
  }

  private async interruptOrphans(ownInstance: string): Promise<StepRun[]> {
    const changed = await this.store.interruptRunning(this.clock.now(), 'interrupted: opsroom stopped while the step was running', ownInstance);
    for (const s of changed) this.events.emit({ type: 'step.changed', runId: s.runId, stepId: s.stepId, state: 'interrupted', actor: 'opsroom' });
    for (const runId of new Set(changed.map((s) => s.runId))) await this.runStates.refresh(runId);
    return changed;
  }

  /** The (redacted, capped) output so far of a step running in this process, for late watchers. */
  liveOutput(runId: number, stepId: string): CapturedOutput | undefined {
    return this.inFlight.get(`${runId}/${stepId}`)?.pipe.capture.result();
  }

  /** Whether a step is executing in this process. */
  isRunningHere(runId: number, stepId: string): boolean {
    return this.inFlight.has(`${runId}/${stepId}`);
  }

  /** Starts saying "alive" (before the first claim) and keeps saying it until close(). */
  private async keepAlive(): Promise<void> {
    if (this.heartbeat) return;
    const every = this.deps.heartbeatMs ?? 10_000;
    const beat = () => this.store.heartbeat(this.instanceId, new Date(this.clock.now().getTime() + 3 * every));
    await beat();
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void beat().catch(() => undefined), every);
    this.heartbeat.unref();
  }

  private async load(runId: number, stepId: string): Promise<{ run: Run; step: StepRun }> {
    const run = await this.store.getRun(runId);
    if (!run) throw new CodedError(ErrorCode.NotFound, `There is no run ${runId}.`);
    const step = await this.store.getStep(runId, stepId);
    if (!step) throw new CodedError(ErrorCode.NotFound, `Run ${runId} has no step ${stepId}.`);
    return { run, step };
  }

  private async execute(run: Run, stepRun: StepRun, attempt: Attempt, ctx: StepContext): Promise<StepResult> {
    const s = stepRun.step;
    const key = `${run.id}/${s.id}`;
    const controller = new AbortController();
    const base = { runId: run.id, stepId: s.id, attempt: attempt.number };
    const redactor = this.redactorFor(run.id, s, ctx);
    const pipe = new OutputPipe(redactor.stream(), this.deps.outputCap);
    const flight: InFlight = { controller, pipe, cause: null, done: undefined as unknown as Promise<StepResult>, attempt: attempt.number };
    pipe.listen((chunk) => this.events.emit({ type: 'step.output', ...base, chunk }));
    const timer = setTimeout(() => {
      if (controller.signal.aborted) return;
      flight.cause = { kind: 'timeout' };
      controller.abort();
    }, deadlineMs(s));

    const work = async (): Promise<StepResult> => {
      this.events.emit({ type: 'step.started', ...base, actor: ctx.actor, target: attempt.target, command: attempt.command, at: attempt.startedAt });
      await this.runStates.refresh(run.id);
      const t0 = performance.now();
      const { outcome, verdict, tries } = await this.tryStep(s, pipe, controller, flight, ctx, run, base);
      clearTimeout(timer);
      const durationMs = Math.round(performance.now() - t0);
      pipe.end();
      // One try: its whole output; several: what went down the pipe (every try, with the notes between).
      const output = tries === 1 && outcome.output ? capOutput(redactor.redact(outcome.output), this.deps.outputCap) : pipe.capture.result();
      const state = flight.cause?.kind === 'shutdown' || flight.stoppedBy ? 'interrupted' : verdict.state;
      const why = verdict.reason === null ? null : redactor.redact(tries > 1 ? `after ${tries} tries: ${verdict.reason}` : verdict.reason);
      const reason = flight.stoppedBy ? stoppedReason(flight.stoppedBy) : why;
      await this.store.finishAttempt(run.id, s.id, attempt.number, {
        state, finishedAt: this.clock.now(), exitCode: outcome.exitCode, durationMs, output: output.text,
        outputDroppedBytes: output.droppedBytes, error: reason,
      });
      if (attempt.lockOwner) await this.store.releaseLock(attempt.target, attempt.lockOwner);
      const more = s.retry ? { tries } : {};
      const result: StepResult = { ...base, state, exitCode: outcome.exitCode, durationMs, reason, target: attempt.target, command: attempt.command, output, ...more };
      this.events.emit({ type: 'step.finished', ...base, state, exitCode: outcome.exitCode, durationMs, reason, output, ...more });
      await this.runStates.refresh(run.id);
      return result;
    };
    flight.done = work().catch((e: unknown) => this.crashed(run.id, s.id, attempt, e)).finally(() => {
      clearTimeout(timer);
      this.inFlight.delete(key);
    });
    this.inFlight.set(key, flight);
    this.stops.watch();
    return flight.done;
  }

  /** Runs the step, and again while its check fails and `retry` allows (pausing `every` between). */
  private async tryStep(s: ResolvedStep, pipe: OutputPipe, controller: AbortController, flight: InFlight, ctx: StepContext, run: Run, base: { runId: number; stepId: string; attempt: number }) {
    const sleep = this.deps.sleep ?? abortableSleep;
    const attempts = s.retry?.attempts ?? 1;
    for (let tries = 1; ; tries++) {
      const before = pipe.rawChars;
      const outcome = await executeStep(s, { runner: this.deps.runner, escalator: this.escalator, sleep, abortGraceMs: this.deps.abortGraceMs ?? 5000 }, {
        controller, cause: () => flight.cause, onOutput: (c) => pipe.write(c), confirmManual: ctx.confirmManual,
        escalation: { runId: run.id, stepId: s.id, runbookId: run.runbookId, incidentId: run.incidentId, actor: ctx.actor },
      });
      // A runner that does not stream: its output goes down the pipe once it is done.
      if (pipe.rawChars === before && outcome.output) pipe.write(outcome.output);
      const verdict = judge(s, outcome);
      if (verdict.state === 'succeeded' || tries >= attempts || controller.signal.aborted) return { outcome, verdict, tries };
      const every = s.retry?.everyMs ?? 0;
      pipe.write(`\n— try ${tries} of ${attempts} ${verdict.state.replace('_', ' ')}: ${verdict.reason ?? ''}; trying again in ${formatPause(every)} —\n`);
      this.events.emit({ type: 'step.retrying', ...base, try: tries, of: attempts, reason: verdict.reason });
      await sleep(every, controller.signal);
      if (controller.signal.aborted) return { outcome, verdict, tries };
    }
  }

  private redactorFor(runId: number, s: ResolvedStep, ctx: StepContext): Redactor {
    const secrets = [...(this.deps.secrets ?? []), ...(this.sealedRuns.get(runId)?.values ?? []), ...(ctx.secrets ?? [])];
    return new Redactor({ secrets, strict: s.redact });
  }

  /**
   * The step as it must run: placeholders back to the secret values, from memory or (after a
   * restart) decrypted from the store. Throws conflict when they were not kept.
   */
  async unsealed(runId: number, step: StepRun): Promise<ResolvedStep> {
    if (!isSealed(step.step)) return step.step;
    let sealed = this.sealedRuns.get(runId);
    if (!sealed) {
      sealed = this.vault.decrypt(await this.store.sealedSecrets(runId)) ?? undefined;
      if (sealed) {
        this.sealedRuns.set(runId, sealed);
        knownSecrets.add(sealed.values);
      }
    }
    if (!sealed) {
      const why = this.vault.enabled ? 'cannot be read with the current key' : 'were kept in memory only (set OPSROOM_SECRET_KEY to keep them)';
      throw new CodedError(ErrorCode.Conflict, `Step ${step.stepId} needs run ${runId}'s secret values, which ${why}; start the runbook again.`);
    }
    return unseal(step.step, sealed);
  }

  /** The store failed while finishing: report it as a failure of this attempt. */
  private crashed(runId: number, stepId: string, attempt: Attempt, e: unknown): StepResult {
    const reason = new Redactor({ secrets: [...(this.deps.secrets ?? []), ...(this.sealedRuns.get(runId)?.values ?? [])] })
      .redact(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    return { runId, stepId, attempt: attempt.number, state: 'failed', exitCode: null, durationMs: 0, reason, target: attempt.target, command: attempt.command, output: capOutput('') };
  }
}

const formatPause = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
