/**
 * Wiring of the scheduled verify (part of the composition root): every replica ticks; the due
 * time is claimed in schedule_slots (migration 013), so one replica verifies; each runbook's
 * freshness is kept in runbook_health (migration 015).
 */
import type { FileConfig } from '#config/file.js';
import type { Clock } from '#core/ports.js';
import { verifyRunbooks } from '#core/verify/check.js';
import { verifySchedule } from '#core/verify/config.js';
import { brokenBetween, type RunbookHealth, recordVerdicts, verdictsOf } from '#core/verify/freshness.js';
import { VerifyScheduler } from '#core/verify/scheduler.js';
import type { Logger } from '#src/log.js';
import type { Database } from '#store/db.js';
import { KyselySlotStore } from '#store/routines.js';
import type { KyselyHealthStore } from '#store/runbook-health.js';
import type { RemediationWiring } from './remediation.js';

export interface VerifySetup {
  file: FileConfig;
  database: Database;
  runs: RemediationWiring;
  clock: Clock;
  owner: string;
  env?: Record<string, string | undefined>;
  log: Logger;
  health: KyselyHealthStore;
}

/** Freshness of these runbooks, by id (absent: never verified). */
export const freshnessOf = (health: KyselyHealthStore) => async (runbookIds: readonly string[]): Promise<Map<string, RunbookHealth>> =>
  new Map((await health.get(runbookIds)).map((h) => [h.runbookId, h]));

export function createVerify(o: VerifySetup) {
  const { health } = o;
  const schedule = verifySchedule(o.file.verify, o.env ?? process.env);
  const verify = () => verifyRunbooks(o.runs.catalog(), o.runs.inventory, o.runs.runner, { secrets: o.runs.remediation.d.secrets });
  const scheduler = schedule && new VerifyScheduler({ schedule, slots: new KyselySlotStore(o.database), health, clock: o.clock, owner: o.owner, log: o.log, verify });
  let timer: NodeJS.Timeout | undefined;
  const tick = () => scheduler?.tick().catch((e) => o.log.warn({ error: String(e) }, 'scheduled verify failed'));
  return {
    health, scheduler,
    /** Verifies every runbook now and records the results (outside the schedule). */
    async runNow() {
      const report = await verify();
      await recordVerdicts(health, verdictsOf(report), o.clock.now());
      return report;
    },
    /** Runbooks that broke in (since, until] and are still broken, for the handoff. */
    async brokenBetween(since: Date, until: Date) {
      return brokenBetween(await health.all(), since, until);
    },
    freshness: freshnessOf(health),
    start(): void {
      if (!scheduler) return;
      void tick();
      timer = setInterval(() => void tick(), o.file.verify.tickSeconds * 1000);
      timer.unref();
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await scheduler?.settle();
    },
  };
}

export type VerifyWiring = ReturnType<typeof createVerify>;
