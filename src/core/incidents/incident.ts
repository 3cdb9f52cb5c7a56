import type { Status } from './status.js';

/** An incident as stored. Users are Slack user IDs; times are Dates. */
export interface Incident {
  id: number;
  title: string;
  severity: string;
  status: Status;
  commander: string;
  openedBy: string;
  summary: string | null;
  service: string | null;
  /** The system it concerns (a runbook folder, an inventory and opsroom.yml system); null when unknown. */
  system: string | null;
  /** Channel the card lives in (the incidents channel). */
  channel: string;
  /** Channel the incident was declared from (for the 60 s duplicate check). */
  sourceChannel: string;
  /** ts of the card message, which is also the thread ts. Null until Slack has accepted the card. */
  cardTs: string | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  /** When a remediation was verified to have stopped the impact (time to mitigate). */
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  resolution: string | null;
  /** Last status update (or opening); drives update reminders. */
  lastUpdateAt: Date;
  lastReminderAt: Date | null;
  /** Optimistic concurrency: every change increments it. */
  version: number;
}

export const incidentKey = (id: number) => `INC-${id}`;

export function parseIncidentKey(s: string): number | undefined {
  const m = /^(?:INC-?)?(\d+)$/i.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

export type NewIncident = Pick<
  Incident,
  'title' | 'severity' | 'commander' | 'openedBy' | 'summary' | 'service' | 'channel' | 'sourceChannel' | 'createdAt'
> & { system?: string | null };

export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'title' | 'severity' | 'status' | 'commander' | 'summary' | 'service' | 'system' | 'cardTs'
    | 'acknowledgedAt' | 'acknowledgedBy' | 'mitigatedAt' | 'resolvedAt' | 'resolution' | 'lastUpdateAt' | 'lastReminderAt'
  >
>;
