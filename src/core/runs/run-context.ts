/**
 * What the runbook use-cases share: the run loader (run, incident, step), whether dangerous steps
 * need a second responder, and commands as shown to people (every known secret hidden).
 */
import { CodedError, ErrorCode } from '../errors.js';
import { approvalRequired } from '../incidents/approval-rule.js';
import { incidentKey, type Incident } from '../incidents/incident.js';
import { isOpen } from '../incidents/status.js';
import type { Severity } from '../incidents/severity.js';
import type { IncidentStore } from '../ports.js';
import type { RunStore, Run, StepRun } from './ports.js';
import { Redactor } from './redact.js';

export interface Loaded {
  run: Run;
  incident: Incident | null;
  step?: StepRun;
}

export interface RunContextDeps {
  runs: Pick<RunStore, 'getRun' | 'getStep'>;
  store: Pick<IncidentStore, 'get' | 'events'>;
  severities: readonly Severity[];
  /** Configured secret values, hidden wherever a command is shown. */
  secrets: readonly string[];
  /** The channel of a run that has no incident (a routine); undefined when it is not one. */
  routineChannel?: (runId: number) => Promise<string | undefined>;
}

export class RunContext {
  /** Values of each run's secret parameters (memory only, as in the engine). */
  private readonly runSecrets = new Map<number, readonly string[]>();

  constructor(private readonly d: RunContextDeps) {}

  /** Keeps a run's secret parameter values, so commands shown later hide them. */
  remember(runId: number, secrets: readonly string[]): void {
    if (secrets.length) this.runSecrets.set(runId, secrets);
  }

  /** A command as shown to people (modal, approval request): secrets hidden. */
  shown(runId: number, text: string): string {
    return new Redactor({ secrets: [...this.d.secrets, ...(this.runSecrets.get(runId) ?? [])] }).redact(text);
  }

  /** Dangerous steps need a second responder: the severity needs it now, or did since the incident opened. */
  async needsApproval(i: Incident | null): Promise<boolean> {
    // A run outside an incident has the lowest severity: a responder confirms, nobody else approves.
    if (!i) return false;
    return approvalRequired(this.d.severities, i.severity, await this.d.store.events(i.id));
  }

  /** The run, its incident and a step. `open`: refuse when the incident is resolved (nothing runs then). */
  async load(runId: number, stepId?: string, open = false): Promise<Loaded> {
    const run = await this.d.runs.getRun(runId);
    const incident = run?.incidentId ? await this.d.store.get(run.incidentId) : undefined;
    const routine = run && run.incidentId === null && (await this.d.routineChannel?.(run.id)) !== undefined;
    if (!run || (!incident && !routine)) throw new CodedError(ErrorCode.NotFound, `There is no run ${runId} of an incident.`);
    if (!incident) return { run, incident: null, step: stepId === undefined ? undefined : await this.stepOf(runId, stepId) };
    if (open && !isOpen(incident.status)) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(incident.id)} is resolved; reopen it to run steps.`);
    if (stepId === undefined) return { run, incident };
    return { run, incident, step: await this.stepOf(runId, stepId) };
  }

  private async stepOf(runId: number, stepId: string): Promise<StepRun> {
    const step = await this.d.runs.getStep(runId, stepId);
    if (!step) throw new CodedError(ErrorCode.NotFound, `Run ${runId} has no step ${stepId}.`);
    return step;
  }
}
