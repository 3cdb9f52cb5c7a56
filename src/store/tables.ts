/**
 * Kysely table types. Conventions for every table (both engines):
 * - times are epoch milliseconds in `bigint` columns (`*_at`, `*_until`), read back as numbers;
 * - JSON is `text`, parsed/serialized by the repository;
 * - generated ids are `Generated<number>`.
 * Tables added by later migrations add their interface here and a key in `Tables`.
 */
import type { Generated } from 'kysely';

export interface IncidentsTable {
  /** Assigned from `counters` ('incident'), so ids are 1, 2, 3… without gaps. */
  id: number;
  title: string;
  /** title.trim().toLowerCase(), for the case-insensitive duplicate check. */
  title_key: string;
  severity: string;
  status: string;
  commander: string;
  opened_by: string;
  summary: string | null;
  service: string | null;
  system: string | null;
  channel: string;
  source_channel: string;
  card_ts: string | null;
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  resolution: string | null;
  last_update_at: number;
  last_reminder_at: number | null;
  version: number;
}

export interface EventsTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  actor: string;
  kind: string;
  text: string;
  /** JSON object or null. */
  data: string | null;
}

export interface EffectsTable {
  id: Generated<number>;
  incident_id: number;
  target: string;
  /** JSON of EffectPayload. */
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  /** Lease: a claimed effect is not due again before this time. Null when not claimed. */
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
}

/** Named counters (`incident` -> last incident id). */
interface CountersTable {
  name: string;
  value: number;
}

/** Idempotency keys: a row exists once a key has been claimed. */
interface ClaimsTable {
  key: string;
  claimed_at: number;
}

/** Delivery claims (see deliveries.ts): `claimed` while a replica works on it, then `done` until `expires_at`. */
interface DeliveriesTable {
  key: string;
  owner: string;
  state: string;
  lease_until: number | null;
  claimed_at: number;
  expires_at: number;
}

/** Named leases for work that one replica at a time must do (schedulers). */
interface LeasesTable {
  name: string;
  owner: string;
  until: number;
}

/** opsroom incident -> PagerDuty incident (one each way). */
interface PagerLinksTable {
  incident_id: number;
  pager_id: string;
  url: string;
}

/** Newest PagerDuty webhook time applied per PagerDuty incident and ordering stream. */
interface PagerEventOrderTable {
  pager_id: string;
  stream: string;
  last_at: number;
}

/** One alert group (Alertmanager or Grafana groupKey) and the incident it opened. */
export interface AlertGroupsTable {
  source: string;
  group_key: string;
  incident_id: number | null;
  status: string;
  labels: string;
  runbook: string | null;
  received_at: number;
  resolved_at: number | null;
  quiet_until: number | null;
}

/** One alert (by fingerprint) inside a group, with the rate limit of its thread lines. */
export interface AlertsTable {
  source: string;
  group_key: string;
  fingerprint: string;
  status: string;
  labels: string;
  changed_at: number;
  line_at: number | null;
  unposted: number;
}

export interface Tables {
  incidents: IncidentsTable;
  events: EventsTable;
  effects: EffectsTable;
  counters: CountersTable;
  claims: ClaimsTable;
  deliveries: DeliveriesTable;
  leases: LeasesTable;
  pager_links: PagerLinksTable;
  pager_event_order: PagerEventOrderTable;
  alert_groups: AlertGroupsTable;
  alerts: AlertsTable;
  follow_ups: FollowUpsTable;
}

/** Action items of incidents (011_follow_ups). */
export interface FollowUpsTable {
  id: Generated<number>;
  incident_id: number;
  text: string;
  owner: string | null;
  created_by: string;
  created_at: number;
  done_by: string | null;
  done_at: number | null;
  issue_url: string | null;
}
