/** Every change to an incident is one timeline event: who, when, what. */
const EVENT_KINDS = [
  'opened', 'acknowledged', 'update', 'status', 'severity', 'commander', 'resolved', 'reopened',
  'reminder', 'note', 'run', 'step', 'approval', 'denial', 'page', 'escalation', 'pagerduty',
  'followup',
  'system',
  'mitigated', 'regressed',
  'message', 'timeline',
  'alert',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface TimelineEvent {
  id: number;
  incidentId: number;
  at: Date;
  /** Slack user ID, or `opsroom` / `pagerduty` for the system. */
  actor: string;
  kind: EventKind;
  text: string;
  data: Record<string, unknown> | null;
}

export type NewEvent = Omit<TimelineEvent, 'id' | 'incidentId'>;
