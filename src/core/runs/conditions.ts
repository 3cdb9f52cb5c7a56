/** `when:` conditions: a step runs only when earlier steps ended as it says. */
import type { StepCondition } from './step-runner.js';
import type { StepState } from './step-state.js';

export type StateOf = (stepId: string) => StepState | undefined;

/** What a state means for a condition: timed out counts as failed. */
const outcomeOf = (s: StepState | undefined): 'failed' | 'succeeded' | 'skipped' | 'unsettled' | 'interrupted' =>
  s === 'failed' || s === 'timed_out' ? 'failed' : s === 'succeeded' ? 'succeeded' : s === 'skipped' ? 'skipped'
    : s === 'interrupted' ? 'interrupted' : 'unsettled';

const HOW: Record<ReturnType<typeof outcomeOf>, string> = {
  failed: 'failed', succeeded: 'succeeded', skipped: 'was skipped', interrupted: 'was interrupted', unsettled: 'has not finished',
};

function wants(when: StepCondition): [string, 'failed' | 'succeeded'][] {
  return [...(when.failed ?? []).map((id) => [id, 'failed'] as [string, 'failed']), ...(when.succeeded ?? []).map((id) => [id, 'succeeded'] as [string, 'succeeded'])];
}

export interface ConditionCheck {
  holds: boolean;
  /** Every step it names has finished: the answer will not change unless one is retried. */
  settled: boolean;
  /** Why it does not hold ("restart succeeded"); null when it holds. */
  reason: string | null;
}

/** Whether the condition holds for the steps' current states. No condition always holds. */
export function checkCondition(when: StepCondition | undefined, stateOf: StateOf): ConditionCheck {
  if (!when) return { holds: true, settled: true, reason: null };
  const misses: string[] = [];
  let settled = true;
  for (const [id, want] of wants(when)) {
    const got = outcomeOf(stateOf(id));
    if (got === 'unsettled') settled = false;
    if (got !== want) misses.push(`${id} ${HOW[got]}`);
  }
  return { holds: misses.length === 0, settled, reason: misses.length ? misses.join(', ') : null };
}

/** "runs only if restart failed": what the condition asks, for refusals. */
export function describeCondition(when: StepCondition): string {
  const parts = [
    ...(when.failed?.length ? [`${when.failed.join(' and ')} failed`] : []),
    ...(when.succeeded?.length ? [`${when.succeeded.join(' and ')} succeeded`] : []),
  ];
  return `runs only if ${parts.join(' and ')}`;
}

/** Step states by id, for checkCondition. */
export const statesOf = (steps: readonly { stepId: string; state: StepState }[]): StateOf => {
  const m = new Map(steps.map((s) => [s.stepId, s.state]));
  return (id) => m.get(id);
};
