/** Keeps a run's stored state in step with its steps (derived, see deriveRunState). */
import type { RunEvents } from './events.js';
import type { RunStore } from './ports.js';
import { deriveRunState } from './step-state.js';

export class RunStateTracker {
  private readonly chains = new Map<number, Promise<void>>();

  constructor(private readonly store: RunStore, private readonly events: RunEvents) {}

  /** Re-derives the run's state from its steps; serialised per run, never throws. */
  refresh(runId: number): Promise<void> {
    const prev = this.chains.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const [run, steps] = await Promise.all([this.store.getRun(runId), this.store.steps(runId)]);
      if (!run) return;
      const state = deriveRunState(steps.map((x) => x.state));
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
