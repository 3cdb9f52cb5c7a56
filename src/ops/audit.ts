/**
 * The audit log: every action, approval and denial with actor, time, target and result, read from
 * the tables that already record them — the incident timeline (`events`), runs, step attempts
 * and second-person approvals — merged in time order.
 */
import { sql, type Kysely } from 'kysely';
import { credentialValues, knownSecrets, scrubDeep } from '#core/runs/known-secrets.js';
import type { Database } from '#store/index.js';

export interface AuditRecord {
  time: string;
  actor: string;
  /** e.g. `incident.opened`, `incident.acknowledged`, `run.started`, `step.run`, `approval.requested`, `approval.approved`. */
  action: string;
  /** What was acted on: `incident:12`, a step's target (`docker:web`, `ssh:bastion`), `run:4/restart`. */
  target: string;
  /** `ok`, or the outcome: `succeeded`, `failed`, `timed_out`, `interrupted`, `running`, `approved`, `rejected`, `expired`, `not_paged`… */
  result: string;
  incidentId?: number | null;
  runId?: number;
  stepId?: string;
  detail?: Record<string, unknown>;
}

type Any = Kysely<any>;

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

async function tableExists(db: Any, name: string): Promise<boolean> {
  try {
    await db.selectFrom(name).select(sql`1`.as('x')).limit(1).execute();
    return true;
  } catch {
    return false;
  }
}

/**
 * Records with from <= time < until, oldest first. Every string is scrubbed once more of the
 * secrets this process knows (the bot's credentials, the configured secrets) in any form.
 */
export async function auditRecords(database: Database, from: Date, until = new Date(8.64e15)): Promise<AuditRecord[]> {
  knownSecrets.add(credentialValues(process.env));
  const redactor = knownSecrets.redactor();
  return scrubDeep(await readRecords(database, from, until), (t) => redactor.redact(t));
}

/**
 * Each action once: the timeline repeats what the runs, step attempts and approvals tables hold
 * (a line per started run, finished step and approval); those lines are left out when their row is
 * exported, so a step appears once, with the result its attempt row has.
 */
