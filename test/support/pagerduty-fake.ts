/**
 * A stateful local PagerDuty REST API for tests. Every request is checked against PagerDuty's
 * published OpenAPI document; a request that breaks it is answered 400 and kept in `violations`.
 * It can be told to fail (status, 429 with or without headers, hang, reset).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { OpenApiChecker } from '../pagerduty/support/openapi-check.js';
import { routeFake } from '../pagerduty/support/fake-routes.js';
import { signatureHeader } from '#pagerduty/webhook-signature.js';

const REST_SPEC = process.env.PAGERDUTY_REST_SPEC ?? new URL('../fixtures/specs/pagerduty/rest-openapiv3.json', import.meta.url);
let checker: OpenApiChecker | undefined;
const specChecker = () => (checker ??= new OpenApiChecker(JSON.parse(readFileSync(REST_SPEC, 'utf8'))));

import { pdError, type FakeData, type FakeIncident, type FakePolicy, type FakeService, type FakeShift, type FakeUser } from '../pagerduty/support/fake-model.js';

export type { FakeIncident, FakePolicy, FakeService, FakeShift, FakeUser } from '../pagerduty/support/fake-model.js';
export interface RecordedRequest { method: string; path: string; query: string; body: unknown; status: number }
export interface Violation { method: string; path: string; problems: string[] }
export type Failure =
  | { status: number; headers?: Record<string, string>; body?: unknown; raw?: string }
  | 'hang' | 'reset';
export interface FailureRule { method?: string; path?: RegExp; times: number; failure: Failure }

export class PagerDutyFake implements FakeData {
  readonly users = new Map<string, FakeUser>();
  readonly policies = new Map<string, FakePolicy>();
  readonly services = new Map<string, FakeService>();
  readonly priorities = new Map<string, string>();
  readonly shifts: FakeShift[] = [];
  readonly incidents = new Map<string, FakeIncident>();
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  private readonly rules: FailureRule[] = [];
  private seq = 0;
  /** Largest page the fake hands out (lower it to exercise pagination). */
  maxLimit = 100;
  now: () => Date = () => new Date();
  url = '';

  private constructor(readonly token: string, private readonly server: http.Server) {}

  static async start(opts: { token?: string; tls?: { key: string; cert: string } } = {}): Promise<PagerDutyFake> {
    const server = opts.tls ? https.createServer(opts.tls) : http.createServer();
    const fake = new PagerDutyFake(opts.token ?? 'fake-token', server);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    fake.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private id(prefix: string) {
    return `${prefix}${(++this.seq).toString(36).toUpperCase().padStart(6, '0')}`;
  }

  addUser(name: string, email: string): FakeUser {
    const u = { id: this.id('PU'), name, email };
    this.users.set(u.id, u);
    return u;
  }
  addPolicy(name: string, levels: string[][]): FakePolicy {
    const p = { id: this.id('PE'), name, levels };
    this.policies.set(p.id, p);
    return p;
  }
  addService(name: string, escalationPolicyId: string): FakeService {
    const s = { id: this.id('PS'), name, escalationPolicyId };
    this.services.set(s.id, s);
    return s;
  }
  addPriority(name: string): string {
    const id = this.id('PP');
    this.priorities.set(id, name);
    return id;
  }
  addShift(shift: FakeShift) {
    this.shifts.push(shift);
  }
  /** An incident raised inside PagerDuty (by a monitor or a person), not through the API. */
  createIncident(o: { title: string; serviceId: string; urgency?: 'high' | 'low'; incidentKey?: string; priorityId?: string }): FakeIncident {
    const svc = this.services.get(o.serviceId);
    if (!svc) throw new Error(`no fake service ${o.serviceId}`);
    const now = this.now();
    const inc: FakeIncident = {
      id: `Q${(this.incidents.size + 1).toString().padStart(6, '0')}`, number: this.incidents.size + 1, title: o.title,
      status: 'triggered', incidentKey: o.incidentKey ?? null, serviceId: svc.id, urgency: o.urgency ?? 'high',
      priorityId: o.priorityId ?? null, escalationPolicyId: svc.escalationPolicyId, escalationLevel: 1, resolution: null,
      notes: [], createdAt: now, updatedAt: now,
    };
    this.incidents.set(inc.id, inc);
    return inc;
  }
  /** The next `times` requests matching method/path fail this way. */
  fail(failure: Failure, opts: { times?: number; method?: string; path?: RegExp } = {}) {
    this.rules.push({ failure, times: opts.times ?? 1, method: opts.method, path: opts.path });
  }
  requestsTo(method: string, path: RegExp) {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }
  incidentByKey(key: string) {
    return [...this.incidents.values()].filter((i) => i.incidentKey === key);
  }

  // ---- JSON views -------------------------------------------------------------------------

  private ref(type: string, id: string, summary: string, path: string) {
    return { id, type: `${type}_reference`, summary, self: `${this.url}/${path}/${id}`, html_url: `${this.url}/web/${path}/${id}` };
  }
  userRef(id: string) {
    return this.ref('user', id, this.users.get(id)?.name ?? id, 'users');
  }
  userJson(u: FakeUser) {
    return { id: u.id, type: 'user', name: u.name, summary: u.name, email: u.email, self: `${this.url}/users/${u.id}`, html_url: `${this.url}/web/users/${u.id}` };
  }
  policyJson(p: FakePolicy) {
    return {
      id: p.id, type: 'escalation_policy', name: p.name, summary: p.name, num_loops: 0,
      escalation_rules: p.levels.map((ids, i) => ({ id: `${p.id}R${i + 1}`, escalation_delay_in_minutes: 30, targets: ids.map((u) => this.userRef(u)) })),
    };
  }
  /** Scheduled shifts, plus permanent on-calls for policy levels that target users directly. */
  allShifts(): FakeShift[] {
    const scheduled = new Set(this.shifts.map((s) => `${s.policyId}/${s.level}`));
    const direct = [...this.policies.values()].flatMap((p) =>
      p.levels.flatMap((ids, i) => (scheduled.has(`${p.id}/${i + 1}`) ? [] : ids.map((userId) => ({ policyId: p.id, level: i + 1, userId, start: null, end: null })))),
    );
    return [...this.shifts, ...direct];
  }
  onCallUsers(policyId: string, level: number, at: Date): string[] {
    return this.allShifts()
      .filter((s) => s.policyId === policyId && s.level === level && (!s.start || s.start <= at) && (!s.end || s.end > at))
      .map((s) => s.userId);
  }
  incidentJson(i: FakeIncident) {
    const svc = this.services.get(i.serviceId)!;
    const policy = this.policies.get(i.escalationPolicyId)!;
    return {
      id: i.id, type: 'incident', summary: `[#${i.number}] ${i.title}`, self: `${this.url}/incidents/${i.id}`,
      html_url: `${this.url}/web/incidents/${i.id}`, incident_number: i.number, title: i.title,
      created_at: i.createdAt.toISOString(), updated_at: i.updatedAt.toISOString(), status: i.status,
      incident_key: i.incidentKey, urgency: i.urgency,
      service: this.ref('service', svc.id, svc.name, 'services'),
      escalation_policy: this.ref('escalation_policy', policy.id, policy.name, 'escalation_policies'),
      priority: i.priorityId ? this.ref('priority', i.priorityId, this.priorities.get(i.priorityId)!, 'priorities') : null,
      assignments: i.status === 'resolved' ? [] : this.onCallUsers(policy.id, i.escalationLevel, this.now()).map((u) => ({ at: i.updatedAt.toISOString(), assignee: this.userRef(u) })),
      resolved_at: i.status === 'resolved' ? i.updatedAt.toISOString() : null,
    };
  }

  // ---- webhooks ---------------------------------------------------------------------------

  /** A Webhooks v3 body for an event on one of the fake's incidents, from its current state. */
  webhookEvent(eventType: string, incidentId: string, opts: { eventId?: string; occurredAt?: Date; agentUserId?: string; note?: string } = {}) {
    const i = this.incidents.get(incidentId);
    if (!i) throw new Error(`no fake incident ${incidentId}`);
    const inc = this.incidentJson(i);
    const data = eventType === 'incident.annotated'
      ? { id: this.id('PN'), type: 'incident_note', content: opts.note ?? 'note', trimmed: false, incident: this.ref('incident', i.id, i.title, 'incidents') }
      : { ...inc, number: i.number, assignees: inc.assignments.map((a) => a.assignee), conference_bridge: null, resolve_reason: null };
    return {
      event: {
        id: opts.eventId ?? this.id('01'), event_type: eventType, resource_type: eventType.split('.')[0],
        occurred_at: (opts.occurredAt ?? this.now()).toISOString(),
        agent: opts.agentUserId ? this.userRef(opts.agentUserId) : null, client: null, data,
      },
    };
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    let body: unknown;
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method, path: u.pathname, query: u.search, body, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const rule = this.rules.find((r) => r.times > 0 && (!r.method || r.method === method) && (!r.path || r.path.test(u.pathname)));
    if (rule) {
      rule.times--;
      const f = rule.failure;
      if (f === 'hang') return void this.requests.push({ method, path: u.pathname, query: u.search, body: raw, status: 0 });
      if (f === 'reset') {
        this.requests.push({ method, path: u.pathname, query: u.search, body: raw, status: -1 });
        return void req.socket.destroy();
      }
      return send(f.status, f.raw ?? f.body ?? pdError('Injected failure', 0), f.headers);
    }
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(400, pdError('Invalid JSON', 2001));
    }
    const checked = specChecker().check({ method, path: u.pathname, query: u.searchParams, headers: req.headers, body, hasBody: raw.length > 0 });
    if (checked.problems.length) {
      this.violations.push({ method, path: u.pathname + u.search, problems: checked.problems });
      return send(400, pdError('Invalid Input Provided', 2001, checked.problems));
    }
    if (req.headers.authorization !== `Token token=${this.token}`) return send(401, pdError('Invalid Credentials', 2006));
    const [status, payload] = routeFake(this, method, checked.template!, checked.params, u.searchParams, body as Record<string, unknown> | undefined, req.headers);
    send(status, payload);
  }

  /** POSTs a webhook body signed with `secrets` (or with `signature` verbatim) to `url`. */
  static async sendWebhook(url: string, payload: unknown, secrets: string[] | null, opts: { signature?: string } = {}) {
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'PagerDuty-Webhook/V3.0' };
    const sig = opts.signature ?? (secrets ? signatureHeader(raw, secrets) : undefined);
    if (sig !== undefined) headers['x-pagerduty-signature'] = sig;
    const r = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: await r.text() };
  }
}

export { pdError };
