/**
 * Wiring of verified recovery: the store of watches, the probe that runs a check off the record,
 * and the engine's step.finished events (seen only by the replica that ran the step) starting a watch.
 */
import type { FileConfig } from '#config/file.js';
import type { Incident } from '#core/incidents/incident.js';
import type { Clock, IncidentStore } from '#core/ports.js';
import { stepProbe } from '#core/recovery/probe.js';
import { RecoveryService } from '#core/recovery/service.js';
import type { RunEngine } from '#core/runs/engine.js';
import type { RunStore } from '#core/runs/ports.js';
import type { StepRunner } from '#core/runs/step-runner.js';
import type { Logger } from '#src/log.js';
import type { Database } from '#store/db.js';
import { KyselyRecoveryStore } from '#store/recovery.js';

export interface RecoverySetup {
  file: FileConfig;
  database: Database;
  store: IncidentStore;
  runs: RunStore;
  engine: RunEngine;
  runner: StepRunner;
  clock: Clock;
  changed?: (before: Incident, after: Incident) => void;
  kick?: () => void;
  log: Logger;
}

export function createRecovery(o: RecoverySetup) {
  const watches = new KyselyRecoveryStore(o.database);
  const service = new RecoveryService({
    watches, runs: o.runs, incidents: o.store, clock: o.clock, settings: o.file.recovery, changed: o.changed, onEffects: o.kick,
    check: stepProbe({ runner: o.runner, unsealed: (runId, step) => o.engine.unsealed(runId, step) }),
  });
  const stopping = new AbortController();
  const off = o.engine.subscribe((e) => {
    if (e.type !== 'step.finished' || e.state !== 'succeeded') return;
    void service.remediated(e.runId, e.stepId, { attempt: e.attempt }).catch((err) => o.log.warn({ runId: e.runId, stepId: e.stepId, error: String(err) }, 'recovery watch not started'));
  });
  return {
    service, watches,
    /** One round of the due watches (the leased loop calls it). */
    tick: () => service.tick(stopping.signal),
    close(): void {
      off();
      stopping.abort();
    },
  };
}
