/** Keeps a run's stored state in step with its steps (derived, see deriveRunState). */
import type { RunEvents } from './events.js';
import type { RunStore } from './ports.js';
import { checkCondition, statesOf } from './conditions.js';
import { needsLock, readOnly } from './expect.js';
import { deriveRunState, type StepFacts } from './step-state.js';
import type { StepRun } from './ports.js';

export class RunStateTracker {
  private readonly chains = new Map<number, Promise<void>>();

  constructor(private readonly store: RunStore, private readonly events: RunEvents) {}

  /** Re-derives the run's state from its steps; serialised per run, never throws. */
  refresh(runId: number): Promise<void> {
    const prev = this.chains.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const [run, steps] = await Promise.all([this.store.getRun(runId), this.store.steps(runId)]);
      if (!run) return;
      const state = deriveRunState(stepFacts(steps));
      if (state === run.state) return;
      await this.store.setRunState(runId, state);
      this.events.emit({ type: 'run.state', runId, state });
    }).catch(() => undefined);
    this.chains.set(runId, next);
    void next.finally(() => {
      if (this.chains.get(runId) === next) this.chains.delete(runId);
    });
    return next;
  }
}

/**
 * Each step's state with what it is. A remediation acts on its target: a restart, stop or start, a
 * Kubernetes change, or a step marked dangerous. A check is read-only and can fail: an HTTP request
 * (its status), a Prometheus threshold, or a command whose output is checked. A step that ran and
 * was then skipped did not pass.
 */
function stepFacts(steps: readonly StepRun[]): StepFacts[] {
  const states = statesOf(steps);
  return steps.map((x) => {
    const check = x.step.when ? checkCondition(x.step.when, states) : undefined;
    const changes = needsLock(x.step) || (x.step.command.kind === 'manual' && x.step.danger);
    return {
      state: x.state, changes, checks: readOnly(x.step) && canFail(x.step), ruledOut: check ? check.settled && !check.holds : false,
      skippedAfterRunning: x.state === 'skipped' && x.attempts > 0,
    };
  });
}

/** A check that can fail: so its passing after a fix verifies the fix. */
function canFail(s: StepRun['step']): boolean {
  const c = s.command;
  if (c.kind === 'http') return c.prometheus ? c.prometheus.empty === 'fail' || c.prometheus.below !== undefined || c.prometheus.above !== undefined : true;
  const e = s.expect;
  return [e.outputContains, e.outputNotContains, e.outputMatches, e.outputNotMatches, e.outputEmpty].some((v) => v !== undefined);
}
