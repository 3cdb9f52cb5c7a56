/** What a resolved alert group does to its open incident (opsroom.yml `alerts.onResolved`). */
import type { NewEffect } from '../effects.js';
import type { Incident, IncidentPatch } from '../incidents/incident.js';
import { isOpen } from '../incidents/status.js';
import { resolvedLine } from '../incidents/summary.js';
import type { NewEvent, TimelineEvent } from '../incidents/timeline.js';
import { ALERT_SOURCES, type AlertSource, type AlertsConfig } from './alert.js';
import type { ResolvedNote } from './lines.js';
import type { GroupPlan, GroupSnapshot } from './ports.js';

export interface ResolvedAction {
  patch: IncidentPatch;
  events: NewEvent[];
  effects: NewEffect[];
  /** Told in the "alert resolved" line. */
  note: ResolvedNote;
  quietUntil: Date | null;
}

interface Ctx {
  now: Date;
  config: AlertsConfig;
  pagerEnabled: boolean;
}

/** Someone (not an alert) reopened the incident: alerts no longer move or close it. */
const reopenedByPerson = (history: TimelineEvent[]) =>
  history.find((e) => e.kind === 'reopened' && !(ALERT_SOURCES as readonly string[]).includes(e.actor));

export function resolvedAction(i: Incident, history: TimelineEvent[], c: Ctx, source: AlertSource): ResolvedAction {
  const none = { patch: {}, events: [], effects: [], quietUntil: null };
  const reopened = reopenedByPerson(history);
  if (reopened) return { ...none, note: { kind: 'kept-open', by: reopened.actor, status: i.status } };
  const { onResolved, quietMinutes } = c.config;
  if (onResolved === 'nothing') return { ...none, note: { kind: 'none' } };
  if (onResolved === 'resolve' && quietMinutes <= 0) return { ...resolveNow(i, history, c, source), note: { kind: 'resolving' }, quietUntil: null };
  const quietUntil = onResolved === 'resolve' ? new Date(c.now.getTime() + quietMinutes * 60_000) : null;
  const resolvesAt = quietUntil ? quietUntil.getTime() : null;
  if (i.status === 'monitoring') return { ...none, note: { kind: 'monitoring', set: false, resolvesAt }, quietUntil };
  return {
    patch: { status: 'monitoring', lastUpdateAt: c.now },
    events: [{ at: c.now, actor: source, kind: 'status', text: `Status ${i.status} → monitoring`, data: { from: i.status, to: 'monitoring' } }],
    effects: [], note: { kind: 'monitoring', set: true, resolvesAt }, quietUntil,
  };
}

function resolveNow(i: Incident, history: TimelineEvent[], c: Ctx, source: AlertSource) {
  const resolution = `The alert resolved${c.config.quietMinutes > 0 ? ` and stayed quiet for ${c.config.quietMinutes} min` : ''}.`;
  const patch: IncidentPatch = { status: 'resolved', resolvedAt: c.now, resolution, lastUpdateAt: c.now };
  const effects: NewEffect[] = [{ target: 'chat', payload: { type: 'thread', line: resolvedLine({ ...i, ...patch } as Incident, history, source) } }];
  if (c.pagerEnabled) effects.push({ target: 'pager', payload: { type: 'pager.resolve', actor: source, summary: resolution } });
  return { patch, effects, events: [{ at: c.now, actor: source, kind: 'resolved' as const, text: `Resolved: ${resolution}`, data: { summary: resolution } }] };
}

/** A person moved the status or severity, or took command, since `since`: the incident is theirs now. */
const personTookOver = (history: TimelineEvent[], since: Date | null) =>
  history.some((e) => ['status', 'severity', 'commander', 'reopened'].includes(e.kind) && !(ALERT_SOURCES as readonly string[]).includes(e.actor)
    && (since === null || e.at.getTime() >= since.getTime()));

/** The quiet period of a resolved group ended: resolve its incident unless it fired again or a person took it over. */
export function decideQuiet(s: GroupSnapshot, c: Ctx, source: AlertSource): GroupPlan {
  const g = s.group;
  const unchanged: GroupPlan = { group: g ? { ...g, quietUntil: null } : emptyGroup, alerts: s.alerts, outcome: 'unchanged' };
  if (g?.status !== 'resolved' || !g.quietUntil || g.quietUntil > c.now) return { ...unchanged, group: g ?? emptyGroup };
  const i = s.incident;
  if (!i || !isOpen(i.status) || reopenedByPerson(s.history) || personTookOver(s.history, g.resolvedAt)) return unchanged;
  const r = resolveNow(i, s.history, c, source);
  return { ...unchanged, outcome: 'quiet-resolved', change: { patch: r.patch, events: r.events, effects: [{ target: 'chat', payload: { type: 'card' } }, ...r.effects] } };
}

const emptyGroup = { incidentId: null, status: 'resolved' as const, labels: {}, runbook: null, resolvedAt: null, quietUntil: null };
