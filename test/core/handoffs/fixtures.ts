/** A night shift's worth of stored state, with things on both sides of its boundaries. */
import type { NewEvent } from '#core/incidents/timeline.js';
import type { ResolvedStep } from '#core/runs/step-runner.js';
import type { Database } from '#store/db.js';
import { KyselyHandoffStore } from '#store/handoffs.js';
import { KyselyIncidentStore } from '#store/incident-store.js';
import { KyselyApprovalStore } from '#store/remediation.js';
import { KyselyRunStore } from '#store/runs.js';

/** Shifts 08:00/20:00 Europe/Madrid (UTC+1 in November): the night shift is [19:00Z, 07:00Z). */
export const SHIFT_START = new Date('2026-11-21T19:00:00Z');
export const BOUNDARY = new Date('2026-11-22T07:00:00Z');
export const Z = (s: string) => new Date(`2026-11-${s}Z`);

const step = (id: string, over: Partial<ResolvedStep> = {}): ResolvedStep => ({
  id, title: `Step ${id}`, command: { kind: 'ssh', host: 'web1', command: `echo ${id}` }, danger: false, timeoutMs: 5000,
  expect: {}, onFailure: { action: 'stop' }, redact: false, ...over,
});

const ev = (at: string, actor: string, kind: NewEvent['kind'], text: string, data: NewEvent['data'] = null): NewEvent => ({ at: Z(at), actor, kind, text, data });

