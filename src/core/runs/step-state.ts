/**
 * The step-run state machine, as a table. A retry moves a finished-but-unsuccessful step back to
 * `pending`; the next `start` is a new attempt.
 */
import { z } from 'zod';
import { CodedError, ErrorCode } from '../errors.js';

export const STEP_STATES = ['pending', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'interrupted'] as const;
const StepStateSchema = z.enum(STEP_STATES);
export type StepState = z.infer<typeof StepStateSchema>;

export const STEP_EVENTS = ['start', 'succeed', 'fail', 'time_out', 'skip', 'interrupt', 'retry'] as const;
const StepEventSchema = z.enum(STEP_EVENTS);
export type StepEvent = z.infer<typeof StepEventSchema>;

/** state -> event -> next state. Anything missing is illegal. */
const STEP_TRANSITIONS: Readonly<Record<StepState, Readonly<Partial<Record<StepEvent, StepState>>>>> = {
  pending: { start: 'running', skip: 'skipped' },
  running: { succeed: 'succeeded', fail: 'failed', time_out: 'timed_out', interrupt: 'interrupted' },
  succeeded: {},
  failed: { retry: 'pending', skip: 'skipped' },
  timed_out: { retry: 'pending', skip: 'skipped' },
  interrupted: { retry: 'pending', skip: 'skipped' },
  skipped: {},
};

function canTransition(from: StepState, event: StepEvent): boolean {
  return STEP_TRANSITIONS[from][event] !== undefined;
}

/** The next state, or CodedError(illegal_transition). */
export function nextStepState(from: StepState, event: StepEvent): StepState {
  const to = STEP_TRANSITIONS[from][event];
  if (to === undefined) {
    throw new CodedError(ErrorCode.IllegalTransition, `A step that is ${from.replace('_', ' ')} cannot ${event.replace('_', ' ')}.`, { from, event });
  }
  return to;
}

/** States from which a retry is allowed. */
export const RETRYABLE_STATES: readonly StepState[] = (Object.keys(STEP_TRANSITIONS) as StepState[]).filter((s) => canTransition(s, 'retry'));
export const isUnsuccessful = (s: StepState): boolean => s === 'failed' || s === 'timed_out' || s === 'interrupted';

/** A run's overall state, derived from its steps. */
const RUN_STATES = ['pending', 'running', 'succeeded', 'failed', 'recovered'] as const;
const RunStateSchema = z.enum(RUN_STATES);
export type RunState = z.infer<typeof RunStateSchema>;

/** What the run state needs of a step beyond its state. */
export interface StepFacts {
  state: StepState;
  /** A remediation: it changes something (restart, a write, a dangerous step). */
  changes?: boolean;
  /** A check: read-only, it verifies. */
  checks?: boolean;
  /** Its `when:` is settled and does not hold: it will not run. */
  ruledOut?: boolean;
  /** Skipped after it had run (and not passed). */
  skippedAfterRunning?: boolean;
}

/**
 * running while a step runs; failed when a step did not succeed, except that a run whose failures
 * all come before a remediation that succeeded, followed by a check that passed (and nothing that
 * failed after it), is recovered; succeeded when every step succeeded or was skipped.
 */
export function deriveRunState(given: readonly (StepState | StepFacts)[]): RunState {
  const steps = given.map((s): StepFacts => (typeof s === 'string' ? { state: s } : s.ruledOut && s.state === 'pending' ? { ...s, state: 'skipped' } : s));
  const states = steps.map((s) => s.state);
  if (states.some((s) => s === 'running')) return 'running';
  if (states.some(isUnsuccessful)) {
    const fix = lastIndex(steps, (s) => s.changes === true && s.state === 'succeeded');
    const lastBad = lastIndex(steps, (s) => isUnsuccessful(s.state) || s.skippedAfterRunning === true);
    const verified = fix >= 0 && steps.slice(fix + 1).some((s) => s.checks && s.state === 'succeeded');
    return verified && lastBad < fix ? 'recovered' : 'failed';
  }
  if (states.every((s) => s === 'succeeded' || s === 'skipped')) return 'succeeded';
  return 'pending';
}

function lastIndex<T>(xs: readonly T[], p: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i])) return i;
  return -1;
}
