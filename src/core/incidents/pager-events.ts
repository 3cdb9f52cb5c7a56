/**
 * Applies a pager event (PagerDuty Webhooks v3, already verified and parsed by the adapter) to
 * opsroom incidents. Changes go through IncidentService with `fromPager: true`, so nothing echoes
 * back to the pager. Late deliveries are dropped by a stored ordering rule (per pager incident and
 * stream, the newest event time applied), so it holds across restarts and replicas.
 */
import { CodedError, ErrorCode, isCoded } from '../errors.js';
import type { EscalationContext, Escalator, IncidentStore, PagerRef } from '../ports.js';
import type { IncidentLine } from './lines.js';
import type { Incident } from './incident.js';
import type { IncidentService } from './service.js';
import { TITLE_MAX } from './service.js';

export type PagerStream = 'status' | 'assignment' | 'priority';

/** Which pager incident belongs to which opsroom incident (the store backs it with a table). */
export interface PagerLinkStore {
  get(incidentId: number): Promise<PagerRef | undefined>;
  set(incidentId: number, ref: PagerRef): Promise<void>;
  findIncident(pagerId: string): Promise<number | undefined>;
}

/** Stored ordering: the newest event time applied per pager incident and stream. */
export interface PagerEventOrder {
  /** Stores `at` when it is newer than what is stored; `applied` says whether it was. */
  advance(pagerId: string, stream: PagerStream, at: Date): Promise<{ applied: boolean; previous: Date | null }>;
  /** Takes an advance back (only while `at` is still stored), when its event could not be applied. */
  undo(pagerId: string, stream: PagerStream, at: Date, previous: Date | null): Promise<void>;
}

interface Named { id: string; name: string }

/** A pager incident as the event shows it, at `occurredAt`. */
export interface PagerIncidentSnapshot {
  id: string;
  url: string;
  number: number | null;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  incidentKey: string | null;
  urgency: string | null;
  service: Named;
  assignees: Named[];
  escalationPolicy: Named | null;
  priority: Named | null;
}

interface EventBase { eventId: string; occurredAt: Date; agent: (Named & { type: string }) | null }
type PagerIncidentEventType =
  | 'incident.triggered' | 'incident.acknowledged' | 'incident.resolved' | 'incident.reassigned'
  | 'incident.escalated' | 'incident.priority_updated';

/** Structurally the PagerDuty adapter's `PagerDutyEvent`. */
export type PagerEvent =
  | (EventBase & { type: PagerIncidentEventType; incident: PagerIncidentSnapshot })
  | (EventBase & { type: 'incident.annotated'; incident: { id: string; url: string | null; title: string | null }; note: { id: string; content: string } });

export interface PagerEventDeps {
  incidents: IncidentService;
  store: IncidentStore;
  links: PagerLinkStore;
  order: PagerEventOrder;
  /** The opsroom incident id inside an incident_key opsroom created, else undefined. */
  incidentIdFromKey(key: string | null): number | undefined;
  /** The opsroom service for a watched pager service (`name: null` = the default one); undefined if not watched. */
  watchedService(pagerServiceId: string): { name: string | null; system?: string | null } | undefined;
  /** The opsroom severity for the pager incident's priority/urgency, if one is mapped. */
  severityFor(pd: PagerIncidentSnapshot): string | undefined;
  /** Gives back an idempotency claim (used when opening from the pager fails half way). */
  releaseClaim?(key: string): Promise<void>;
}

export type PagerEventOutcome = 'opened' | 'linked' | 'applied' | 'unchanged' | 'stale' | 'unknown_incident' | 'unwatched' | 'echo';

const PAGER_ACTOR = 'pagerduty';

function pagerStream(e: PagerEvent): PagerStream | null {
  switch (e.type) {
    case 'incident.triggered': case 'incident.acknowledged': case 'incident.resolved': return 'status';
    case 'incident.reassigned': case 'incident.escalated': return 'assignment';
    case 'incident.priority_updated': return 'priority';
    default: return null;
  }
}

/** Notes opsroom itself writes to the pager; their webhooks must not come back into the thread. */
const OWN_NOTE = [/^opsroom incident INC-\d+ /, /^Escalated from opsroom by /];

const who = (e: PagerEvent) => e.agent?.name ?? 'PagerDuty';
const names = (xs: Named[]) => xs.map((x) => x.name).join(', ') || 'nobody';

export class PagerEventHandler {
  constructor(private readonly deps: PagerEventDeps) {}

  /** Applies one event; throws (and takes its ordering step back) when it could not be applied. */
  async apply(e: PagerEvent): Promise<PagerEventOutcome> {
    const stream = pagerStream(e);
    const step = stream ? await this.deps.order.advance(e.incident.id, stream, e.occurredAt) : undefined;
    if (step && !step.applied) return 'stale';
    try {
      return await this.applyFresh(e);
    } catch (err) {
      if (step) await this.deps.order.undo(e.incident.id, stream!, e.occurredAt, step.previous).catch(() => undefined);
      throw err;
    }
  }