async function readRecords(database: Database, from: Date, until: Date): Promise<AuditRecord[]> {
  const db = database.db as unknown as Any;
  const [lo, hi] = [from.getTime(), until.getTime()];
  const out: AuditRecord[] = [];
  const seen: Seen = { runs: new Set(), attempts: new Set(), approvals: new Set() };

  if (await tableExists(db, 'runs')) {
    const runs = await db.selectFrom('runs').selectAll().where('created_at', '>=', lo).where('created_at', '<', hi).orderBy('id').execute();
    for (const r of runs) {
      seen.runs.add(Number(r.id));
      out.push({
        time: iso(r.created_at), actor: r.started_by, action: 'run.started', target: `runbook:${r.runbook_id}`, result: r.state,
        incidentId: r.incident_id === null ? null : Number(r.incident_id), runId: Number(r.id), detail: { params: JSON.parse(r.params) },
      });
    }
    const attempts = await db.selectFrom('step_attempts as a').innerJoin('runs as r', 'r.id', 'a.run_id')
      .select(['a.run_id', 'a.step_id', 'a.number', 'a.actor', 'a.started_at', 'a.finished_at', 'a.target', 'a.command', 'a.state',
        'a.exit_code', 'a.duration_ms', 'a.error', 'a.approval_refs', 'r.incident_id', 'r.runbook_id'])
      .where('a.started_at', '>=', lo).where('a.started_at', '<', hi).orderBy('a.id').execute();
    for (const a of attempts) {
      seen.attempts.add(`${a.run_id}/${a.step_id}/${a.number}`);
      if (a.state === 'interrupted') seen.attempts.add(`${a.run_id}/${a.step_id}/interrupted`);
      out.push({
        time: iso(a.started_at), actor: a.actor, action: 'step.run', target: a.target, result: a.state,
        incidentId: a.incident_id === null ? null : Number(a.incident_id), runId: Number(a.run_id), stepId: a.step_id,
        detail: {
          runbook: a.runbook_id, attempt: Number(a.number), command: a.command, exitCode: a.exit_code, durationMs: a.duration_ms,
          finishedAt: a.finished_at === null ? null : iso(a.finished_at), error: a.error, approvals: JSON.parse(a.approval_refs),
        },
      });
    }
  }

  if (await tableExists(db, 'approvals')) {
    const rows = await db.selectFrom('approvals').selectAll()
      .where((eb: any) => eb.or([eb.and([eb('requested_at', '>=', lo), eb('requested_at', '<', hi)]), eb.and([eb('decided_at', '>=', lo), eb('decided_at', '<', hi)])]))
      .orderBy('id').execute();
    for (const a of rows) {
      seen.approvals.add(Number(a.id));
      const base = { target: `run:${a.run_id}/${a.step_id}`, incidentId: a.incident_id === null ? null : Number(a.incident_id), runId: Number(a.run_id), stepId: a.step_id };
      if (a.requested_at >= lo && a.requested_at < hi) {
        out.push({ ...base, time: iso(a.requested_at), actor: a.requested_by, action: 'approval.requested', result: a.state, detail: { action: a.action, expiresAt: iso(a.expires_at) } });
      }
      if (a.decided_at !== null && a.decided_at >= lo && a.decided_at < hi) {
        out.push({ ...base, time: iso(a.decided_at), actor: a.decided_by ?? 'opsroom', action: `approval.${a.state === 'used' ? 'approved' : a.state}`, result: a.state === 'used' ? 'approved' : a.state, detail: { action: a.action, requestedBy: a.requested_by } });
      }
    }
  }

  const events = await db.selectFrom('events').selectAll().where('at', '>=', lo).where('at', '<', hi).orderBy('id').execute();
  for (const e of events) {
    const data = e.data ? (JSON.parse(e.data) as Record<string, unknown>) : undefined;
    if (exportedElsewhere(e.kind, data, seen)) continue;
    out.push({
      time: iso(e.at), actor: e.actor, action: `incident.${e.kind}`, target: `incident:${e.incident_id}`, result: resultOf(e.kind, data),
      incidentId: Number(e.incident_id), detail: { text: e.text, ...(data ? { data } : {}) },
    });
  }
  return out.sort((x, y) => (x.time < y.time ? -1 : x.time > y.time ? 1 : 0));
}

type Seen = { runs: Set<number>; attempts: Set<string>; approvals: Set<number> };

/** True when a timeline line repeats a run, step attempt or approval row that is in the export. */
function exportedElsewhere(kind: string, data: Record<string, unknown> | undefined, seen: Seen): boolean {
  if (!data) return false;
  if (kind === 'run') return seen.runs.has(Number(data.runId));
  if (kind === 'step' && data.attempt !== undefined) return seen.attempts.has(`${data.runId}/${data.stepId}/${data.attempt}`);
  if (kind === 'step' && data.state === 'interrupted') return seen.attempts.has(`${data.runId}/${data.stepId}/interrupted`);
  if (kind === 'approval' && data.approvalId !== undefined) return seen.approvals.has(Number(data.approvalId));
  return false;
}

/** A timeline line's outcome: a step's state (skipped, failed…), `denied` for a refusal, `not_paged` for an escalation nobody received, else `ok`. */
function resultOf(kind: string, data: Record<string, unknown> | undefined): string {
  if (kind === 'denial') return 'denied';
  if (kind === 'escalation' && data?.paged === false) return 'not_paged';
  if (kind === 'step' && typeof data?.state === 'string') return data.state;
  return 'ok';
}

/** `--since`: an ISO date/time, or an age like 30m, 24h, 7d. */
export function parseSince(text: string, now = new Date()): Date | undefined {
  const age = /^(\d+)\s*(m|h|d|w)$/.exec(text.trim());
  if (age) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[age[2] as 'm' | 'h' | 'd' | 'w'];
    return new Date(now.getTime() - Number(age[1]) * unit);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
