/**
 * Starting a runbook in an incident: who may, the rendered steps and parameters (secret ones
 * stored as [REDACTED]), the run, and its timeline event stored with the run card's post (an outbox
 * effect).
 */
import { CodedError, ErrorCode } from '../errors.js';
import { incidentKey, type Incident } from '../incidents/incident.js';
import { isOpen } from '../incidents/status.js';
import type { Inventory } from '../inventory/schema.js';
import type { Clock, IncidentStore } from '../ports.js';
import type { LoadedRunbook } from '../runbooks/loader.js';
import { renderRunbook } from '../runbooks/render.js';
import type { RunEngine } from './engine.js';
import { scrubDeep } from './known-secrets.js';
import type { RunPolicy } from './permissions.js';
import type { Run } from './ports.js';
import type { RunContext } from './run-context.js';

/** The timeline's words for a started run (the chat adapter renders them). */
export interface StartLines {
  started(rb: LoadedRunbook, runId: number, shownParams: string): string;
}

export interface StartRunDeps {
  runbook(id: string): LoadedRunbook | undefined;
  policy: RunPolicy;
  engine: Pick<RunEngine, 'start'>;
  store: Pick<IncidentStore, 'record'>;
  clock: Clock;
  context: RunContext;
  inventory?: Inventory;
  env: Record<string, string | undefined>;
  /** The alert an incident came from (its labels fill `from: alert.labels.*`). */
  alertOf?: (incidentId: number) => Promise<{ runbook: string | null; labels: Record<string, string> } | undefined>;
  lines: StartLines;
  /** Tells the dispatcher new effects are stored. */
  kick?: () => void;
}

/** Throws unless the person may start a runbook in this incident now (before any form opens). */
export async function mayStart(d: Pick<StartRunDeps, 'policy'>, incident: Incident, user: string): Promise<void> {
  if (!isOpen(incident.status)) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(incident.id)} is resolved; reopen it to run runbooks.`);
  const denied = await d.policy.check(user, 'run', incident);
  if (denied) throw new CodedError(ErrorCode.Forbidden, denied);
}

export async function startRun(d: StartRunDeps, incident: Incident, runbookId: string, given: Record<string, string>, user: string): Promise<Run> {
  const rb = d.runbook(runbookId);
  if (!rb) throw new CodedError(ErrorCode.NotFound, `There is no runbook \`${runbookId}\`. \`/runbook list\` shows them.`);
  await mayStart(d, incident, user);
  const alert = await d.alertOf?.(incident.id);
  const rendered = renderRunbook(rb, given, { incident, env: d.env, ...(alert ? { alert: { labels: alert.labels } } : {}) }, d.inventory);
  const secret = new Set(Object.entries(rb.params).filter(([, p]) => p.secret || p.from?.startsWith('env.')).map(([n]) => n));
  const params = Object.fromEntries(Object.entries(rendered.params).map(([k, v]) => [k, secret.has(k) ? '[REDACTED]' : v]));
  const run = await d.engine.start({ runbookId: rb.id, incidentId: incident.id, params, startedBy: user, steps: rendered.steps }, { secrets: rendered.secrets });
  d.context.remember(run.id, rendered.secrets);
  const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
  await d.store.record(incident.id, [scrubDeep({
    at: d.clock.now(), actor: user, kind: 'run', text: d.lines.started(rb, run.id, shown), data: { runId: run.id, runbookId: rb.id, params },
  })], [{ target: 'chat', payload: { type: 'run.card', runId: run.id } }]);
  d.kick?.();
  return run;
}