  private async findIncident(e: PagerEvent): Promise<Incident | undefined> {
    const key = 'incidentKey' in e.incident ? e.incident.incidentKey : null;
    const id = this.deps.incidentIdFromKey(key) ?? (await this.deps.links.findIncident(e.incident.id));
    return id === undefined ? undefined : this.deps.store.get(id);
  }

  private async applyFresh(e: PagerEvent): Promise<PagerEventOutcome> {
    const found = await this.findIncident(e);
    if (e.type === 'incident.annotated') return found ? this.note(found, e) : 'unknown_incident';
    if (!found) return this.openFromPager(e);
    const linked = await this.ensureLink(found, e.incident, e.occurredAt);
    let outcome: PagerEventOutcome;
    // biome-ignore lint/nursery/useExhaustiveSwitchCases: incident.annotated returned above
    switch (e.type) {
      case 'incident.triggered': case 'incident.acknowledged': case 'incident.resolved':
        outcome = await this.converge(found, e);
        break;
      case 'incident.reassigned': case 'incident.escalated':
        outcome = await this.assignment(found, e);
        break;
      case 'incident.priority_updated':
        outcome = await this.priority(found, e);
        break;
    }
    return outcome === 'unchanged' && linked ? 'linked' : outcome;
  }

  /** Links the pager incident to an incident opsroom created (before its own trigger answer came back). */
  private async ensureLink(i: Incident, pd: PagerIncidentSnapshot, at: Date): Promise<boolean> {
    if (await this.deps.links.get(i.id)) return false;
    await this.deps.links.set(i.id, { id: pd.id, url: pd.url });
    await this.deps.incidents.record(i.id, {
      at, actor: PAGER_ACTOR, kind: 'pagerduty', text: `Linked to PagerDuty incident ${pd.number ? `#${pd.number}` : pd.id}`,
      data: { pagerId: pd.id, url: pd.url },
    }, undefined, { card: true });
    return true;
  }

  /** Brings the opsroom status to what the pager says (resolved, or open and maybe acknowledged). */
  private async converge(i: Incident, e: Extract<PagerEvent, { incident: PagerIncidentSnapshot }>): Promise<PagerEventOutcome> {
    const status = e.incident.status;
    return ignoreIllegal(async () => {
      if (status === 'resolved') {
        if (i.status === 'resolved') return 'unchanged';
        await this.deps.incidents.resolve(i.id, PAGER_ACTOR, `Resolved in PagerDuty by ${who(e)}`, { fromPager: true });
        return 'applied';
      }
      let changed = false;
      if (i.status === 'resolved') {
        // A pager event older than opsroom's own resolve is not a reason to reopen.
        if (i.resolvedAt && e.occurredAt.getTime() <= i.resolvedAt.getTime()) return 'unchanged';
        i = await this.deps.incidents.reopen(i.id, PAGER_ACTOR);
        changed = true;
      }
      if (status === 'acknowledged' && !i.acknowledgedAt) {
        await this.deps.incidents.acknowledge(i.id, PAGER_ACTOR, { fromPager: true });
        changed = true;
      }
      if (changed) await this.trace(i.id, `${status} in PagerDuty by ${who(e)}`, e);
      return changed ? 'applied' : 'unchanged';
    });
  }

  private async assignment(i: Incident, e: Extract<PagerEvent, { incident: PagerIncidentSnapshot }>): Promise<PagerEventOutcome> {
    const pd = e.incident;
    const policy = pd.escalationPolicy ? ` (${pd.escalationPolicy.name})` : '';
    const verb = e.type === 'incident.escalated' ? 'Escalated' : 'Reassigned';
    const text = `${verb} in PagerDuty by ${who(e)}: now ${names(pd.assignees)}${policy}`;
    const line: IncidentLine = { kind: 'pager-assigned', escalated: e.type === 'incident.escalated', by: who(e), assignees: names(pd.assignees), policy: pd.escalationPolicy?.name ?? null };
    await this.deps.incidents.record(i.id, {
      at: e.occurredAt, actor: PAGER_ACTOR, kind: 'escalation', text,
      data: { eventId: e.eventId, assignees: pd.assignees, escalationPolicy: pd.escalationPolicy },
    }, line);
    return 'applied';
  }

  private async priority(i: Incident, e: Extract<PagerEvent, { incident: PagerIncidentSnapshot }>): Promise<PagerEventOutcome> {
    const severity = this.deps.severityFor(e.incident);
    if (severity && severity !== i.severity && i.status !== 'resolved') {
      return ignoreIllegal(async () => {
        await this.deps.incidents.setSeverity(i.id, PAGER_ACTOR, severity, { fromPager: true });
        await this.trace(i.id, `Priority ${e.incident.priority?.name ?? 'none'} set in PagerDuty by ${who(e)}`, e);
        return 'applied';
      });
    }
    await this.trace(i.id, `Priority ${e.incident.priority?.name ?? 'none'} set in PagerDuty by ${who(e)}`, e);
    return 'unchanged';
  }

