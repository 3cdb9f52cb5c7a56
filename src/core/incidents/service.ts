import { CodedError, ErrorCode, isCoded } from '../errors.js';
import type { NewEffect } from '../effects.js';
import type { Clock, IncidentStore } from '../ports.js';
import { formatDuration } from './format.js';
import { incidentKey, type Incident, type IncidentPatch } from './incident.js';
import { person } from '../said.js';
import { resolvedLine } from './summary.js';
import type { ThreadLine } from './lines.js';
import type { Severity } from './severity.js';
import { assertReopenable, assertTransition, isOpen, type Status } from './status.js';
import type { NewEvent } from './timeline.js';
import { scrubDeep, scrubTyped } from '../runs/known-secrets.js';
import { decideMove, levelFor, levelLabel, openingEffects, raisedEffects, systemFor } from '../systems/incidents.js';
import type { SystemRouting } from '../systems/routing.js';
import { messageEvent, type ChatMessage } from './messages.js';

export const TITLE_MAX = 120;
const DUPLICATE_WINDOW_MS = 60_000;

export interface OpenInput {
  severity: string;
  title: string;
  summary?: string | null;
  service?: string | null;
  commander?: string | null;
  /** The system it concerns (any case); default: the system whose channel it was declared in. */
  system?: string | null;
  /** `severity` is an opsroom level (a form's choice, an alert already mapped), not a team's name. */
  severityIsLevel?: boolean;
  openedBy: string;
  sourceChannel: string;
  /** The message it was declared from: kept on the timeline, with an optional thread line. */
  declaredFrom?: { message: ChatMessage; threadLine?: string };
}

export interface IncidentServiceDeps {
  store: IncidentStore;
  clock: Clock;
  severities: readonly Severity[];
  incidentChannel: string;
  /** Systems from opsroom.yml: channels, severity names, announcements (src/core/systems). */
  routing?: SystemRouting;
  pagerEnabled: boolean;
  /** Called after every stored change, so effects are delivered without waiting for a poll. */
  onEffects?: () => void;
  /** Why `actor` may not change the incident's commander (null: they may). Absent: anyone may. */
  mayAssign?: (actor: string, incident: Incident) => Promise<string | null>;
  /** After a change this process stored (the metrics observe time to acknowledge and resolve). */
  changed?: (before: Incident, after: Incident) => void;
}

/** A change computed from the current incident; may throw a CodedError to refuse it. */
type Decide = (i: Incident) => { patch: IncidentPatch; events: NewEvent[]; effects: NewEffect[] };

/** The incident use-cases. Every change is one stored transaction: patch, timeline events, effects. */
export class IncidentService {
  constructor(private readonly deps: IncidentServiceDeps) {}

  get severities() {
    return this.deps.severities;
  }

  get routing() {
    return this.deps.routing;
  }

  /** The level `input` means: in `system`, its team's names first (src/core/systems). */
  severity(input: string, system: string | null = null): Severity {
    return levelFor(this.deps.routing, this.deps.severities, input, system);
  }

