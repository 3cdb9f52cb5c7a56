/**
 * The decision for one alert delivery, from the group as stored: open an incident, join the open
 * one, or only record. Pure: the store applies the plan in the transaction that read the group.
 */
import type { NewEffect } from '../effects.js';
import { isOpen } from '../incidents/status.js';
import type { NewEvent } from '../incidents/timeline.js';
import { levelLabel, openingEffects } from '../systems/incidents.js';
import type { SystemRouting } from '../systems/routing.js';
import { scrubDeep, scrubTyped } from '../runs/known-secrets.js';
import type { AlertBatch, AlertsConfig, ReceivedAlert } from './alert.js';
import { alertName, alertRunbook, alertSeverity, alertTitle, pick } from './describe.js';
import type { AlertLine, AlertNames } from './lines.js';
import type { AlertGroupState, GroupPlan, GroupSnapshot, StoredAlert } from './ports.js';
import { resolvedAction } from './resolve.js';

/** Per-system routing: a system's channel, severity names, on-call and announcements. */
export type AlertRouting = SystemRouting;

export interface DecideContext {
  now: Date;
  routing: AlertRouting;
  config: AlertsConfig;
  pagerEnabled: boolean;
  runbookIds: readonly string[];
}

const card: NewEffect = { target: 'chat', payload: { type: 'card' } };
const thread = (line: AlertLine): NewEffect => ({ target: 'chat', payload: { type: 'thread', line } });
const SHOWN = 10;

/** The timeline event every delivery leaves: which alerts, which labels. */
function alertEvent(batch: AlertBatch, now: Date, change: string): NewEvent {
  const firing = batch.alerts.filter((a) => a.status === 'firing').length;
  return scrubDeep({
    at: now, actor: batch.source, kind: 'alert',
    text: `${batch.source}: ${batch.status} ${pick(batch, 'alertname') ?? 'alert group'} (${firing} of ${batch.alerts.length} firing; ${change})`,
    data: {
      source: batch.source, groupKey: batch.groupKey, status: batch.status, change,
      alerts: batch.alerts.map((a) => ({ fingerprint: a.fingerprint, status: a.status, labels: a.labels })),
    },
  });
}

const listed = (alerts: ReceivedAlert[]): AlertNames => ({ names: alerts.slice(0, SHOWN).map((a) => alertName(a.labels)), total: alerts.length });

