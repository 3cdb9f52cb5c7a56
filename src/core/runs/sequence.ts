/** Running several steps of a run in order: "Run diagnostics" (Slack) and "run all" (CLI). */
import { isCoded, ErrorCode } from '../errors.js';
import { checkCondition, statesOf } from './conditions.js';
import type { Confirmation } from './confirmation.js';
import type { StepContext, StepDriver, StepResult } from './step-context.js';
import { diagnosticPlan } from './expect.js';
import type { RunStore, StepRun } from './ports.js';

export interface DiagnosticsResult {
  results: StepResult[];
  /** Steps that were not pending any more when reached (run by someone else, skipped…). */
  passedOver: string[];
}

/**
 * Runs the steps of diagnosticPlan in order: read-only steps (core/runbooks/read-only.ts), never one
 * that changes anything, and none past a remediation that has not run. A failure does not stop the others.
 */
export async function runDiagnostics(engine: StepDriver, store: RunStore, runId: number, ctx: StepContext): Promise<DiagnosticsResult> {
  const results: StepResult[] = [];
  const passedOver: string[] = [];
  const steps = await store.steps(runId);
  const plan = new Set(diagnosticPlan(steps));
  for (const s of steps) {
    if (!plan.has(s.stepId)) continue;
    const fresh = await store.getStep(runId, s.stepId);
    if (fresh?.state !== 'pending') {
      passedOver.push(s.stepId);
      continue;
    }
    const cond = checkCondition(s.step.when, statesOf(await store.steps(runId)));
    if (!cond.holds) {
      // Settled: it will not run, so it is skipped; else its condition is not decided yet.
      if (cond.settled) await engine.skip(runId, s.stepId, ctx.actor, `not needed: ${cond.reason}`).catch(() => undefined);
      passedOver.push(s.stepId);
      continue;
    }
    try {
      results.push(await engine.runStep(runId, s.stepId, ctx));
    } catch (e) {
      if (!isCoded(e, ErrorCode.Conflict)) throw e;
      passedOver.push(s.stepId);
    }
  }
  return { results, passedOver };
}

/** The answer for a step about to run: run it (with a confirmation if dangerous), skip it, or stop. */
export type StepDecision = { action: 'run'; confirmation?: Confirmation } | { action: 'skip' } | { action: 'stop'; reason: string };

export interface RunAllOptions extends StepContext {
  /** Asked before every dangerous step; without it, dangerous steps stop the run. */
  decide?: (step: StepRun) => Promise<StepDecision>;
  /** Run only these steps (in run order). */
  only?: string[];
  /** Called before each step starts (the CLI prints a header). */
  onStep?: (step: StepRun) => void;
  /** Once aborted, no further step starts (Ctrl-C); the running one is the caller's to stop. */
  signal?: AbortSignal;
}

export interface RunAllResult {
  results: StepResult[];
  skipped: string[];
  /** Set when the run stopped early: on a failure with on_failure stop, or a refused dangerous step. */
  stopped: { stepId: string; reason: string } | null;
  /** True when every step that ran succeeded and nothing was refused. */
  ok: boolean;
}

/** Runs the pending steps in order, following each step's on_failure (stop, continue, goto). */
export async function runAll(engine: StepDriver, store: RunStore, runId: number, options: RunAllOptions): Promise<RunAllResult> {
  const steps = await store.steps(runId);
  const index = new Map(steps.map((s, i) => [s.stepId, i]));
  const results: StepResult[] = [];
  const skipped: string[] = [];
  let stopped: RunAllResult['stopped'] = null;
  let i = 0;
  const visited = new Set<number>();
  while (i < steps.length) {
    const s = steps[i];
    if (options.signal?.aborted) {
      stopped = { stepId: s.stepId, reason: 'stopped before this step' };
      break;
    }
    if (visited.has(i) || (options.only && !options.only.includes(s.stepId))) {
      i++;
      continue;
    }
    visited.add(i);
    const fresh = await store.getStep(runId, s.stepId);
    if (fresh?.state !== 'pending') {
      i++;
      continue;
    }
    const cond = checkCondition(s.step.when, statesOf(await store.steps(runId)));
    if (!cond.holds) {
      await engine.skip(runId, s.stepId, options.actor, `not needed: ${cond.reason}`);
      skipped.push(s.stepId);
      i++;
      continue;
    }
    let ctx: StepContext = options;
    if (s.step.danger) {
      const d: StepDecision = options.decide ? await options.decide(fresh) : { action: 'stop', reason: `step ${s.stepId} is dangerous and was not confirmed` };
      if (d.action === 'stop') {
        stopped = { stepId: s.stepId, reason: d.reason };
        break;
      }
      if (d.action === 'skip') {
        await engine.skip(runId, s.stepId, options.actor);
        skipped.push(s.stepId);
        i++;
        continue;
      }
      ctx = { ...options, confirmation: d.confirmation };
    }
    options.onStep?.(fresh);
    const r = await engine.runStep(runId, s.stepId, ctx);
    results.push(r);
    if (r.state === 'succeeded') {
      i++;
      continue;
    }
    const f = s.step.onFailure;
    // Interrupted (shutdown, Ctrl-C): nothing more runs, whatever on_failure says.
    if (r.state === 'interrupted') {
      stopped = { stepId: s.stepId, reason: r.reason ?? 'interrupted' };
      break;
    }
    if (f.action === 'continue') i++;
    else if (f.action === 'goto' && index.has(f.step)) {
      const target = index.get(f.step) as number;
      // Steps jumped over will not run in this pass.
      for (let j = i + 1; j < target; j++) {
        if ((await store.getStep(runId, steps[j].stepId))?.state !== 'pending') continue;
        await engine.skip(runId, steps[j].stepId, options.actor);
        skipped.push(steps[j].stepId);
      }
      i = target;
    } else {
      stopped = { stepId: s.stepId, reason: r.reason ?? r.state };
      break;
    }
  }
  const ok = stopped === null ? results.every((r) => r.state === 'succeeded') : false;
  return { results, skipped, stopped, ok };
}
