import { z } from 'zod';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { PagerIncidentSnapshot } from '#core/incidents/pager-events.js';

const Ref = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  summary: z.string().nullish(),
  html_url: z.string().nullish(),
});

/** The Webhooks v3 envelope: `{ event: { id, event_type, resource_type, occurred_at, agent, data } }`. */
const WebhookEnvelopeSchema = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string(),
    occurred_at: z.iso.datetime({ offset: true }),
    agent: Ref.nullish(),
    data: z.looseObject({}),
  }),
});

const IncidentDataSchema = z.looseObject({
  id: z.string(),
  type: z.literal('incident'),
  html_url: z.string(),
  number: z.number().int().nullish(),
  title: z.string().nullish(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  incident_key: z.string().nullish(),
  urgency: z.string().nullish(),
  service: Ref,
  assignees: z.array(Ref).nullish(),
  escalation_policy: Ref.nullish(),
  priority: Ref.nullish(),
});

const NoteDataSchema = z.looseObject({
  id: z.string(),
  type: z.literal('incident_note'),
  content: z.string(),
  incident: Ref,
});

const named = (r: z.infer<typeof Ref>) => ({ id: r.id, name: r.summary ?? r.id });
type Named = ReturnType<typeof named>;

/** A PagerDuty incident as a webhook shows it: the core's snapshot, at `occurredAt`. */
type PdIncidentSnapshot = PagerIncidentSnapshot;

interface Base {
  eventId: string;
  occurredAt: Date;
  /** Who did it in PagerDuty (a user, or a service for automatic changes); null when unknown. */
  agent: (Named & { type: string }) | null;
}

const INCIDENT_EVENT_TYPES = [
  'incident.triggered', 'incident.acknowledged', 'incident.resolved', 'incident.reassigned',
  'incident.escalated', 'incident.priority_updated',
] as const;
type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export type PagerDutyEvent =
  | (Base & { type: IncidentEventType; incident: PdIncidentSnapshot })
  | (Base & { type: 'incident.annotated'; incident: { id: string; url: string | null; title: string | null }; note: { id: string; content: string } });

/** An event opsroom does not act on (acknowledge with 2xx and drop). */
export interface IgnoredEvent {
  type: 'ignored';
  eventId: string;
  eventType: string;
}

function snapshot(d: z.infer<typeof IncidentDataSchema>): PdIncidentSnapshot {
  return {
    id: d.id,
    url: d.html_url,
    number: d.number ?? null,
    title: d.title ?? '',
    status: d.status,
    incidentKey: d.incident_key ?? null,
    urgency: d.urgency ?? null,
    service: named(d.service),
    assignees: (d.assignees ?? []).map(named),
    escalationPolicy: d.escalation_policy ? named(d.escalation_policy) : null,
    priority: d.priority ? named(d.priority) : null,
  };
}

const bad = (why: string) => new CodedError(ErrorCode.BadInput, `Malformed PagerDuty webhook: ${why}`);

function issues(e: z.ZodError) {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses a Webhooks v3 body. Throws CodedError(bad_input) when it is not one. */
export function parseWebhook(rawBody: Buffer | string): PagerDutyEvent | IgnoredEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString());
  } catch {
    throw bad('the body is not JSON');
  }
  // Only the id and type matter for events opsroom does not act on; their shape may differ.
  const head = z.looseObject({ event: z.looseObject({ id: z.string().min(1), event_type: z.string().min(1) }) }).safeParse(json);
  if (!head.success) throw bad(issues(head.error));
  const type = head.data.event.event_type;
  if (type !== 'incident.annotated' && !(INCIDENT_EVENT_TYPES as readonly string[]).includes(type)) {
    return { type: 'ignored', eventId: head.data.event.id, eventType: type };
  }
  const env = WebhookEnvelopeSchema.safeParse(json);
  if (!env.success) throw bad(issues(env.error));
  const ev = env.data.event;
  const base: Base = {
    eventId: ev.id,
    occurredAt: new Date(ev.occurred_at),
    agent: ev.agent ? { ...named(ev.agent), type: ev.agent.type ?? 'unknown' } : null,
  };
  if (ev.event_type === 'incident.annotated') {
    const note = NoteDataSchema.safeParse(ev.data);
    if (!note.success) throw bad(issues(note.error));
    const inc = note.data.incident;
    return {
      ...base,
      type: 'incident.annotated',
      incident: { id: inc.id, url: inc.html_url ?? null, title: inc.summary ?? null },
      note: { id: note.data.id, content: note.data.content },
    };
  }
  const data = IncidentDataSchema.safeParse(ev.data);
  if (!data.success) throw bad(issues(data.error));
  return { ...base, type: ev.event_type as IncidentEventType, incident: snapshot(data.data) };
}

/**
 * Which ordering stream an event belongs to, for dropping stale deliveries: keep, per PagerDuty
 * incident and stream, the newest `occurredAt` applied, and skip an event that is not newer.
 * Notes (`null`) are never stale: each is appended once (deduplicated by event id).
 */
function orderingStream(e: PagerDutyEvent): 'status' | 'assignment' | 'priority' | null {
  switch (e.type) {
    case 'incident.triggered':
    case 'incident.acknowledged':
    case 'incident.resolved':
      return 'status';
    case 'incident.reassigned':
    case 'incident.escalated':
      return 'assignment';
    case 'incident.priority_updated':
      return 'priority';
    default:
      return null;
  }
}

/**
 * Remembers the newest `occurredAt` applied per PagerDuty incident and ordering stream, in memory.
 * Several replicas need the same rule backed by a table (see orderingStream).
 */
export class LastApplied {
  private readonly seen = new Map<string, number>();

  /** True when an event of the same incident and stream, at or after this one, was applied. */
  isStale(e: PagerDutyEvent): boolean {
    const stream = orderingStream(e);
    if (!stream) return false;
    const last = this.seen.get(`${e.incident.id}/${stream}`);
    return last !== undefined && last >= e.occurredAt.getTime();
  }

  markApplied(e: PagerDutyEvent): void {
    const stream = orderingStream(e);
    if (!stream) return;
    const k = `${e.incident.id}/${stream}`;
    this.seen.set(k, Math.max(this.seen.get(k) ?? 0, e.occurredAt.getTime()));
  }
}
