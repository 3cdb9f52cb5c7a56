/** Builds the handoff summary from stored state. Pure: every input is already loaded. */
import type { Incident } from '../incidents/incident.js';
import { severityRank, type Severity } from '../incidents/severity.js';
import { isOpen } from '../incidents/status.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import { isUnsuccessful, type StepState } from '../runs/step-state.js';
import { headline } from './headline.js';
import type { EventItem, HandoffSummary, OpenIncidentItem, ShiftIncidentItem, StepItem } from './model.js';
import type { CheckResult, HandoffNote, OnCallPair, PageRecord, PendingApproval, RunWithSteps, StepAttemptRow } from './ports.js';
import type { ShiftWindow } from './window.js';

export interface SummaryInput {
  window: ShiftWindow;
  now: Date;
  severities: readonly Severity[];
  /** Incidents opened, resolved or open during the window (IncidentStore.listBetween). */
  incidents: Incident[];
  /** Latest `update` event per incident. */
  latestUpdates: Map<number, TimelineEvent>;
  /** Approvals still waiting at the end of the window. */
  approvals: PendingApproval[];
  unfinishedRuns: RunWithSteps[];
  attempts: StepAttemptRow[];
  /** Events in the window of SUMMARY_EVENT_KINDS. */
  events: TimelineEvent[];
  /** Pager deliveries (trigger, escalate) in the window. */
  pages: PageRecord[];
  notes: HandoffNote[];
  checks: HandoffSummary['checks'];
  onCall: OnCallPair;
}

export const SUMMARY_EVENT_KINDS = ['page', 'escalation', 'pagerduty', 'reminder', 'update', 'resolved'] as const;
const PAGE_KINDS = new Set(['page', 'escalation']);
/** PagerDuty-side escalations and reassignments (the webhook records them as `pagerduty` events). */
const PAGER_SIDE = new Set(['incident.escalated', 'incident.reassigned']);
/** An escalation recorded with `paged: false` (no pager) paged nobody and is not a page. */
const isPage = (e: TimelineEvent) =>
  (PAGE_KINDS.has(e.kind) && e.data?.paged !== false) || (e.kind === 'pagerduty' && PAGER_SIDE.has(String(e.data?.type)));
const ANSWER_KINDS = new Set(['update', 'resolved']);

const t = (d: Date) => d.getTime();
const within = (d: Date | null, w: ShiftWindow) => d !== null && t(d) >= t(w.since) && t(d) < t(w.until);

/** "Next: roll back if p95 stays high" / "Next step - …" / "Siguiente paso: …" in an update. */
function nextStepOf(text: string): string | null {
  const m = /(?:^|\n|[.;]\s+)(?:next(?:\s+steps?)?|siguientes?(?:\s+pasos?)?|pr[oó]ximos?\s+pasos?)\s*[:\-–—]\s*([^\n]+)/i.exec(text);
  return m ? m[1].trim() : null;
}

/** Open at the end of the window (as far as stored state tells). */
export function openAt(i: Incident, until: Date): boolean {
  if (t(i.createdAt) >= t(until)) return false;
  return i.resolvedAt ? t(i.resolvedAt) >= t(until) : isOpen(i.status);
}

