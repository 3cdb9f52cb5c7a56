/** Alert intake: each delivery decided on its group as stored, applied in one transaction. */
import { ErrorCode, isCoded } from '../errors.js';
import type { Clock } from '../ports.js';
import type { AlertBatch, AlertsConfig } from './alert.js';
import { decideDelivery, type AlertRouting } from './decide.js';
import type { AlertOutcome, AlertStore, GroupPlan, GroupSnapshot } from './ports.js';
import { decideQuiet } from './resolve.js';

export interface AlertIntakeDeps {
  store: AlertStore;
  clock: Clock;
  /** Systems' channels and severity names (opsroom.yml `systems`). */
  routing: AlertRouting;
  config: AlertsConfig;
  pagerEnabled: boolean;
  /** Ids of the runbooks opsroom knows (an alert may name one). */
  runbookIds: () => readonly string[];
  /** Called after every stored change, so effects are delivered without waiting for a poll. */
  onEffects?: () => void;
}

export interface AlertResult {
  outcome: AlertOutcome;
  incidentId: number | null;
}

export class AlertIntake {
  constructor(private readonly d: AlertIntakeDeps) {}

  receive(batch: AlertBatch): Promise<AlertResult> {
    return this.locked(batch.source, batch.groupKey, (s, now) => decideDelivery(s, batch, {
      now, routing: this.d.routing, config: this.d.config, pagerEnabled: this.d.pagerEnabled, runbookIds: this.d.runbookIds(),
    }));
  }

  /** Resolves the incidents of groups that stayed resolved for `quietMinutes` (onResolved: resolve). */
  async resolveQuiet(): Promise<number[]> {
    const done: number[] = [];
    for (const g of await this.d.store.dueQuiet(this.d.clock.now())) {
      const r = await this.locked(g.source, g.groupKey, (s, now) => decideQuiet(s, { now, config: this.d.config, pagerEnabled: this.d.pagerEnabled }, g.source));
      if (r.outcome === 'quiet-resolved' && r.incidentId !== null) done.push(r.incidentId);
    }
    return done;
  }

  /** The alert's runbook and labels for an incident an alert opened or joined. */
  forIncident(incidentId: number) {
    return this.d.store.forIncident(incidentId);
  }

  private async locked(source: AlertBatch['source'], key: string, decide: (s: GroupSnapshot, now: Date) => GroupPlan): Promise<AlertResult> {
    for (let attempt = 0; ; attempt++) {
      const now = this.d.clock.now();
      try {
        const { plan, incidentId } = await this.d.store.withGroup(source, key, now, (s) => decide(s, now));
        if (plan.open || plan.change?.effects.length) this.d.onEffects?.();
        return { outcome: plan.outcome, incidentId };
      } catch (e) {
        // A person changed the incident between the read and the write: decide again on fresh state.
        if (!isCoded(e, ErrorCode.Conflict) || attempt >= 4) throw e;
      }
    }
  }
}
