/**
 * Verified recovery: once a remediation (a restart, a dangerous step) succeeds in a run attached
 * to an incident, the checks that follow it in the runbook run again every `everyMinutes` for
 * `windowMinutes`. Every round passing: "recovered" (the incident's mitigatedAt is set, a
 * `mitigated` event, an offer to move to monitoring). A round failing: "regressed".
 * Watches are stored, so a restart mid-window loses nothing; `tick()` runs under a lease (one
 * replica at a time) and every change is compare-and-set, so a round is recorded once.
 */
import { ErrorCode, isCoded } from '../errors.js';
import type { NewEffect } from '../effects.js';
import { formatDuration } from '../incidents/format.js';
import type { Incident } from '../incidents/incident.js';
import { isOpen } from '../incidents/status.js';
import type { RecoveryLine } from './lines.js';
import type { Clock, IncidentStore } from '../ports.js';
import type { RunStore } from '../runs/ports.js';
import { isRemediation, verificationChecks } from './checks.js';
import type { RecoverySettings, RecoveryStore, RecoveryWatch } from './ports.js';
import type { CheckStep } from './probe.js';

export interface RecoveryDeps {
  watches: RecoveryStore;
  runs: Pick<RunStore, 'getRun' | 'steps' | 'getStep'>;
  incidents: IncidentStore;
  check: CheckStep;
  clock: Clock;
  settings: RecoverySettings;
  /** After an incident changed here (the metrics observe time to mitigate). */
  changed?: (before: Incident, after: Incident) => void;
  /** Effects were stored: deliver them now. */
  onEffects?: () => void;
}

const MIN = 60_000;
const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

export class RecoveryService {
  constructor(private readonly d: RecoveryDeps) {}

  /**
   * A step succeeded (attempt `attempt`, at `at`): when it is a remediation in an incident's run
   * with checks after it, a watch starts, once per attempt (a claim), and replaces the incident's
   * earlier one. Returns it, or undefined.
   */
  async remediated(runId: number, stepId: string, o: { attempt?: number; at?: Date } = {}): Promise<RecoveryWatch | undefined> {
    const run = await this.d.runs.getRun(runId);
    if (!run || run.incidentId === null) return undefined;
    const steps = await this.d.runs.steps(runId);
    const step = steps.find((s) => s.stepId === stepId);
    if (step?.state !== 'succeeded' || !isRemediation(step.step)) return undefined;
    const checks = verificationChecks(steps, stepId);
    if (!checks.length) return undefined;
    const incident = await this.d.incidents.get(run.incidentId);
    if (!incident || !isOpen(incident.status)) return undefined;
    const now = o.at ?? this.d.clock.now();
    // A later remediation of the incident is already watched: this one is old news.
    if ((await this.d.watches.forIncident(run.incidentId)).some((w) => w.startedAt.getTime() > now.getTime())) return undefined;
    if (!(await this.d.incidents.claim(`recovery:${runId}/${stepId}/${o.attempt ?? step.attempts}`, this.d.clock.now()))) return undefined;
    const { windowMinutes, everyMinutes } = this.d.settings;
    const watch = await this.d.watches.create({
      incidentId: run.incidentId, runId, stepId, checks, startedAt: now,
      nextCheckAt: new Date(now.getTime() + everyMinutes * MIN), endsAt: new Date(now.getTime() + windowMinutes * MIN),
    });
    await this.d.incidents.record(run.incidentId, [], [thread({ kind: 'recovery-watch', stepId, checks, everyMs: everyMinutes * MIN, windowMs: windowMinutes * MIN })]);
    this.d.onEffects?.();
    return watch;
  }

  /**
   * Starts the watches a replica missed (it stopped right after the step) or never saw (a run
   * from `opsroom run --incident`): recent successful remediations not claimed yet.
   */
  async discover(): Promise<RecoveryWatch[]> {
    const since = new Date(this.d.clock.now().getTime() - this.d.settings.windowMinutes * MIN);
    const started: RecoveryWatch[] = [];
    for (const a of await this.d.watches.recentRemediations(since)) {
      const w = await this.remediated(a.runId, a.stepId, { attempt: a.attempt, at: a.finishedAt });
      if (w) started.push(w);
    }
    return started;
  }