export function buildSummary(input: SummaryInput): Omit<HandoffSummary, 'headline'> & { headline: string } {
  const { window: w, severities } = input;
  const rank = (s: string) => severityRank(s, severities);
  const approvals = new Map<number, OpenIncidentItem['pendingApprovals']>();
  for (const a of input.approvals) {
    const item = { runId: a.runId, stepId: a.stepId, requestedBy: a.requestedBy, expiresAt: a.expiresAt };
    approvals.set(a.incidentId, [...(approvals.get(a.incidentId) ?? []), item]);
  }
  const runsOf = new Map<number, RunWithSteps[]>();
  for (const r of input.unfinishedRuns) {
    if (r.run.incidentId !== null && t(r.run.createdAt) < t(w.until)) runsOf.set(r.run.incidentId, [...(runsOf.get(r.run.incidentId) ?? []), r]);
  }

  const open: OpenIncidentItem[] = input.incidents
    .filter((i) => openAt(i, w.until))
    .map((i) => {
      const u = input.latestUpdates.get(i.id);
      return {
        id: i.id, title: i.title, severity: i.severity, status: i.status, commander: i.commander,
        openedAt: i.createdAt, ageMs: t(w.until) - t(i.createdAt), acknowledged: i.acknowledgedAt !== null,
        lastUpdate: u ? { at: u.at, actor: u.actor, text: u.text } : null,
        nextStep: u ? nextStepOf(u.text) : null,
        pendingApprovals: approvals.get(i.id) ?? [],
        runs: (runsOf.get(i.id) ?? []).map(({ run, steps }) => ({
          runId: run.id, runbookId: run.runbookId, state: run.state,
          failedSteps: steps.filter((s) => isUnsuccessful(s.state as StepState)).map((s) => s.stepId),
          pendingSteps: steps.filter((s) => s.state === 'pending' || s.state === 'running').length,
        })),
      };
    })
    .sort((a, b) => rank(a.severity) - rank(b.severity) || b.ageMs - a.ageMs || a.id - b.id);

  const shift: ShiftIncidentItem[] = input.incidents
    .filter((i) => within(i.createdAt, w) || within(i.resolvedAt, w))
    .map((i) => ({
      id: i.id, title: i.title, severity: i.severity, openedAt: i.createdAt, resolvedAt: i.resolvedAt,
      openedInShift: within(i.createdAt, w), resolvedInShift: within(i.resolvedAt, w),
      ttaMs: i.acknowledgedAt ? t(i.acknowledgedAt) - t(i.createdAt) : null,
      ttrMs: i.resolvedAt ? t(i.resolvedAt) - t(i.createdAt) : null,
      resolution: i.resolution,
    }))
    .sort((a, b) => rank(a.severity) - rank(b.severity) || t(a.openedAt) - t(b.openedAt) || a.id - b.id);

  const attempts = input.attempts.filter((a) => within(a.attempt.startedAt, w));
  const byState: Record<string, number> = {};
  for (const a of attempts) byState[a.attempt.state] = (byState[a.attempt.state] ?? 0) + 1;
  const notable: StepItem[] = attempts
    .filter((a) => a.danger || isUnsuccessful(a.attempt.state as StepState))
    .map((a) => ({
      runId: a.run.id, runbookId: a.run.runbookId, incidentId: a.run.incidentId, stepId: a.attempt.stepId, title: a.title,
      danger: a.danger, target: a.attempt.target, actor: a.attempt.actor, at: a.attempt.startedAt, state: a.attempt.state,
      exitCode: a.attempt.exitCode, error: a.attempt.error,
    }))
    .sort((a, b) => Number(isUnsuccessful(b.state as StepState)) - Number(isUnsuccessful(a.state as StepState)) || t(b.at) - t(a.at));

  const events = input.events.filter((e) => within(e.at, w));
  const item = (e: TimelineEvent): EventItem => ({ incidentId: e.incidentId, at: e.at, actor: e.actor, kind: e.kind, text: e.text });
  const pages = [
    ...events.filter(isPage).map(item),
    ...input.pages.filter((p) => within(p.at, w)).map((p): EventItem => ({
      incidentId: p.incidentId, at: p.at, actor: p.actor, kind: p.kind, text: `PagerDuty ${p.detail}${p.state === 'done' ? '' : ` — ${p.state}`}`,
    })),
  ].sort((a, b) => t(a.at) - t(b.at) || a.incidentId - b.incidentId);
  // A reminder is answered by a later update (or the resolution) of the same incident within the window.
  const lastAnswer = new Map<number, TimelineEvent>();
  for (const e of events) {
    if (!ANSWER_KINDS.has(e.kind)) continue;
    const prev = lastAnswer.get(e.incidentId);
    if (!prev || t(e.at) > t(prev.at) || (t(e.at) === t(prev.at) && e.id > prev.id)) lastAnswer.set(e.incidentId, e);
  }
  const unansweredReminders = events
    .filter((r) => r.kind === 'reminder')
    .filter((r) => {
      const a = lastAnswer.get(r.incidentId);
      return !a || t(a.at) < t(r.at) || (t(a.at) === t(r.at) && a.id < r.id);
    })
    .map(item);

  const body = {
    window: w,
    generatedAt: input.now,
    open,
    shift,
    steps: { total: attempts.length, byState, notable },
    pages,
    unansweredReminders,
    notes: input.notes.filter((n) => within(n.at, w)).map(({ at, author, text, incidentId }) => ({ at, author, text, incidentId })),
    checks: input.checks,
    onCall: input.onCall,
  };
  return { ...body, headline: headline(body, severities) };
}

/** The checks part of a summary from what the checks runner answered. */
export function checksSection(runbookId: string | undefined, results: CheckResult[] | Error | undefined): HandoffSummary['checks'] {
  if (!runbookId) return { state: 'not_configured' };
  if (results === undefined) return { state: 'unavailable', runbookId, reason: 'the run engine is not available in this process' };
  if (results instanceof Error) return { state: 'unavailable', runbookId, reason: results.message };
  return { state: 'ran', runbookId, ok: results.every((r) => r.state === 'succeeded' || r.state === 'skipped'), results };
}
