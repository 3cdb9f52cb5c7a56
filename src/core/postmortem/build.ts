/** Builds the postmortem draft from an incident's record: pure, no I/O. */
import { incidentKey } from '../incidents/incident.js';
import type { TimelineEvent } from '../incidents/timeline.js';
import { scrubDeep, scrubTyped } from '../runs/known-secrets.js';
import { excerpt, plainFromSlack } from './markdown.js';
import type { EventEntry, Participant, Postmortem, PostmortemInput, StepEntry, TimelineEntry } from './model.js';

/** Kinds left out of the timeline: reminders are noise; step events repeat the attempts. */
const SKIPPED = new Set(['reminder']);
const SYSTEM_ACTORS = new Set(['opsroom', 'pagerduty', 'alertmanager', 'grafana']);
const isPerson = (actor: string) => /^[UW][A-Z0-9]+$/.test(actor) && !SYSTEM_ACTORS.has(actor);

const approverOf = (refs: readonly string[]) => refs.find((r) => r.startsWith('approved:'))?.slice('approved:'.length) ?? null;
const since = (from: Date, to: Date | null) => (to ? Math.max(0, to.getTime() - from.getTime()) : null);

export function buildPostmortem(raw: PostmortemInput): Postmortem {
  // Stored text is redacted already; scrubbing again costs little and covers older rows.
  const input = scrubDeep(raw);
  const { incident: i } = input;
  const names = input.names ?? {};
  const name = (u: string) => names[u] ?? u;
  const plain = (s: string) => scrubTyped(plainFromSlack(s, name));

  const steps: StepEntry[] = [];
  for (const r of input.runs) {
    for (const a of r.attempts) {
      const step = r.steps.find((s) => s.stepId === a.stepId);
      steps.push({
        type: 'step', at: a.startedAt, finishedAt: a.finishedAt, runId: r.run.id, runbookId: r.run.runbookId, stepId: a.stepId,
        title: plain(step?.step.title ?? a.stepId), attempt: a.number, actor: a.actor, approver: approverOf(a.approvalRefs),
        target: a.target, command: scrubTyped(a.command), state: a.state, exitCode: a.exitCode, durationMs: a.durationMs,
        output: excerpt(scrubTyped(a.output ?? '')), error: a.error ? plain(a.error) : null,
      });
    }
  }
  const attempted = new Set(steps.map((s) => `${s.runId}/${s.stepId}/${s.attempt}`));
  const events: EventEntry[] = input.events
    .filter((e) => !SKIPPED.has(e.kind))
    // A step event that records an attempt is shown from the attempt itself.
    .filter((e) => !(e.kind === 'step' && e.data && attempted.has(`${e.data.runId}/${e.data.stepId}/${e.data.attempt}`)))
    .map((e) => ({ type: 'event', at: e.at, kind: e.kind, actor: e.actor, text: eventText(e, name, plain) }));
  const timeline: TimelineEntry[] = [...events, ...steps].sort((a, b) => a.at.getTime() - b.at.getTime() || order(a) - order(b));

  const severities = [i.severity];
  for (const e of input.events) {
    if (e.kind === 'opened' && typeof e.data?.severity === 'string' && !severities.includes(e.data.severity)) severities.unshift(e.data.severity);
    if (e.kind === 'severity' && typeof e.data?.from === 'string' && !severities.includes(e.data.from)) severities.unshift(e.data.from);
  }

  const end = i.resolvedAt ?? input.now;
  return {
    key: incidentKey(i.id), language: input.language, generatedAt: input.now, title: plain(i.title), status: i.status,
    summary: i.summary ? plain(i.summary) : null, resolution: i.resolution ? plain(i.resolution) : null, commander: i.commander,
    impact: { system: i.system, service: i.service ? plain(i.service) : null, severity: i.severity, severities, durationMs: Math.max(0, end.getTime() - i.createdAt.getTime()), ongoing: !i.resolvedAt },
    times: {
      opened: i.createdAt, acknowledged: i.acknowledgedAt, mitigated: i.mitigatedAt, resolved: i.resolvedAt,
      ttaMs: since(i.createdAt, i.acknowledgedAt), ttmMs: since(i.createdAt, i.mitigatedAt), ttrMs: since(i.createdAt, i.resolvedAt),
    },
    timeline,
    participants: participants(input, steps),
    followUps: input.followUps.map((f) => ({
      id: f.id, text: plain(f.text), owner: f.owner, createdBy: f.createdBy, createdAt: f.createdAt, doneBy: f.doneBy, doneAt: f.doneAt, issueUrl: f.issueUrl,
    })),
  };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * An event's text, people by name: commander and follow-up events from their data (their text
 * names people by ID); older events, whose text holds Slack mentions, from the text.
 */
function eventText(e: TimelineEvent, name: (user: string) => string, plain: (s: string) => string): string {
  const d = e.data ?? {};
  if (e.kind === 'commander') {
    if (str(d.from) && str(d.to)) return plain(`Commander @${name(str(d.from)!)} → @${name(str(d.to)!)}`);
    if (str(d.commander)) return plain(`@${name(str(d.commander)!)} is commander`);
  }
  if (e.kind === 'followup' && d.action === 'added' && typeof d.text === 'string') {
    const owner = str(d.owner);
    return plain(`Follow-up${owner ? ` (owner @${name(owner)})` : ''}: ${d.text}`);
  }
  return plain(e.text);
}

/** Same instant: events before the steps they led to. */
const order = (e: TimelineEntry) => (e.type === 'event' ? 0 : 1);

function participants(input: PostmortemInput, steps: StepEntry[]): Participant[] {
  const { incident: i } = input;
  const roles = new Map<string, Set<string>>();
  const add = (user: string | null | undefined, role: string) => {
    if (!user || !isPerson(user)) return;
    if (!roles.has(user)) roles.set(user, new Set());
    roles.get(user)!.add(role);
  };
  add(i.commander, 'commander');
  add(i.openedBy, 'opened');
  add(i.acknowledgedBy, 'acknowledged');
  for (const s of steps) {
    add(s.actor, 'ran');
    add(s.approver, 'approved');
  }
  for (const e of input.events) {
    if (e.kind === 'commander' && typeof e.data?.to === 'string') add(e.data.to, 'commander');
    add(e.actor, 'acted');
  }
  for (const f of input.followUps) add(f.owner, 'owner');
  return [...roles.entries()].map(([user, r]) => ({
    user, name: input.names?.[user] ?? null,
    // "on the timeline" only for people who did nothing more specific.
    roles: r.size > 1 ? [...r].filter((x) => x !== 'acted') : [...r],
  }));
}