  private async note(i: Incident, e: Extract<PagerEvent, { type: 'incident.annotated' }>): Promise<PagerEventOutcome> {
    const content = e.note.content.trim();
    if (OWN_NOTE.some((r) => r.test(content))) return 'echo';
    // A status update posted in Slack came back as a note: it is in the timeline already.
    const history = await this.deps.store.events(i.id);
    if (history.some((h) => h.kind === 'update' && h.text.trim() === content)) return 'echo';
    if (history.some((h) => h.kind === 'note' && h.data?.noteId === e.note.id)) return 'unchanged';
    await this.deps.incidents.record(i.id, {
      at: e.occurredAt, actor: PAGER_ACTOR, kind: 'note', text: content, data: { noteId: e.note.id, agent: who(e) },
    }, { kind: 'pager-note', by: who(e), text: content });
    return 'applied';
  }

  /** An incident raised in the pager, on a watched service: a new thread, linked, in the pager's status. */
  private async openFromPager(e: Extract<PagerEvent, { incident: PagerIncidentSnapshot }>): Promise<PagerEventOutcome> {
    const pd = e.incident;
    const watched = this.deps.watchedService(pd.service.id);
    if (!watched) return 'unwatched';
    const claim = `pagerduty-open:${pd.id}`;
    if (!(await this.deps.store.claim(claim, e.occurredAt))) {
      // Another delivery (or replica) is opening it; once it has, this event applies normally.
      if (await this.deps.links.findIncident(pd.id)) return this.applyFresh(e);
      throw new CodedError(ErrorCode.Conflict, `PagerDuty incident ${pd.id} is being opened by another delivery`, { retryable: true });
    }
    try {
      const severities = this.deps.incidents.severities;
      const severity = this.deps.severityFor(pd) ?? (pd.urgency === 'low' ? severities.at(-1)! : severities[0]).id;
      const title = (pd.title || `PagerDuty incident ${pd.number ?? pd.id}`).replace(/\s+/g, ' ').trim();
      const { incident } = await this.deps.incidents.open({
        severity, title: title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title,
        summary: `Raised in PagerDuty${pd.number ? ` as #${pd.number}` : ''}: ${pd.url}`,
        service: watched.name, system: watched.system ?? null, openedBy: PAGER_ACTOR, sourceChannel: PAGER_ACTOR,
      }, { fromPager: true });
      await this.deps.links.set(incident.id, { id: pd.id, url: pd.url });
      // Later events of this stream that happened before this snapshot are stale now.
      await this.deps.order.advance(pd.id, 'status', e.occurredAt);
      if (pd.status !== 'triggered') await this.converge(incident, e);
      return 'opened';
    } catch (err) {
      await this.deps.releaseClaim?.(claim).catch(() => undefined);
      throw err;
    }
  }

  /** Who did it in the pager, in the timeline only (the service already posted the thread line). */
  private trace(incidentId: number, text: string, e: PagerEvent) {
    return this.deps.incidents.record(incidentId, {
      at: e.occurredAt, actor: PAGER_ACTOR, kind: 'pagerduty', text, data: { eventId: e.eventId, type: e.type, agent: e.agent?.name ?? null },
    });
  }
}

/** A transition that already happened (a race with Slack, a replay) is not an error here. */
async function ignoreIllegal(run: () => Promise<PagerEventOutcome>): Promise<PagerEventOutcome> {
  try {
    return await run();
  } catch (e) {
    if (isCoded(e, ErrorCode.IllegalTransition)) return 'unchanged';
    throw e;
  }
}

/**
 * The runs' Escalator over the pager: a failed step's "Escalate" pages through the outbox. `to` is
 * a configured escalation policy name (reassign) or anything else (the next level). The caller
 * (the run flow) records who escalated in the timeline; this adds the pager effect.
 */
export class PagerEscalator implements Escalator {
  constructor(private readonly d: { store: IncidentStore; policies: readonly string[]; onEffects?: () => void }) {}

  async escalate(to: string, reason: string, ctx: EscalationContext): Promise<{ message: string; paged: boolean }> {
    if (ctx.incidentId === null) return { message: `escalation to ${to} requested by ${ctx.actor} (run ${ctx.runId}, no incident to page for): ${reason}`, paged: false };
    const policyId = this.d.policies.includes(to) ? to : undefined;
    await this.d.store.record(ctx.incidentId, [], [
      { target: 'pager', payload: { type: 'pager.escalate', actor: ctx.actor, ...(policyId ? { policyId } : {}) } },
      { target: 'chat', payload: { type: 'card' } },
    ]);
    this.d.onEffects?.();
    return { message: `PagerDuty escalation ${policyId ? `to ${policyId}` : 'to the next level'} queued for INC-${ctx.incidentId}`, paged: true };
  }
}