export async function seedNightShift(database: Database) {
  const incidents = new KyselyIncidentStore(database);
  const runs = new KyselyRunStore(database);
  const handoffs = new KyselyHandoffStore(database);
  // Every incident pages PagerDuty when it opens (a pager.trigger effect, as the incident service queues it).
  const open = async (at: string, severity: string, title: string, commander = 'U0ALICE') =>
    incidents.create({ title, severity, commander, openedBy: commander, summary: null, service: null, channel: 'C0INCIDENTS', sourceChannel: 'C0GENERAL', createdAt: Z(at) },
      [ev(at, commander, 'opened', `Opened as ${severity}: ${title}`)], [{ target: 'pager', payload: { type: 'pager.trigger' } }]);
  const resolve = async (id: number, at: string, ackAt?: string) => {
    const i = (await incidents.get(id))!;
    await incidents.change(id, i.version, {
      status: 'resolved', resolvedAt: Z(at), resolution: 'fixed', ...(ackAt ? { acknowledgedAt: Z(ackAt), acknowledgedBy: 'U0BOB' } : {}),
    }, [ev(at, 'U0BOB', 'resolved', 'Resolved: fixed')], []);
  };

  // INC-1: entirely before the shift.
  const i1 = await open('21T10:00:00', 'P2', 'Old outage');
  await incidents.record(i1.id, [ev('21T10:00:05', 'opsroom', 'page', 'Paged PagerDuty')], []);
  await resolve(i1.id, '21T12:00:00', '21T10:02:00');
  // INC-2: opened before, still open; updates before and during; an unanswered reminder; a pending approval.
  const i2 = await open('21T15:00:00', 'P1', 'Checkout API down');
  await incidents.record(i2.id, [ev('21T16:00:00', 'U0ALICE', 'update', 'Looking. Next: restart redis')], []);
  await incidents.record(i2.id, [ev('21T22:00:00', 'U0ALICE', 'update', 'Identified bad config.\nNext step: roll back config')], []);
  await incidents.record(i2.id, [ev('21T23:00:00', 'opsroom', 'reminder', 'No update for 1h')], []);
  // PagerDuty's side, from its webhook: an escalation during the shift counts as a page; an acknowledgement does not.
  await incidents.record(i2.id, [ev('21T23:50:00', 'pagerduty', 'pagerduty', 'Escalated to Ben Ode', { type: 'incident.escalated' })], []);
  await incidents.record(i2.id, [ev('21T23:55:00', 'pagerduty', 'pagerduty', 'Acknowledged in PagerDuty', { type: 'incident.acknowledged' })], []);
  // INC-3: opened before, resolved during.
  const i3 = await open('21T18:00:00', 'P2', 'Search slow');
  await resolve(i3.id, '22T01:00:00', '21T18:10:00');
  // INC-4: opened and resolved during; paged.
  const i4 = await open('22T02:00:00', 'P2', 'Payments 500s');
  await resolve(i4.id, '22T03:00:00', '22T02:03:00');
  // INC-5: opened during, open, not acknowledged; its reminder was answered.
  const i5 = await open('22T06:00:00', 'P3', 'Disk filling on db-2', 'U0CAROL');
  await incidents.record(i5.id, [ev('22T06:30:00', 'opsroom', 'reminder', 'No update for 30m')], []);
  await incidents.record(i5.id, [ev('22T06:40:00', 'U0CAROL', 'update', 'Cleaning old WAL files')], []);
  // INC-6: after the boundary, with an escalation.
  const i6 = await open('22T07:01:00', 'P1', 'After the shift');
  await incidents.record(i6.id, [ev('22T07:02:00', 'opsroom', 'escalation', 'Escalated to SRE')], []);
  // An update on INC-2 after the boundary must not count as its latest within the shift.
  await incidents.record(i2.id, [ev('22T07:05:00', 'U0ALICE', 'update', 'Later update after the shift')], []);

  // Runs: INC-2's run (ping before, dangerous restart failed during), INC-4's ping during, a CLI check after.
  const runA = await runs.createRun({ runbookId: 'redis-down', incidentId: i2.id, params: {}, startedBy: 'U0ALICE', steps: [step('ping'), step('restart', { title: 'Reiniciar Redis', danger: true })] }, Z('21T17:00:00'));
  await attempt(runs, runA.id, 'ping', '21T17:05:00', 'succeeded', 'U0ALICE');
  await attempt(runs, runA.id, 'restart', '21T23:30:00', 'failed', 'U0BOB', 1, 'exit status 1');
  await runs.setRunState(runA.id, 'failed');
  // Approvals: one expired during the shift, one approved during it, one still waiting at its end.
  const approvals = new KyselyApprovalStore(database);
  const ask = (at: string, minutes: number) => approvals.createApproval({
    runId: runA.id, stepId: 'restart', action: 'retry', incidentId: i2.id, fingerprint: 'f', requestedBy: 'U0BOB',
    requestedAt: Z(at), expiresAt: new Date(Z(at).getTime() + minutes * 60_000),
  });
  await ask('21T23:40:00', 10);
  const approved = await ask('22T05:00:00', 10);
  await approvals.moveApproval(approved.id, 'pending', 'approved', 'U0CAROL', Z('22T05:02:00'));
  await ask('22T06:55:00', 10);
  const runC = await runs.createRun({ runbookId: 'payments', incidentId: i4.id, params: {}, startedBy: 'U0BOB', steps: [step('ping')] }, Z('22T02:05:00'));
  await attempt(runs, runC.id, 'ping', '22T02:10:00', 'succeeded', 'U0BOB');
  await runs.setRunState(runC.id, 'succeeded');
  const runB = await runs.createRun({ runbookId: 'checks', incidentId: null, params: {}, startedBy: 'cli:ops', steps: [step('check')] }, Z('22T07:09:00'));
  await attempt(runs, runB.id, 'check', '22T07:10:00', 'failed', 'cli:ops', 2);

  // Notes: before, during, exactly at the boundary (belongs to the next shift).
  await handoffs.addNote({ at: Z('21T18:59:00'), author: 'U0ALICE', text: 'Previous shift note', incidentId: null });
  await handoffs.addNote({ at: Z('22T04:00:00'), author: 'U0BOB', text: 'Disk on db-2 at 85%, watch it', incidentId: i5.id });
  await handoffs.addNote({ at: BOUNDARY, author: 'U0CAROL', text: 'Next shift note', incidentId: null });
  return { i1, i2, i3, i4, i6, i5, runA };
}

async function attempt(runs: KyselyRunStore, runId: number, stepId: string, at: string, state: 'succeeded' | 'failed', actor: string, exitCode = 0, error: string | null = null) {
  const a = await runs.claimStep(runId, stepId, 'pending', { actor, startedAt: Z(at), target: 'ssh:web1', command: `echo ${stepId}`, approvalRefs: [], lockOwner: null, instance: null });
  await runs.finishAttempt(runId, stepId, a!.number, {
    state, finishedAt: new Date(Z(at).getTime() + 2000), exitCode, durationMs: 2000, output: '', outputDroppedBytes: 0, error,
  });
}