  /** Missed watches started, then one round of every due watch. Returns the watches that finished (recovered or regressed). */
  async tick(signal?: AbortSignal): Promise<RecoveryWatch[]> {
    await this.discover();
    const finished: RecoveryWatch[] = [];
    for (const w of await this.d.watches.due(this.d.clock.now())) {
      if (signal?.aborted) break;
      const done = await this.round(w, signal);
      if (done) finished.push(done);
    }
    return finished;
  }

  private async round(w: RecoveryWatch, signal?: AbortSignal): Promise<RecoveryWatch | undefined> {
    const incident = await this.d.incidents.get(w.incidentId);
    if (!incident || !isOpen(incident.status)) {
      await this.d.watches.update(w.id, w.version, { state: 'cancelled', finishedAt: this.d.clock.now() });
      return undefined;
    }
    let failure: string | null = null;
    for (const id of w.checks) {
      const step = await this.d.runs.getStep(w.runId, id);
      const r = step ? await this.d.check(w.runId, step, signal) : { ok: false, reason: 'the step is gone' };
      if (signal?.aborted) return undefined; // shutting down: this round is done again after the restart
      if (!r.ok) {
        failure = `${id}: ${r.reason ?? 'failed'}`;
        break;
      }
    }
    const now = this.d.clock.now();
    const { everyMinutes } = this.d.settings;
    if (failure) {
      if (!(await this.d.watches.update(w.id, w.version, { state: 'regressed', failure, rounds: w.rounds + 1, finishedAt: now }))) return undefined;
      const again = w.firstPassAt ? 'failed again' : 'failed';
      const word = w.firstPassAt ? 'Regressed' : 'Not recovered';
      await this.d.incidents.record(w.incidentId, [{
        at: now, actor: 'opsroom', kind: 'regressed', text: `${word} at ${hhmm(now)}: \`${failure}\` ${again} after \`${w.stepId}\``,
        data: { runId: w.runId, stepId: w.stepId, check: failure.split(':')[0], reason: failure, rounds: w.rounds + 1 },
      }], [thread({ kind: 'recovery-failed', again: !!w.firstPassAt, at: now.getTime(), failure, stepId: w.stepId, runId: w.runId }), card]);
      this.d.onEffects?.();
      return { ...w, state: 'regressed', failure };
    }
    const firstPassAt = w.firstPassAt ?? now;
    if (now.getTime() < w.endsAt.getTime()) {
      const next = new Date(Math.min(now.getTime() + everyMinutes * MIN, w.endsAt.getTime()));
      await this.d.watches.update(w.id, w.version, { firstPassAt, rounds: w.rounds + 1, nextCheckAt: next });
      return undefined;
    }
    if (!(await this.d.watches.update(w.id, w.version, { state: 'recovered', firstPassAt, rounds: w.rounds + 1, finishedAt: now }))) return undefined;
    await this.mitigate(w, firstPassAt, now);
    return { ...w, state: 'recovered', firstPassAt };
  }

  /** Sets mitigatedAt (the first time only) with its event and the thread line offering monitoring. */
  private async mitigate(w: RecoveryWatch, at: Date, now: Date): Promise<void> {
    const verified = formatDuration(now.getTime() - w.startedAt.getTime());
    const event = {
      at: now, actor: 'opsroom', kind: 'mitigated' as const, text: `Recovered at ${hhmm(at)} (verified ${verified}) after \`${w.stepId}\``,
      data: { runId: w.runId, stepId: w.stepId, checks: w.checks, mitigatedAt: at.toISOString(), verifiedMs: now.getTime() - w.startedAt.getTime() },
    };
    for (let attempt = 0; ; attempt++) {
      const before = await this.d.incidents.get(w.incidentId);
      if (!before) return;
      const offer = before.status !== 'monitoring';
      const line: RecoveryLine = { kind: 'recovered', at: at.getTime(), verifiedMs: now.getTime() - w.startedAt.getTime(), checks: w.checks, stepId: w.stepId };
      const effects: NewEffect[] = [card, { target: 'chat', payload: { type: 'thread', line, ...(offer ? { offer: 'monitoring' as const } : {}) } }];
      try {
        const after = await this.d.incidents.change(w.incidentId, before.version, before.mitigatedAt ? {} : { mitigatedAt: at }, [event], effects);
        this.d.changed?.(before, after);
        this.d.onEffects?.();
        return;
      } catch (e) {
        if (!isCoded(e, ErrorCode.Conflict) || attempt >= 4) throw e;
      }
    }
  }
}

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const thread = (line: RecoveryLine): NewEffect => ({ target: 'chat', payload: { type: 'thread', line } });
