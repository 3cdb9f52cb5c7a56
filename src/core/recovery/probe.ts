/**
 * Runs a read-only check of a run again, off the record: no attempt is stored and the step's state
 * does not change. The result says only whether it passed and why not (never the output).
 */
import { abortableSleep, executeStep } from '../runs/execute.js';
import { judge, readOnly } from '../runs/expect.js';
import { scrubTyped } from '../runs/known-secrets.js';
import { LoggingEscalator, type StepRun } from '../runs/ports.js';
import type { ResolvedStep, StepRunner } from '../runs/step-runner.js';

interface CheckResult {
  ok: boolean;
  reason: string | null;
}

export type CheckStep = (runId: number, step: StepRun, signal?: AbortSignal) => Promise<CheckResult>;

export interface ProbeDeps {
  runner: StepRunner;
  /** The step with its secret values back (RunEngine.unsealed). */
  unsealed: (runId: number, step: StepRun) => Promise<ResolvedStep>;
}

export function stepProbe(deps: ProbeDeps): CheckStep {
  return async (runId, stepRun, signal) => {
    if (!readOnly(stepRun.step)) return { ok: false, reason: 'not a read-only check' };
    let step: ResolvedStep;
    try {
      step = await deps.unsealed(runId, stepRun);
    } catch (e) {
      return { ok: false, reason: scrubTyped(e instanceof Error ? e.message : String(e)) };
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, step.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const outcome = await executeStep(step, { runner: deps.runner, escalator: new LoggingEscalator(() => {}), sleep: abortableSleep, abortGraceMs: 5000 }, {
        controller, cause: () => (timedOut ? { kind: 'timeout' } : controller.signal.aborted ? { kind: 'shutdown' } : null), onOutput: () => {},
        escalation: { runId, stepId: step.id, runbookId: '', incidentId: null, actor: 'opsroom' },
      });
      const verdict = judge(step, outcome);
      return { ok: verdict.state === 'succeeded', reason: verdict.reason === null ? null : scrubTyped(verdict.reason) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}