export function decideDelivery(s: GroupSnapshot, batch: AlertBatch, c: DecideContext): GroupPlan {
  const { now } = c;
  const stored = new Map(s.alerts.map((a) => [a.fingerprint, a]));
  const firing = batch.alerts.filter((a) => a.status === 'firing');
  const groupStatus = firing.length ? 'firing' : batch.status;
  const label = pick(batch, 'system');
  const system = label ? c.routing.find(label) ?? label : null;
  const runbook = alertRunbook(batch, c.runbookIds) ?? s.group?.runbook ?? null;
  const group: AlertGroupState = {
    incidentId: s.group?.incidentId ?? null, status: groupStatus, labels: scrubDeep({ ...batch.commonLabels }), runbook,
    resolvedAt: groupStatus === 'resolved' ? (s.group?.status === 'resolved' ? s.group.resolvedAt : now) : null,
    quietUntil: groupStatus === 'resolved' ? s.group?.quietUntil ?? null : null,
  };
  const open = s.incident && isOpen(s.incident.status) ? s.incident : null;
  // A person resolved the incident while its alerts kept firing: repeats of those alerts are not a
  // new incident. One is when an alert is new, fired again, or started after the resolve.
  const resolvedAt = s.incident?.resolvedAt?.getTime() ?? 0;
  const stillFiring = s.incident !== null && s.incident !== undefined && !open && s.group?.status === 'firing'
    && !firing.some((a) => stored.get(a.fingerprint)?.status !== 'firing' || (a.startsAt !== null && a.startsAt.getTime() > resolvedAt));

  if (!open && groupStatus === 'firing' && !stillFiring) {
    const severity = alertSeverity(pick(batch, 'severity'), (l) => c.routing.severity(l, system), c.routing.severities, c.config.defaultSeverity).id;
    const title = scrubTyped(alertTitle(batch));
    const description = pick(batch, 'description', 'annotations');
    const alerts = batch.alerts.map((a) => stamp(a, stored.get(a.fingerprint), now, a.status === 'firing'));
    const effects: NewEffect[] = [card, thread({
      kind: 'alert-opened', source: batch.source, label: levelLabel(c.routing, severity, system), system, firing: listed(firing), runbook,
    }), ...openingEffects(c.routing, severity, system, title)];
    if (c.pagerEnabled) effects.push({ target: 'pager', payload: { type: 'pager.trigger' } });
    return {
      group: { ...group, quietUntil: null }, alerts, outcome: 'opened',
      open: {
        incident: {
          title, severity, commander: batch.source, openedBy: batch.source, sourceChannel: batch.source, system,
          summary: description ? scrubTyped(description.slice(0, 1000)) : null,
          service: scrubTyped(pick(batch, 'service') ?? pick(batch, 'job') ?? '') || null,
          channel: c.routing.channelFor(system), createdAt: now,
        },
        events: [
          { at: now, actor: batch.source, kind: 'opened', text: `Opened as ${severity}: ${title}`, data: { severity, title, source: batch.source, groupKey: batch.groupKey } },
          alertEvent(batch, now, 'opened'),
        ],
        effects,
      },
    };
  }

  if (!open) {
    // Nothing open to tell: the delivery is kept on the group and on its last incident's timeline.
    const alerts = batch.alerts.map((a) => stamp(a, stored.get(a.fingerprint), now, false));
    return { group, alerts, outcome: 'recorded', change: s.incident ? { patch: {}, events: [alertEvent(batch, now, 'recorded')], effects: [] } : undefined };
  }

  // The group's incident is open. The group's own changes (resolved, firing again) always get a line:
  // Alertmanager's group_interval paces them. An alert's own changes inside a firing group get at most
  // one line per flapMinutes each.
  const flapMs = c.config.flapMinutes * 60_000;
  const limited = (prev: StoredAlert | undefined) => !!prev?.lineAt && now.getTime() - prev.lineAt.getTime() < flapMs;
  const groupResolves = groupStatus === 'resolved' && s.group?.status !== 'resolved';
  const lines: AlertLine[] = [];
  const alerts: StoredAlert[] = [];
  const resolving: ReceivedAlert[] = [];
  const refiring: ReceivedAlert[] = [];
  const groupRefires = groupStatus === 'firing' && s.group?.status === 'resolved';
  for (const a of batch.alerts) {
    const prev = stored.get(a.fingerprint);
    if (prev && prev.status === a.status) alerts.push({ ...prev, labels: scrubDeep(a.labels) });
    else if (!prev && a.status === 'resolved') alerts.push(stamp(a, undefined, now, false));
    else if (groupResolves) resolving.push(a); // the group's own line stands for these
    else if (groupRefires && a.status === 'firing') {
      refiring.push(a);
      alerts.push(stamp(a, prev, now, true));
    }
    else if (limited(prev)) alerts.push({ ...stamp(a, prev, now, false), unposted: (prev?.unposted ?? 0) + 1 });
    else {
      const name = alertName(a.labels);
      const flaps = prev?.unposted ? { changes: prev.unposted + 1, since: prev.lineAt!.getTime() } : null;
      lines.push(!prev ? { kind: 'alert-new', name }
        : a.status === 'firing' ? { kind: 'alert-firing-again', name, flaps }
        : { kind: 'alert-resolved', name, flaps });
      alerts.push(stamp(a, prev, now, true));
    }
  }
  if (refiring.length) lines.unshift({ kind: 'group-firing-again', source: batch.source, at: now.getTime(), firing: listed(refiring) });
  if (!groupResolves) {
    const outcome = lines.length ? 'joined' : 'repeat';
    return { group, alerts, outcome, change: { patch: {}, events: [alertEvent(batch, now, outcome)], effects: lines.map(thread) } };
  }
  const act = resolvedAction(open, s.history, c, batch.source);
  const acts = Object.keys(act.patch).length > 0 || act.quietUntil !== null;
  for (const a of resolving) alerts.push(stamp(a, stored.get(a.fingerprint), now, true));
  lines.push({ kind: 'group-resolved', source: batch.source, at: now.getTime(), note: act.note });
  group.quietUntil = act.quietUntil;
  return {
    group, alerts, outcome: 'resolved',
    change: { patch: act.patch, events: [alertEvent(batch, now, 'resolved'), ...act.events], effects: [...(acts ? [card] : []), ...lines.map(thread), ...act.effects] },
  };
}

/** The stored alert after this delivery; `line` when it gets a thread line now. */
function stamp(a: ReceivedAlert, prev: StoredAlert | undefined, now: Date, line: boolean): StoredAlert {
  const changed = !prev || prev.status !== a.status;
  return {
    fingerprint: a.fingerprint, status: a.status, labels: scrubDeep(a.labels),
    changedAt: changed ? now : prev.changedAt,
    lineAt: line ? now : prev?.lineAt ?? null,
    unposted: line ? 0 : prev?.unposted ?? 0,
  };
}
