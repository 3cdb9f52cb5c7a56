/**
 * The Escalate button of a run card: the runbook's rule that covers the failure picks whom to page
 * (core/runbooks/escalation.ts); the escalator pages, or records that nobody was paged.
 */
import { CodedError, ErrorCode } from '../errors.js';
import { incidentKey } from '../incidents/incident.js';
import type { LoadedRunbook } from '../runbooks/loader.js';
import { chooseEscalation } from '../runbooks/escalation.js';
import type { Loaded } from './run-context.js';
import type { RunPolicy } from './permissions.js';
import type { Escalator, RunStore } from './ports.js';

export interface EscalateDeps {
  load(runId: number): Promise<Loaded>;
  policy: RunPolicy;
  runs: Pick<RunStore, 'steps'>;
  runbook(id: string): LoadedRunbook | undefined;
  escalator: Escalator;
}

/** Escalates a run's failure for `user` (who may run steps); returns whom it went to. */
export async function escalateRun(d: EscalateDeps, user: string, runId: number): Promise<string> {
  const { run, incident } = await d.load(runId);
  const denied = await d.policy.check(user, 'run', incident);
  if (denied) throw new CodedError(ErrorCode.Forbidden, denied);
  const steps = await d.runs.steps(runId);
  const rb = d.runbook(run.runbookId);
  const { to, rule, stepId, why } = chooseEscalation(rb?.escalate ?? [], steps);
  const reason = `${incident ? `${incidentKey(incident.id)} ${incident.title}` : `run ${runId} of ${run.runbookId}`}: ${rule ? `${rule.when} → ${rule.then}` : 'a runbook step failed'} (${why})`;
  await d.escalator.escalate(to, reason, { runId, stepId: stepId ?? '', runbookId: run.runbookId, incidentId: incident?.id ?? null, actor: user });
  return to;
}