  /** `fromPager`: raised in the pager (no trigger back, no duplicate check, a pager thread line). */
  async open(input: OpenInput, opts: { fromPager?: boolean } = {}): Promise<{ incident: Incident; duplicate: boolean }> {
    // Typed text is scrubbed of secrets before it is stored or posted.
    const title = scrubTyped(input.title.trim().replace(/\s+/g, ' '));
    if (!title) throw new CodedError(ErrorCode.BadInput, 'The title is empty.');
    if (title.length > TITLE_MAX) {
      throw new CodedError(ErrorCode.BadInput, `The title is ${title.length} characters; the limit is ${TITLE_MAX}.`);
    }
    const system = systemFor(this.deps.routing, input.system, input.sourceChannel);
    // The pager sends opsroom's own levels; people and alerts may use their team's names.
    const severity = this.severity(input.severity, opts.fromPager || input.severityIsLevel ? null : system).id;
    const label = levelLabel(this.deps.routing, severity, system);
    const where = system ? ` in ${system}` : '';
    const now = this.deps.clock.now();
    const since = new Date(now.getTime() - DUPLICATE_WINDOW_MS);
    const { store } = this.deps;
    // A duplicate found at once answers without a transaction; store.create checks again inside it
    // (two replicas at once). Without this first look, duplicates typed on two replicas wait on each other.
    const existing = opts.fromPager ? undefined : await store.findRecentDuplicate(input.openedBy, input.sourceChannel, title, since);
    if (existing) return { incident: existing, duplicate: true };
    const commander = input.commander || input.openedBy;
    const events: NewEvent[] = [
      { at: now, actor: input.openedBy, kind: 'opened', text: `Opened as ${label}${where}: ${title}`, data: { severity, title, ...(system ? { system } : {}) } },
    ];
    if (commander !== input.openedBy) {
      events.push({ at: now, actor: input.openedBy, kind: 'commander', text: `@${commander} is commander`, data: { commander } });
    }
    const effects: NewEffect[] = [
      { target: 'chat', payload: { type: 'card' } },
      thread(opts.fromPager ? { kind: 'pager-opened', label, system } : { kind: 'opened', by: input.openedBy, commander, label, system }),
    ];
    if (input.declaredFrom) {
      events.push(scrubDeep(messageEvent(input.declaredFrom.message, 'timeline', input.openedBy, now)));
      if (input.declaredFrom.threadLine) effects.push({ target: 'chat', payload: { type: 'thread', text: scrubTyped(input.declaredFrom.threadLine) } });
    }
    effects.push(...openingEffects(this.deps.routing, severity, system, title));
    if (this.deps.pagerEnabled && !opts.fromPager) effects.push({ target: 'pager', payload: { type: 'pager.trigger' } });
    let incident: Incident;
    try {
      incident = await store.create(
        {
          title, severity, commander, openedBy: input.openedBy,
          summary: input.summary?.trim() ? scrubTyped(input.summary.trim()) : null, service: input.service?.trim() ? scrubTyped(input.service.trim()) : null,
          channel: this.deps.routing?.channelFor(system) ?? this.deps.incidentChannel, system, sourceChannel: input.sourceChannel, createdAt: now,
        },
        events,
        effects,
        opts.fromPager ? {} : { duplicateSince: since },
      );
    } catch (e) {
      // The same command typed twice reached two replicas at once: the other one created it.
      const dupId = isCoded(e, ErrorCode.Conflict) ? Number((e as CodedError).details?.incidentId) : NaN;
      const dup = Number.isSafeInteger(dupId) ? await store.get(dupId) : undefined;
      if (dup) return { incident: dup, duplicate: true };
      throw e;
    }
    this.deps.onEffects?.();
    return { incident, duplicate: false };
  }

  async get(id: number): Promise<Incident> {
    const incident = await this.deps.store.get(id);
    if (!incident) throw new CodedError(ErrorCode.NotFound, `There is no ${incidentKey(id)}.`);
    return incident;
  }

