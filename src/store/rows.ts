/** Row <-> domain mapping. Times are epoch ms (numbers); PostgreSQL may hand back strings, hence Number(). */
import type { Effect, EffectPayload, EffectState, EffectTarget, NewEffect } from '#core/effects.js';
import type { Incident, IncidentPatch } from '#core/incidents/incident.js';
import type { Status } from '#core/incidents/status.js';
import type { EventKind, NewEvent, TimelineEvent } from '#core/incidents/timeline.js';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { EffectsTable, EventsTable, IncidentsTable } from './tables.js';
import type { Insertable, Selectable, Updateable } from 'kysely';

export function toMs(d: Date): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new CodedError(ErrorCode.BadInput, `Not a valid time: ${String(d)}`);
  return ms;
}
const msOrNull = (d: Date | null) => (d === null ? null : toMs(d));
const date = (v: number | string) => new Date(Number(v));
const dateOrNull = (v: number | string | null) => (v === null ? null : date(v));

export const titleKey = (title: string) => title.trim().toLowerCase();

export function toIncident(r: Selectable<IncidentsTable>): Incident {
  return {
    id: Number(r.id),
    title: r.title,
    severity: r.severity,
    status: r.status as Status,
    commander: r.commander,
    openedBy: r.opened_by,
    summary: r.summary,
    service: r.service,
    system: r.system,
    channel: r.channel,
    sourceChannel: r.source_channel,
    cardTs: r.card_ts,
    createdAt: date(r.created_at),
    acknowledgedAt: dateOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    mitigatedAt: dateOrNull(r.mitigated_at),
    resolvedAt: dateOrNull(r.resolved_at),
    resolution: r.resolution,
    lastUpdateAt: date(r.last_update_at),
    lastReminderAt: dateOrNull(r.last_reminder_at),
    version: Number(r.version),
  };
}

/** Only the fields present in the patch; `undefined` means "leave as is". */
export function patchRow(p: IncidentPatch): Updateable<IncidentsTable> {
  const row: Updateable<IncidentsTable> = {};
  if (p.title !== undefined) Object.assign(row, { title: p.title, title_key: titleKey(p.title) });
  if (p.severity !== undefined) row.severity = p.severity;
  if (p.status !== undefined) row.status = p.status;
  if (p.commander !== undefined) row.commander = p.commander;
  if (p.summary !== undefined) row.summary = p.summary;
  if (p.service !== undefined) row.service = p.service;
  if (p.system !== undefined) row.system = p.system;
  if (p.mitigatedAt !== undefined) row.mitigated_at = msOrNull(p.mitigatedAt);
  if (p.cardTs !== undefined) row.card_ts = p.cardTs;
  if (p.acknowledgedAt !== undefined) row.acknowledged_at = msOrNull(p.acknowledgedAt);
  if (p.acknowledgedBy !== undefined) row.acknowledged_by = p.acknowledgedBy;
  if (p.resolvedAt !== undefined) row.resolved_at = msOrNull(p.resolvedAt);
  if (p.resolution !== undefined) row.resolution = p.resolution;
  if (p.lastUpdateAt !== undefined) row.last_update_at = toMs(p.lastUpdateAt);
  if (p.lastReminderAt !== undefined) row.last_reminder_at = msOrNull(p.lastReminderAt);
  return row;
}

export function eventRow(incidentId: number, e: NewEvent): Insertable<EventsTable> {
  return {
    incident_id: incidentId,
    at: toMs(e.at),
    actor: e.actor,
    kind: e.kind,
    text: e.text,
    data: e.data === null || e.data === undefined ? null : JSON.stringify(e.data),
  };
}

export function toEvent(r: Selectable<EventsTable>): TimelineEvent {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    at: date(r.at),
    actor: r.actor,
    kind: r.kind as EventKind,
    text: r.text,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  };
}

export function effectRow(incidentId: number, e: NewEffect, atMs: number): Insertable<EffectsTable> {
  return {
    incident_id: incidentId,
    target: e.target,
    payload: JSON.stringify(e.payload),
    state: 'pending',
    attempts: 0,
    next_attempt_at: atMs,
    locked_until: null,
    last_error: null,
    created_at: atMs,
  };
}

export function toEffect(r: Selectable<EffectsTable>): Effect {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    target: r.target as EffectTarget,
    payload: JSON.parse(r.payload) as EffectPayload,
    state: r.state as EffectState,
    attempts: Number(r.attempts),
    nextAttemptAt: date(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: date(r.created_at),
  };
}
