/** What alert intake needs from storage. Implemented by src/store/alerts.ts. */
import type { NewEffect } from '../effects.js';
import type { Incident, IncidentPatch, NewIncident } from '../incidents/incident.js';
import type { NewEvent, TimelineEvent } from '../incidents/timeline.js';
import type { AlertSource, AlertStatus } from './alert.js';

export interface AlertGroupState {
  incidentId: number | null;
  status: AlertStatus;
  labels: Record<string, string>;
  /** The opsroom runbook the alert names (suggested first). */
  runbook: string | null;
  resolvedAt: Date | null;
  quietUntil: Date | null;
}

export interface StoredAlert {
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  changedAt: Date;
  lineAt: Date | null;
  unposted: number;
}

/** A group as stored, read while it is locked. `group` is null the first time a key is seen. */
export interface GroupSnapshot {
  group: AlertGroupState | null;
  alerts: StoredAlert[];
  incident: Incident | null;
  history: TimelineEvent[];
}

/** What to store, atomically, for one delivery (or one quiet-period check). */
export interface GroupPlan {
  group: AlertGroupState;
  alerts: StoredAlert[];
  /** A new incident; the group then points at it. */
  open?: { incident: NewIncident; events: NewEvent[]; effects: NewEffect[] };
  /** A change to the group's incident, at the version read. */
  change?: { patch: IncidentPatch; events: NewEvent[]; effects: NewEffect[] };
  outcome: AlertOutcome;
}

export type AlertOutcome = 'opened' | 'joined' | 'repeat' | 'resolved' | 'recorded' | 'quiet-resolved' | 'unchanged';

export interface AlertStore {
  /**
   * Locks the group (creating its row), reads it with its alerts and incident, and stores what
   * `decide` returns in the same transaction: two replicas given the same delivery open one incident.
   * Throws CodedError(conflict) when the incident changed meanwhile (the caller decides again).
   */
  withGroup(source: AlertSource, groupKey: string, now: Date, decide: (s: GroupSnapshot) => GroupPlan): Promise<{ plan: GroupPlan; incidentId: number | null }>;
  /** Groups whose quiet period ended at or before `now`. */
  dueQuiet(now: Date): Promise<Array<{ source: AlertSource; groupKey: string }>>;
  /** The group whose incident this is (the newest), for suggestions and runbook parameters. */
  forIncident(incidentId: number): Promise<{ runbook: string | null; labels: Record<string, string> } | undefined>;
}
