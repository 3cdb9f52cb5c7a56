/**
 * `opsroom run --incident INC-7`: a terminal run attached to an incident. Its start, each step's
 * outcome and its end go on the incident's timeline (and a thread line, delivered by the bot from
 * the outbox), and dangerous steps follow the incident's rules: on a severity that needs a second
 * responder's approval, a terminal cannot give it, so they are refused with where to run them.
 */
import { approvalRequired } from '#core/incidents/approval-rule.js';
import type { Severity } from '#core/incidents/severity.js';
import { incidentKey, parseIncidentKey, type Incident } from '#core/incidents/incident.js';
import { isOpen } from '#core/incidents/status.js';
import type { RunEngine } from '#core/runs/engine.js';
import type { RunEvent } from '#core/runs/events.js';
import type { Database } from '#store/db.js';
import { KyselyIncidentStore } from '#store/incident-store.js';

export interface AttachedIncident {
  incident: Incident;
  requiresApproval: boolean;
  /** A timeline event, with a thread line when `line` is given. */
  record(kind: 'run' | 'step', text: string, data: Record<string, unknown>, line?: string): Promise<void>;
  /** Records every finished or skipped step of the run; the returned function stops and waits for the records. */
  follow(engine: RunEngine, runId: number, runbookId: string): () => Promise<void>;
}

const tick = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** The open incident named by `key` (INC-7 or 7), or the reason it cannot be attached. */
export async function attachIncident(database: Database, key: string, severities: readonly Severity[], actor: string): Promise<AttachedIncident | string> {
  const id = parseIncidentKey(key) ?? (/^\d+$/.test(key) ? Number(key) : undefined);
  if (id === undefined) return `--incident "${key}" is not an incident key like INC-7`;
  const store = new KyselyIncidentStore(database);
  const incident = await store.get(id);
  if (!incident) return `there is no ${incidentKey(id)} in this database`;
  if (!isOpen(incident.status)) return `${incidentKey(id)} is ${incident.status}; reopen it before running steps for it`;
  const requiresApproval = approvalRequired(severities, incident.severity, await store.events(id));
  const record: AttachedIncident['record'] = (kind, text, data, line) =>
    store.record(id, [{ at: new Date(), actor, kind, text, data }], line ? [{ target: 'chat', payload: { type: 'thread', text: line } }] : []);
  return {
    incident,
    requiresApproval,
    record,
    follow(engine, runId, runbookId) {
      const pending: Promise<void>[] = [];
      const on = (e: RunEvent) => {
        if (e.type === 'step.finished') {
          const how = `${e.state.replace('_', ' ')} in ${(e.durationMs / 1000).toFixed(1)} s${e.exitCode !== null ? `, exit ${e.exitCode}` : ''}`;
          pending.push(record('step', `${tick(e.stepId)} from a terminal: ${how}${e.reason && e.state !== 'succeeded' ? ` — ${e.reason.slice(0, 200)}` : ''}`, {
            runId, runbookId, stepId: e.stepId, attempt: e.attempt, state: e.state, exitCode: e.exitCode, durationMs: e.durationMs, terminal: true,
          }));
        } else if (e.type === 'step.changed' && e.state === 'skipped') {
          pending.push(record('step', `${tick(e.stepId)} skipped from a terminal`, { runId, runbookId, stepId: e.stepId, state: 'skipped', terminal: true }));
        }
      };
      const off = engine.subscribe(on, { runId });
      return async () => {
        off();
        await Promise.all(pending);
      };
    },
  };
}
