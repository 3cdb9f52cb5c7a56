import type { Incident } from './incident.js';
import type { IncidentLine } from './lines.js';
import type { TimelineEvent } from './timeline.js';

export const timeToAcknowledge = (i: Incident) =>
  i.acknowledgedAt ? i.acknowledgedAt.getTime() - i.createdAt.getTime() : null;
export const timeToMitigate = (i: Incident) => (i.mitigatedAt ? i.mitigatedAt.getTime() - i.createdAt.getTime() : null);
export const timeToResolve = (i: Incident) => (i.resolvedAt ? i.resolvedAt.getTime() - i.createdAt.getTime() : null);

/** Counts of timeline events by kind, most frequent first: "3 updates · 1 severity change". */
function timelineCounts(events: readonly TimelineEvent[]): string {
  const names: Record<string, [string, string]> = {
    update: ['update', 'updates'], status: ['status change', 'status changes'],
    severity: ['severity change', 'severity changes'], commander: ['commander change', 'commander changes'],
    step: ['runbook step', 'runbook steps'], run: ['runbook run', 'runbook runs'], page: ['page', 'pages'],
    escalation: ['escalation', 'escalations'], reminder: ['reminder', 'reminders'], note: ['note', 'notes'],
    approval: ['approval', 'approvals'], denial: ['denial', 'denials'], reopened: ['reopen', 'reopens'],
  };
  const counts = new Map<string, number>();
  for (const e of events) if (names[e.kind]) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${names[k][n === 1 ? 0 : 1]}`)
    .join(' · ') || 'no other events';
}

/** The resolve line: resolution, time to acknowledge, mitigate and resolve, timeline summary. */
export function resolvedLine(i: Incident, events: readonly TimelineEvent[], actor: string): IncidentLine {
  return {
    kind: 'resolved', actor, resolution: i.resolution,
    ackMs: timeToAcknowledge(i), mitigateMs: timeToMitigate(i), resolveMs: timeToResolve(i), timeline: timelineCounts(events),
  };
}
