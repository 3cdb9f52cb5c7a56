/**
 * The scheduled verify. Every replica ticks; each due time is claimed in the schedule slots (as
 * routines are, under the key VERIFY_SLOT), so exactly one replica verifies. Times that passed
 * while no replica was up are claimed as missed; only the newest due one runs.
 */
import type { Clock, Logger } from '../ports.js';
import type { SlotStore } from '../routines/ports.js';
import { slotsBetween } from '../routines/schedule.js';
import type { VerifyReport } from './check.js';
import { type HealthStore, type RunbookHealth, recordVerdicts, verdictsOf } from './freshness.js';

export const VERIFY_SLOT = '@verify';

export interface VerifySchedulerDeps {
  schedule: { cron: string; timezone: string };
  slots: SlotStore;
  health: HealthStore;
  verify: () => Promise<VerifyReport>;
  clock: Clock;
  owner: string;
  /** Told of the runbooks each verify found broken that fitted before. */
  onBroken?: (broke: RunbookHealth[]) => Promise<void> | void;
  log?: Logger;
}

export class VerifyScheduler {
  private readonly since: Date;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: VerifySchedulerDeps) {
    this.since = d.clock.now();
  }

  /** Claims what is due; verifies (and waits for it) when this replica won the newest slot. */
  async tick(): Promise<{ verified: Date | null; report: VerifyReport | null }> {
    const now = this.d.clock.now();
    const from = (await this.d.slots.lastSlot(VERIFY_SLOT)) ?? this.since;
    const due = slotsBetween(this.d.schedule, from, now);
    let mine: Date | null = null;
    for (const [i, at] of due.entries()) {
      const newest = i === due.length - 1;
      const claimed = await this.d.slots.claimSlot({ runbookId: VERIFY_SLOT, at, state: newest ? 'running' : 'missed', owner: this.d.owner }, now);
      if (claimed && newest) mine = at;
    }
    if (!mine) return { verified: null, report: null };
    const at = mine;
    const work = this.verifyAt(at);
    this.running = work.catch(() => undefined);
    return { verified: at, report: await work };
  }

  async settle(): Promise<void> {
    await this.running;
  }

  private async verifyAt(at: Date): Promise<VerifyReport> {
    let report: VerifyReport;
    try {
      report = await this.d.verify();
    } catch (e) {
      await this.d.slots.finishSlot(VERIFY_SLOT, at, { state: 'failed' });
      throw e;
    }
    const broke = await recordVerdicts(this.d.health, verdictsOf(report), this.d.clock.now());
    await this.d.slots.finishSlot(VERIFY_SLOT, at, { state: report.problems.length ? 'failed' : 'passed' });
    if (broke.length) {
      this.d.log?.warn({ runbooks: broke.map((b) => b.runbookId) }, 'runbooks broke');
      await this.d.onBroken?.(broke);
    }
    return report;
  }
}
