import { said } from '../said.js';
import { formatDuration } from './format.js';
import type { Incident } from './incident.js';
import type { TimelineEvent } from './timeline.js';

export const timeToAcknowledge = (i: Incident) =>
  i.acknowledgedAt ? i.acknowledgedAt.getTime() - i.createdAt.getTime() : null;
export const timeToMitigate = (i: Incident) => (i.mitigatedAt ? i.mitigatedAt.getTime() - i.createdAt.getTime() : null);
export const timeToResolve = (i: Incident) => (i.resolvedAt ? i.resolvedAt.getTime() - i.createdAt.getTime() : null);

/** Counts of timeline events by kind, most frequent first: "3 updates · 1 severity change". */
export function timelineCounts(events: readonly TimelineEvent[]): string {
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

/** The resolve message: resolution, time to acknowledge and resolve, timeline summary. */
export function resolutionText(i: Incident, events: readonly TimelineEvent[], actor: string): string {
  const tta = timeToAcknowledge(i);
  const ttr = timeToResolve(i);
  const ttm = timeToMitigate(i);
  const lines = [
    `:white_check_mark: ${/^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : actor} resolved the incident.${i.resolution ? ` ${said(i.resolution)}` : ''}`,
    `*Time to acknowledge:* ${tta === null ? 'never acknowledged' : formatDuration(tta)} · *Time to mitigate:* ${ttm === null ? 'no verified recovery' : formatDuration(ttm)} · *Time to resolve:* ${ttr === null ? '—' : formatDuration(ttr)}`,
    `*Timeline:* ${timelineCounts(events)}`,
  ];
  return lines.join('\n');
}
