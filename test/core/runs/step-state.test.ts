import { describe, expect, it } from 'vitest';
import { isCoded } from '#core/errors.js';
import { deriveRunState, nextStepState, STEP_EVENTS, STEP_STATES, type StepEvent, type StepState } from '#core/runs/step-state.js';

// Written out independently of the table under test.
const LEGAL: Record<string, StepState> = {
  'pending:start': 'running',
  'pending:skip': 'skipped',
  'running:succeed': 'succeeded',
  'running:fail': 'failed',
  'running:time_out': 'timed_out',
  'running:interrupt': 'interrupted',
  'failed:retry': 'pending',
  'failed:skip': 'skipped',
  'timed_out:retry': 'pending',
  'timed_out:skip': 'skipped',
  'interrupted:retry': 'pending',
  'interrupted:skip': 'skipped',
};

describe('step state table', () => {
  const pairs = STEP_STATES.flatMap((s) => STEP_EVENTS.map((e) => [s, e] as [StepState, StepEvent]));

  it('covers all 49 moves', () => expect(pairs).toHaveLength(49));

  it.each(pairs)('%s + %s', (state, event) => {
    const want = LEGAL[`${state}:${event}`];
    if (want) {
      expect(nextStepState(state, event)).toBe(want);
    } else {
      let err: unknown;
      try {
        nextStepState(state, event);
      } catch (e) {
        err = e;
      }
      expect(isCoded(err, 'illegal_transition')).toBe(true);
    }
  });

  it('a retry becomes a new attempt: failed -> pending -> running', () => {
    expect(nextStepState(nextStepState('failed', 'retry'), 'start')).toBe('running');
  });

  it('derives the run state from its steps', () => {
    expect(deriveRunState(['pending', 'pending'])).toBe('pending');
    expect(deriveRunState(['succeeded', 'running'])).toBe('running');
    expect(deriveRunState(['succeeded', 'skipped'])).toBe('succeeded');
    expect(deriveRunState(['succeeded', 'timed_out', 'pending'])).toBe('failed');
    expect(deriveRunState(['interrupted'])).toBe('failed');
    expect(deriveRunState(['succeeded', 'pending'])).toBe('pending');
  });
});
