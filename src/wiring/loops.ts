/**
 * Background work (part of the composition root): the dispatcher's poll, the loops one replica at
 * a time runs (claimed through a lease), the schedules every replica ticks, and the recovery of
 * steps a dead replica left running.
 */
import type { FileConfig } from '#config/file.js';
import type { AlertIntake } from '#core/alerts/intake.js';
import type { EffectDispatcher } from '#core/dispatcher.js';
import type { HandoffService } from '#core/handoffs/service.js';
import { announceMissedResponses } from '#core/incidents/response-due.js';
import type { IncidentService } from '#core/incidents/service.js';
import type { Clock, IncidentStore } from '#core/ports.js';
import type { Severity } from '#core/incidents/severity.js';
import type { Logger } from '#src/log.js';
import { LeasedLoop } from '#ops/index.js';
import type { KyselyLeases } from '#store/index.js';
import type { createRecovery } from './recovery.js';
import type { RemediationWiring } from './remediation.js';
import type { RoutinesWiring } from './routines.js';
import type { VerifyWiring } from './verify.js';

export interface LoopsSetup {
  file: FileConfig;
  owner: string;
  leases: KyselyLeases;
  clock: Clock;
  log: Logger;
  severities: readonly Severity[];
  store: IncidentStore;
  dispatcher: EffectDispatcher;
  incidents: IncidentService;
  handoffs: HandoffService;
  runs: RemediationWiring;
  alerts: { intake: AlertIntake; enabled: boolean };
  recovery: ReturnType<typeof createRecovery>;
  routines: RoutinesWiring;
  verify: VerifyWiring;
  /** How often replicas try the reminder lease (default 30 s) and the recovery lease (default 15 s). */
  reminderEveryMs?: number;
  recoveryEveryMs?: number;
}

/** Starts the background work; `halt` stops the recovery timer, `close` the leased loops (routines and verify close themselves). */
export function startLoops(o: LoopsSetup) {
  o.dispatcher.start();
  const loop = (name: string, everyMs: number, run: () => Promise<unknown>, failed: string, ttlMs?: number) =>
    new LeasedLoop({ name, owner: o.owner, leases: o.leases, clock: o.clock, everyMs, ttlMs, run, onError: (e) => o.log.error({ error: String(e) }, failed) });
  const loops = [
    loop('reminders', o.reminderEveryMs ?? 30_000, async () => {
      await o.incidents.remindDue();
      await announceMissedResponses({ store: o.store, clock: o.clock, severities: o.severities, onEffects: () => void o.dispatcher.kick() });
    }, 'reminders failed'),
    loop('handoffs', 30_000, () => o.handoffs.tick(), 'handoff schedule failed'),
    loop('approval-expiry', 30_000, () => o.runs.remediation.expireDue(), 'approval expiry failed'),
    ...(o.alerts.enabled && o.file.alerts.onResolved === 'resolve'
      ? [loop('alert-quiet', 30_000, () => o.alerts.intake.resolveQuiet(), 'resolving quiet alert incidents failed')] : []),
    loop('recovery', o.recoveryEveryMs ?? 15_000, () => o.recovery.tick(), 'recovery checks failed', 2 * 60_000),
  ];
  loops.forEach((l) => l.start());
  // Every replica ticks; each due slot is claimed once in the database (wiring/routines.ts).
  o.routines.start();
  o.verify.start();
  // Steps left running by a replica that died (its heartbeat lapsed) are marked interrupted.
  const recover = setInterval(() => void o.runs.engine.recoverDeadInstances().catch((e) => o.log.error({ error: String(e) }, 'recovering interrupted steps failed')), 30_000);
  recover.unref();
  return {
    halt(): void {
      clearInterval(recover);
    },
    async close(): Promise<void> {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