  acknowledge(id: number, actor: string, opts: { fromPager?: boolean } = {}) {
    return this.apply(id, (i) => {
      assertOpen(i);
      if (i.acknowledgedAt) {
        throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(i.id)} was already acknowledged by ${person(i.acknowledgedBy ?? '')}.`);
      }
      const now = this.now();
      const tookMs = now.getTime() - i.createdAt.getTime();
      return {
        patch: { acknowledgedAt: now, acknowledgedBy: actor },
        events: [{ at: now, actor, kind: 'acknowledged', text: `Acknowledged after ${formatDuration(tookMs)}`, data: null }],
        effects: [
          card, thread({ kind: 'acknowledged', actor, tookMs }),
          ...this.pager(opts.fromPager, { type: 'pager.acknowledge', actor }),
        ],
      };
    });
  }

  /** A status update: text, and optionally a new status. */
  postUpdate(id: number, actor: string, text: string, status?: Status, opts: { fromPager?: boolean } = {}) {
    const body = scrubTyped(text.trim());
    if (!body) throw new CodedError(ErrorCode.BadInput, 'The update text is empty.');
    return this.apply(id, (i) => {
      assertOpen(i);
      const now = this.now();
      const patch: IncidentPatch = { lastUpdateAt: now };
      const events: NewEvent[] = [];
      if (status && status !== i.status) {
        if (status === 'resolved') throw new CodedError(ErrorCode.BadInput, 'Use resolve to resolve an incident.');
        assertTransition(i.status, status);
        patch.status = status;
        events.push({ at: now, actor, kind: 'status', text: `Status ${i.status} → ${status}`, data: { from: i.status, to: status } });
      }
      events.push({ at: now, actor, kind: 'update', text: body, data: { status: patch.status ?? i.status } });
      return {
        patch, events,
        effects: [card, thread({ kind: 'update', actor, text: body, ...(patch.status ? { status: patch.status } : {}) }), ...this.pager(opts.fromPager, { type: 'pager.note', actor, text: body })],
      };
    });
  }

  setStatus(id: number, actor: string, status: Status) {
    if (status === 'resolved') throw new CodedError(ErrorCode.BadInput, 'Use resolve to resolve an incident.');
    return this.apply(id, (i) => {
      assertOpen(i);
      assertTransition(i.status, status);
      const now = this.now();
      return {
        patch: { status, lastUpdateAt: now },
        events: [{ at: now, actor, kind: 'status', text: `Status ${i.status} → ${status}`, data: { from: i.status, to: status } }],
        effects: [card, thread({ kind: 'status', actor, status })],
      };
    });
  }

  /** `level`: the input is an opsroom level (the card's menu), not a name typed in the incident's system. */
  setSeverity(id: number, actor: string, input: string, opts: { fromPager?: boolean; level?: boolean } = {}) {
    return this.apply(id, (i) => {
      const severity = this.severity(input, opts.fromPager || opts.level ? null : i.system).id;
      const name = (level: string) => levelLabel(this.deps.routing, level, i.system);
      assertOpen(i);
      if (i.severity === severity) throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(i.id)} is already ${severity}.`);
      const now = this.now();
      return {
        patch: { severity },
        events: [{ at: now, actor, kind: 'severity', text: `Severity ${i.severity} → ${severity}`, data: { from: i.severity, to: severity } }],
        effects: [card, thread({ kind: 'severity', actor, from: name(i.severity), to: name(severity) }), ...raisedEffects(this.deps.routing, i, severity), ...this.pager(opts.fromPager, { type: 'pager.severity', severity })],
      };
    });
  }

  /** Hands the incident to `commander`; only its commander or a responder may (see `mayAssign`). */
  async assign(id: number, actor: string, commander: string) {
    const before = await this.get(id);
    const denied = await this.deps.mayAssign?.(actor, before);
    if (denied) throw new CodedError(ErrorCode.Forbidden, denied);
    return this.apply(id, (i) => {
      assertOpen(i);
      // Allowed as the commander of the incident as it was: someone else took it over meanwhile.
      if (i.commander !== before.commander && before.commander === actor)
        throw new CodedError(ErrorCode.Conflict, `${incidentKey(i.id)} changed commander meanwhile; try again.`);
      if (i.commander === commander) throw new CodedError(ErrorCode.IllegalTransition, `${person(commander)} is already the commander.`);
      const now = this.now();
      return {
        patch: { commander },
        events: [{ at: now, actor, kind: 'commander', text: `Commander @${i.commander} → @${commander}`, data: { from: i.commander, to: commander } }],
        effects: [card, thread({ kind: 'commander', actor, commander })],
      };
    });
  }

  async resolve(id: number, actor: string, summary: string | null, opts: { fromPager?: boolean } = {}) {
    const history = await this.deps.store.events(id);
    return this.apply(id, (i) => {
      assertTransition(i.status, 'resolved');
      const now = this.now();
      const resolution = summary?.trim() ? scrubTyped(summary.trim()) : null;
      const event: NewEvent = { at: now, actor, kind: 'resolved', text: resolution ? `Resolved: ${resolution}` : 'Resolved', data: { summary: resolution } };
      const resolved: Incident = { ...i, status: 'resolved', resolvedAt: now, resolution };
      return {
        patch: { status: 'resolved', resolvedAt: now, resolution, lastUpdateAt: now },
        events: [event],
        effects: [
          card, thread(resolvedLine(resolved, history, actor)),
          ...this.pager(opts.fromPager, { type: 'pager.resolve', actor, summary: resolution }),
        ],
      };
    });
  }

  reopen(id: number, actor: string) {
    return this.apply(id, (i) => {
      assertReopenable(i.status);
      const now = this.now();
      return {
        patch: { status: 'investigating', resolvedAt: null, resolution: null, lastUpdateAt: now, lastReminderAt: null },
        events: [{ at: now, actor, kind: 'reopened', text: 'Reopened', data: null }],
        effects: [card, thread({ kind: 'reopened', actor })],
      };
    });
  }

  /**
   * Moves the incident to another system (`/incident system`): a timeline event, the card, notices.
   * It changes whose responders count, so only those who may reassign it may move it.
   */
  async moveSystem(id: number, actor: string, system: string) {
    const denied = await this.deps.mayAssign?.(actor, await this.get(id));
    if (denied) throw new CodedError(ErrorCode.Forbidden, `Only the incident's commander or a responder may move it to another system.`);
    return this.apply(id, (i) => decideMove(this.deps.routing, i, actor, system, this.now()));
  }

  /** Records an event that changes nothing else (notes, runs, pages), with an optional thread line (a fact, or an adapter's text). */
  async record(id: number, event: NewEvent, line?: ThreadLine | string, opts: { card?: boolean } = {}) {
    const clean = scrubDeep(event);
    const effect: NewEffect | undefined = typeof line === 'string' ? (line ? { target: 'chat', payload: { type: 'thread', text: scrubTyped(line) } } : undefined)
      : line ? thread(scrubDeep(line)) : undefined;
    await this.deps.store.record(id, [clean], effect ? [effect, card] : opts.card ? [card] : []);
    this.deps.onEffects?.();
  }

  /**
   * Escalates the pager incident: the next level, an explicit level, or a reassignment to an
   * escalation policy (a configured name or id). Records who asked; the pager call is an effect.
   */
  async escalate(id: number, actor: string, to: { level?: number; policyId?: string } = {}) {
    if (!this.deps.pagerEnabled) throw new CodedError(ErrorCode.Unavailable, 'PagerDuty is off, so there is nothing to escalate.');
    const i = await this.get(id);
    assertOpen(i);
    const target = to.policyId ? `escalation policy ${to.policyId}` : to.level !== undefined ? `level ${to.level}` : 'the next level';
    const now = this.now();
    await this.deps.store.record(id, [
      { at: now, actor, kind: 'escalation', text: `Escalated to ${target}`, data: { ...to } },
    ], [
      thread({ kind: 'escalated', actor, ...to }), card,
      { target: 'pager', payload: { type: 'pager.escalate', actor, ...to } },
    ]);
    this.deps.onEffects?.();
    return i;
  }

  /** Posts one reminder per update interval in each open incident that has gone quiet. */
  async remindDue(): Promise<number[]> {
    const now = this.now();
    const reminded: number[] = [];
    for (const i of await this.deps.store.listOpen()) {
      const sev = this.deps.severities.find((s) => s.id === i.severity);
      if (!sev) continue;
      const intervalMs = sev.updateIntervalMinutes * 60_000;
      const last = Math.max(i.lastUpdateAt.getTime(), i.lastReminderAt?.getTime() ?? 0);
      if (now.getTime() - last < intervalMs) continue;
      const quietMs = now.getTime() - i.lastUpdateAt.getTime();
      try {
        await this.deps.store.change(i.id, i.version, { lastReminderAt: now }, [
          { at: now, actor: 'opsroom', kind: 'reminder', text: `No update for ${formatDuration(quietMs)}`, data: null },
        ], [thread({ kind: 'update-due', commander: i.commander, quietMs, label: levelLabel(this.deps.routing, sev.id, i.system), everyMs: intervalMs })]);
        reminded.push(i.id);
      } catch (e) {
        if (!isCoded(e, ErrorCode.Conflict)) throw e; // another replica or a fresh update got there first
      }
    }
    if (reminded.length) this.deps.onEffects?.();
    return reminded;
  }

  private now() {
    return this.deps.clock.now();
  }

  private pager(fromPager: boolean | undefined, payload: NewEffect['payload']): NewEffect[] {
    return this.deps.pagerEnabled && !fromPager ? [{ target: 'pager', payload }] : [];
  }

  /** Load, decide, store with the version read; on a concurrent change decide again on fresh state. */
  private async apply(id: number, decide: Decide): Promise<Incident> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(id);
      const { patch, events, effects } = decide(current);
      try {
        const next = await this.deps.store.change(id, current.version, patch, events, effects);
        this.deps.changed?.(current, next);
        this.deps.onEffects?.();
        return next;
      } catch (e) {
        if (!isCoded(e, ErrorCode.Conflict) || attempt >= 4) throw e;
      }
    }
  }
}

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const thread = (line: ThreadLine): NewEffect => ({ target: 'chat', payload: { type: 'thread', line } });

function assertOpen(i: Incident) {
  if (!isOpen(i.status)) {
    throw new CodedError(ErrorCode.IllegalTransition, `${incidentKey(i.id)} is resolved. Reopen it first.`);
  }
}
