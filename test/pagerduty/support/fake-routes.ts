/** The PagerDuty behaviour behind the fake: incidents with incident_key dedupe, notes, on-calls. */
import type { IncomingHttpHeaders } from 'node:http';
import { pdError, type FakeData, type FakeIncident } from './fake-model.js';

type Answer = [number, unknown];
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const notFound = (): Answer => [404, pdError('Not Found', 2100)];
const invalid = (...errors: string[]): Answer => [400, pdError('Invalid Input Provided', 2001, errors)];

function page<T>(fake: FakeData, q: URLSearchParams, items: T[], key: string): Answer {
  const limit = Math.min(Number(q.get('limit') ?? 25), fake.maxLimit);
  const offset = Number(q.get('offset') ?? 0);
  const slice = items.slice(offset, offset + limit);
  return [200, { [key]: slice, limit, offset, more: offset + slice.length < items.length, total: null }];
}

export function routeFake(
  fake: FakeData, method: string, template: string, params: Record<string, string>,
  q: URLSearchParams, body: Body | undefined, headers: IncomingHttpHeaders,
): Answer {
  const now = fake.now();
  const requester = [...fake.users.values()].find((u) => u.email === headers.from);
  const route = `${method} ${template}`;
  switch (route) {
    case 'GET /incidents': {
      const key = q.get('incident_key');
      const statuses = q.getAll('statuses[]');
      const list = [...fake.incidents.values()]
        .filter((i) => (key === null || i.incidentKey === key) && (!statuses.length || statuses.includes(i.status)))
        .map((i) => fake.incidentJson(i));
      return page(fake, q, list, 'incidents');
    }
    case 'POST /incidents': {
      if (!requester) return invalid('Requester User Not Found');
      const b = body!.incident;
      const svc = fake.services.get(b.service.id);
      if (!svc) return invalid('Service Not Found');
      const key: string | null = b.incident_key ?? null;
      if (key && [...fake.incidents.values()].some((i) => i.incidentKey === key && i.serviceId === svc.id && i.status !== 'resolved')) {
        return invalid('Open incident with matching dedup key already exists on this service');
      }
      if (b.priority && !fake.priorities.has(b.priority.id)) return invalid('Priority Not Found');
      const policyId = b.escalation_policy?.id ?? svc.escalationPolicyId;
      const inc: FakeIncident = {
        id: `Q${(fake.incidents.size + 1).toString().padStart(6, '0')}`, number: fake.incidents.size + 1, title: b.title,
        status: 'triggered', incidentKey: key, serviceId: svc.id, urgency: b.urgency ?? 'high', priorityId: b.priority?.id ?? null,
        escalationPolicyId: policyId, escalationLevel: 1, resolution: null, notes: [], createdAt: now, updatedAt: now,
      };
      fake.incidents.set(inc.id, inc);
      return [201, { incident: fake.incidentJson(inc) }];
    }
    case 'GET /incidents/{id}': {
      const inc = fake.incidents.get(params.id);
      return inc ? [200, { incident: fake.incidentJson(inc) }] : notFound();
    }
    case 'PUT /incidents/{id}': {
      const inc = fake.incidents.get(params.id);
      if (!inc) return notFound();
      if (!requester) return invalid('Requester User Not Found');
      return updateIncident(fake, inc, body!.incident, now);
    }
    case 'POST /incidents/{id}/notes': {
      const inc = fake.incidents.get(params.id);
      if (!inc) return notFound();
      if (!requester) return invalid('Requester User Not Found');
      const note = { id: `N${inc.notes.length + 1}${inc.id}`, content: body!.note.content, userId: requester.id, createdAt: now };
      inc.notes.push(note);
      return [201, { note: { id: note.id, content: note.content, created_at: now.toISOString(), user: fake.userRef(requester.id) } }];
    }
    case 'GET /services/{id}': {
      const s = fake.services.get(params.id);
      if (!s) return notFound();
      const p = fake.policies.get(s.escalationPolicyId)!;
      return [200, { service: { id: s.id, type: 'service', name: s.name, summary: s.name, status: 'active', escalation_policy: { id: p.id, type: 'escalation_policy_reference', summary: p.name } } }];
    }
    case 'GET /escalation_policies/{id}': {
      const p = fake.policies.get(params.id);
      return p ? [200, { escalation_policy: fake.policyJson(p) }] : notFound();
    }
    case 'GET /users/{id}': {
      const u = fake.users.get(params.id);
      return u ? [200, { user: fake.userJson(u) }] : notFound();
    }
    case 'GET /oncalls':
      return onCalls(fake, q, now);
    default:
      return [404, pdError(`The fake does not implement ${route}`, 2100)];
  }
}

function updateIncident(fake: FakeData, inc: FakeIncident, b: Body, now: Date): Answer {
  if (b.status === 'resolved' && inc.status === 'resolved') return invalid('Incident Already Resolved');
  if (b.status) {
    // PagerDuty: acknowledging or triggering a resolved incident reopens it.
    inc.status = b.status;
    if (b.status === 'resolved' && b.resolution) inc.resolution = b.resolution;
  }
  if (b.urgency) inc.urgency = b.urgency;
  if (b.priority) {
    const id = typeof b.priority === 'string' ? [...fake.priorities].find(([, n]) => n === b.priority)?.[0] : b.priority.id;
    if (!id || !fake.priorities.has(id)) return invalid('Priority Not Found');
    inc.priorityId = id;
  }
  if (b.escalation_policy) {
    if (!fake.policies.has(b.escalation_policy.id)) return invalid('Escalation Policy Not Found');
    inc.escalationPolicyId = b.escalation_policy.id;
    inc.escalationLevel = 1;
  }
  if (b.escalation_level !== undefined) {
    const levels = fake.policies.get(inc.escalationPolicyId)!.levels.length;
    if (b.escalation_level < 1 || b.escalation_level > levels) return invalid(`Escalation level must be between 1 and ${levels}`);
    inc.escalationLevel = b.escalation_level;
  }
  if (b.title) inc.title = b.title;
  inc.updatedAt = now;
  return [200, { incident: fake.incidentJson(inc) }];
}

function onCalls(fake: FakeData, q: URLSearchParams, now: Date): Answer {
  const since = q.has('since') ? new Date(q.get('since')!) : now;
  const until = q.has('until') ? new Date(q.get('until')!) : now;
  if (until < since) return invalid('until cannot be before since');
  const policies = q.getAll('escalation_policy_ids[]');
  const withUsers = q.getAll('include[]').includes('users');
  const list = fake.allShifts()
    .filter((s) => (!policies.length || policies.includes(s.policyId)))
    .filter((s) => (!s.start || s.start <= until) && (!s.end || s.end > since))
    .sort((a, b) => a.policyId.localeCompare(b.policyId) || a.level - b.level || (a.start?.getTime() ?? 0) - (b.start?.getTime() ?? 0))
    .map((s) => {
      const p = fake.policies.get(s.policyId)!;
      const u = fake.users.get(s.userId)!;
      return {
        escalation_policy: { id: p.id, type: 'escalation_policy_reference', summary: p.name },
        escalation_level: s.level,
        user: withUsers ? fake.userJson(u) : fake.userRef(u.id),
        schedule: null,
        start: s.start?.toISOString() ?? null,
        end: s.end?.toISOString() ?? null,
      };
    });
  return page(fake, q, list, 'oncalls');
}
