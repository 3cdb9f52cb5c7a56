/** What the engine tells watchers (the Slack card, live output, the CLI). */
import type { CapturedOutput } from './output.js';
import type { Run } from './ports.js';
import type { RunState, StepState } from './step-state.js';

/** How an attempt ended: the engine's result and the `step.finished` event share it. */
export interface StepFinish {
  runId: number;
  stepId: string;
  attempt: number;
  state: 'succeeded' | 'failed' | 'timed_out' | 'interrupted';
  exitCode: number | null;
  durationMs: number;
  reason: string | null;
  output: CapturedOutput;
  /** Steps with `retry`: how many tries it took. */
  tries?: number;
}

export type RunEvent =
  | { type: 'run.created'; run: Run }
  | { type: 'run.state'; runId: number; state: RunState }
  | { type: 'step.started'; runId: number; stepId: string; attempt: number; actor: string; target: string; command: string; at: Date }
  /** Redacted output as it arrives. */
  | { type: 'step.output'; runId: number; stepId: string; attempt: number; chunk: string }
  | ({ type: 'step.finished' } & StepFinish)
  /** A try of a step with `retry` failed; the next one follows after the pause. */
  | { type: 'step.retrying'; runId: number; stepId: string; attempt: number; try: number; of: number; reason: string | null }
  /** Skipped, or marked interrupted at start-up. */
  | { type: 'step.changed'; runId: number; stepId: string; state: StepState; actor: string; reason?: string | null };

export type RunListener = (event: RunEvent) => void;

export class RunEvents {
  private readonly listeners = new Set<{ fn: RunListener; runId?: number }>();

  /** Every event, or only one run's. Returns the unsubscribe function. */
  subscribe(fn: RunListener, filter: { runId?: number } = {}): () => void {
    const entry = { fn, runId: filter.runId };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(event: RunEvent): void {
    const runId = event.type === 'run.created' ? event.run.id : event.runId;
    for (const l of this.listeners) {
      if (l.runId !== undefined && l.runId !== runId) continue;
      try {
        l.fn(event);
      } catch {
        // A watcher's failure never disturbs a run.
      }
    }
  }
}
