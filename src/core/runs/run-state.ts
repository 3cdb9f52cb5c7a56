/** Keeps a run's stored state in step with its steps (derived, see deriveRunState). */
import type { RunEvents } from './events.js';
import type { RunStore } from './ports.js';
import { checkCondition, statesOf } from './conditions.js';
import { readOnly } from './expect.js';
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

/** Each step's state with what it is: a remediation, a check, or ruled out by its `when:`. */
export function stepFacts(steps: readonly StepRun[]): StepFacts[] {
  const states = statesOf(steps);
  return steps.map((x) => {
    const c = x.step.command.kind;
    const check = x.step.when ? checkCondition(x.step.when, states) : undefined;
    const changes = !readOnly(x.step) && (c === 'docker' || c === 'ssh' || c === 'http' || c === 'kubernetes' || (c === 'manual' && x.step.danger));
    return { state: x.state, changes, checks: readOnly(x.step), ruledOut: check ? check.settled && !check.holds : false };
  });
}
