/**
 * Routines on a schedule. Every replica ticks; each due slot (runbook id + scheduled time) is
 * claimed in the store with a unique key, so exactly one replica runs it. A run does the routine's
 * read-only steps by itself and posts one summary; dangerous steps wait on the run card for a
 * person. A slot that passed while no replica was up (older than `graceMs` when first seen) is
 * claimed as missed and reported, never run late.
 */
import type { Clock, Logger } from '../ports.js';
import type { RunEngine } from '../runs/engine.js';
import { diagnosticPlan } from '../runs/expect.js';
import type { RunStore } from '../runs/ports.js';
import type { CheckResult, IncidentOpener, Routine, RoutineChat, RoutineStarter, RoutineSummary, SlotStore } from './ports.js';
import { nextRun, slotsBetween } from './schedule.js';

const SCHEDULE_ACTOR = 'opsroom:schedule';

export interface SchedulerDeps {
  routines: () => readonly Routine[];
  slots: SlotStore;
  starter: RoutineStarter;
  engine: RunEngine;
  runs: RunStore;
  chat: RoutineChat;
  incidents?: IncidentOpener;
  clock: Clock;
  /** This replica's name (recorded with each slot it claims). */
  owner: string;
  /** A slot first seen later than this after its time is missed, not run (default 10 min). */
  graceMs?: number;
  log?: Logger;
}

export interface Upcoming {
  routine: Routine;
  at: Date;
}

export class RoutineScheduler {
  /** Slots before this are not this process's business unless a newer one is recorded (first start). */
  private readonly since: Date;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly d: SchedulerDeps) {
    this.since = d.clock.now();
  }

  /** What runs when, next run first. */
  upcoming(now = this.d.clock.now()): Upcoming[] {
    return this.d.routines()
      .map((routine) => ({ routine, at: nextRun(routine.schedule, now) }))
      .filter((u): u is Upcoming => u.at !== null)
      .sort((a, b) => a.at.getTime() - b.at.getTime() || a.routine.runbookId.localeCompare(b.routine.runbookId));
  }

  /**
   * One round: claims what is due. Runs start in the background (`settle()` waits for them);
   * missed slots are reported before this returns. Returns the slots this replica claimed.
   */
  async tick(): Promise<{ ran: Date[]; missed: Date[] }> {
    const now = this.d.clock.now();
    const grace = this.d.graceMs ?? 10 * 60_000;
    const ran: Date[] = [];
    const missed: Date[] = [];
    for (const routine of this.d.routines()) {
      const last = await this.d.slots.lastSlot(routine.runbookId);
      const from = last ?? this.since;
      const mine: Date[] = [];
      for (const at of slotsBetween(routine.schedule, from, now)) {
        const late = now.getTime() - at.getTime() > grace;
        const claimed = await this.d.slots.claimSlot({ runbookId: routine.runbookId, at, state: late ? 'missed' : 'running', owner: this.d.owner }, now);
        if (!claimed) continue;
        if (late) mine.push(at);
        else {
          ran.push(at);
          this.track(this.runSlot(routine, at));
        }
      }
      if (mine.length) {
        missed.push(...mine);
        await this.d.chat.missed({ routine, slots: mine });
      }
    }
    return { ran, missed };
  }

  /** Waits for the runs started by earlier ticks. */
  async settle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.d.log?.warn({ error: String((e as Error)?.stack ?? e) }, 'scheduled routine failed')).finally(() => this.running.delete(q));
    this.running.add(q);
  }

  private async runSlot(routine: Routine, at: Date): Promise<void> {
    const summary = await this.runChecks(routine, at);
    const failed = summary.failed.length > 0 || summary.error !== null;
    const open = routine.schedule.on_failure?.open;
    if (failed && open && this.d.incidents) {
      // The summary still goes out when the incident cannot be opened (an unknown severity…), saying so.
      summary.incident = await this.d.incidents.open({
        severity: open, title: `Routine failed: ${routine.title}`, summary: failureText(summary), service: routine.system,
        runId: summary.runId, runbookId: routine.runbookId, channel: routine.channel,
      }).catch((e: unknown) => {
        summary.incidentError = (e as Error).message;
        return null;
      });
    }
    await this.d.slots.finishSlot(routine.runbookId, at, { state: failed ? 'failed' : 'passed', runId: summary.runId, incidentId: summary.incident?.id ?? null });
    await this.d.chat.summary(summary);
  }

  /** Starts the run and does its read-only steps; what passed, failed and waits. */
  private async runChecks(routine: Routine, at: Date): Promise<RoutineSummary> {
    const base: RoutineSummary = {
      runbookId: routine.runbookId, title: routine.title, channel: routine.channel, runId: null, slotAt: at, timezone: routine.schedule.timezone,
      passed: [], failed: [], waiting: [], error: null, incident: null, incidentError: null,
    };
    let runId: number;
    try {
      runId = (await this.d.starter.start(routine.runbookId, SCHEDULE_ACTOR, routine.channel)).id;
    } catch (e) {
      return { ...base, error: (e as Error).message };
    }
    const steps = await this.d.runs.steps(runId);
    const titles = new Map(steps.map((s) => [s.stepId, s.step.title]));
    const plan = new Set(diagnosticPlan(steps));
    const { results } = await this.d.engine.runDiagnostics(runId, { actor: SCHEDULE_ACTOR });
    const checks: CheckResult[] = results.map((r) => ({ stepId: r.stepId, title: titles.get(r.stepId) ?? r.stepId, state: r.state, reason: r.reason, output: r.output.text }));
    return {
      ...base, runId,
      passed: checks.filter((c) => c.state === 'succeeded'),
      failed: checks.filter((c) => c.state !== 'succeeded'),
      waiting: steps.filter((s) => !plan.has(s.stepId)).map((s) => ({ stepId: s.stepId, title: s.step.title })),
    };
  }
}

/** The failing part of a summary, as plain text (an incident's summary). */
function failureText(s: RoutineSummary): string {
  if (s.error) return `Run could not start: ${s.error}`;
  const lines = s.failed.map((f) => `${f.stepId} (${f.title}): ${f.state.replace('_', ' ')}${f.reason ? ` — ${f.reason}` : ''}`);
  return `${s.failed.length} of ${s.failed.length + s.passed.length} checks failed in run ${s.runId}: ${lines.join('; ')}`.slice(0, 2000);
}
