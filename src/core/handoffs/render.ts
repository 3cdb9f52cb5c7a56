/** The summary as titled sections of lines (largest items first), and as markdown or JSON. */
import { formatDuration } from '../incidents/format.js';
import { incidentKey } from '../incidents/incident.js';
import type { FollowUpItem, HandoffSummary } from './model.js';

/** How people, times and emphasis are written: Slack mrkdwn or markdown. */
export interface Fmt {
  user(id: string): string;
  time(d: Date): string;
  bold(s: string): string;
  quote(s: string): string;
  /** Someone's words (titles, updates, notes, names, step output), escaped for the format. */
  text(s: string): string;
  /** The sign before a step's result. */
  mark(state: Mark): string;
}

export type Mark = 'ok' | 'running' | 'failed' | 'skipped';
const MARKS: Record<Mark, string> = { ok: '✅', running: '⏳', failed: '❌', skipped: '⏩' };
const markOf = (state: string): Mark =>
  state === 'succeeded' ? 'ok' : state === 'running' ? 'running' : state === 'skipped' ? 'skipped' : 'failed';

export interface Section {
  id: string;
  title: string;
  /** One line under the title (counts), if any. */
  lead?: string;
  items: string[];
  /** Shown when there are no items. */
  empty: string;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** Markdown for people outside Slack: names where known (else the ID), Unicode marks, no shortcodes. */
function markdownFmt(names: ReadonlyMap<string, string> = new Map()): Fmt {
  return {
    user: (id) => (USER_ID.test(id) ? (names.has(id) ? markdownText(names.get(id)!) : `@${id}`) : markdownText(id)),
    time: (d) => d.toISOString().replace('T', ' ').slice(0, 16) + 'Z',
    bold: (s) => `**${s}**`,
    quote: (s) => s.split('\n').map((l) => `> ${l}`).join('\n'),
    text: (s) => markdownText(s),
    mark: (m) => MARKS[m],
  };
}

/**
 * Markdown that shows `s` as written: emphasis, code, links, tables, headings and HTML escaped;
 * plain @here/@channel get a word joiner (the file may be pasted into chat).
 */
export function markdownText(s: string): string {
  return s
    .replace(/[\\`*_[\]#|~<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`))
    .replace(/@(here|channel|everyone)\b/gi, '@\u2060$1')
    .replace(/\uE000|\uE001/g, '');
}

const oneLine = (s: string, max = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
};
const dur = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));

/** Open follow-ups under an incident, a few at most. */
const followUpLines = (items: FollowUpItem[] | undefined, f: Fmt) => [
  ...(items ?? []).slice(0, 5).map((x) => `Follow-up: ${f.text(oneLine(x.text, 200))}${x.owner ? ` (${f.user(x.owner)})` : ''}`),
  ...((items?.length ?? 0) > 5 ? [`${items!.length - 5} more follow-ups`] : []),
];

export function sections(s: HandoffSummary, f: Fmt): Section[] {
  const open: Section = {
    id: 'open', title: `Open incidents (${s.open.length})`, empty: 'None.',
    items: s.open.map((i) => {
      const lines = [`${f.bold(incidentKey(i.id))} · ${i.severity} · ${i.status} · ${f.text(oneLine(i.title, 120))} · ${formatDuration(i.ageMs)} old · commander ${f.user(i.commander)}${i.acknowledged ? '' : ' · not acknowledged'}`];
      lines.push(i.lastUpdate ? f.quote(`${f.text(oneLine(i.lastUpdate.text))} (${f.user(i.lastUpdate.actor)}, ${f.time(i.lastUpdate.at)})`) : f.quote('No status update yet.'));
      if (i.nextStep) lines.push(`Next step: ${f.text(oneLine(i.nextStep, 200))}`);
      for (const a of i.pendingApprovals) lines.push(`Approval pending: run ${a.runId} step ${f.text(a.stepId)}, asked by ${f.user(a.requestedBy)}, expires ${f.time(a.expiresAt)}`);
      for (const r of i.runs) {
        const failed = r.failedSteps.length ? `, failed: ${f.text(r.failedSteps.join(', '))}` : '';
        lines.push(`Run ${r.runId} (${f.text(r.runbookId)}) ${r.state}${failed}${r.pendingSteps ? `, ${r.pendingSteps} steps not run` : ''}`);
      }
      lines.push(...followUpLines(i.followUps, f));
      return lines.join('\n');
    }),
  };
  const opened = s.shift.filter((i) => i.openedInShift).length;
  const resolved = s.shift.filter((i) => i.resolvedInShift).length;
  const shift: Section = {
    id: 'shift', title: 'Opened and resolved this shift', lead: s.shift.length ? `${opened} opened · ${resolved} resolved` : undefined, empty: 'None.',
    items: s.shift.map((i) => {
      const what = [i.openedInShift && `opened ${f.time(i.openedAt)}`, i.resolvedAt && i.resolvedInShift && `resolved ${f.time(i.resolvedAt)}`].filter(Boolean).join(', ');
      const res = i.resolution ? ` — ${f.text(oneLine(i.resolution, 200))}` : '';
      return [`${f.bold(incidentKey(i.id))} · ${i.severity} · ${f.text(oneLine(i.title, 120))} · ${what} · TTA ${dur(i.ttaMs)} · TTR ${dur(i.ttrMs)}${res}`, ...followUpLines(i.followUps, f)].join('\n');
    }),
  };
  const counts = Object.entries(s.steps.byState).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k.replace('_', ' ')}`).join(', ');
  const steps: Section = {
    id: 'steps', title: 'Runbook steps', lead: s.steps.total ? `${s.steps.total} run: ${counts}` : undefined, empty: 'No runbook steps ran.',
    items: s.steps.notable.map((st) => {
      const mark = f.mark(markOf(st.state));
      const where = st.incidentId === null ? `run ${st.runId}` : `${incidentKey(st.incidentId)} run ${st.runId}`;
      const detail = [st.exitCode !== null && `exit ${st.exitCode}`, st.error && f.text(oneLine(st.error, 200))].filter(Boolean).join(': ');
      return `${mark} ${st.danger ? 'dangerous ' : ''}${f.text(oneLine(st.title, 100))} (${f.text(`${st.runbookId}/${st.stepId}`)}) on ${f.text(st.target)} by ${f.user(st.actor)} at ${f.time(st.at)} — ${st.state.replace('_', ' ')}${detail ? ` (${detail})` : ''} · ${where}`;
    }),
  };
  const pages: Section = {
    id: 'pages', title: `Pages and escalations (${s.pages.length})`, empty: 'None.',
    items: s.pages.map((e) => `${incidentKey(e.incidentId)} · ${e.kind} · ${f.time(e.at)} · ${f.user(e.actor)}: ${f.text(oneLine(e.text, 200))}`),
  };
  const reminders: Section = {
    id: 'reminders', title: `Unanswered update reminders (${s.unansweredReminders.length})`, empty: 'None.',
    items: s.unansweredReminders.map((e) => `${incidentKey(e.incidentId)} · ${f.time(e.at)} · ${f.text(oneLine(e.text, 200))}`),
  };
  const notes: Section = {
    id: 'notes', title: `Notes (${s.notes.length})`, empty: 'No notes.',
    items: s.notes.map((n) => `${f.user(n.author)}${n.incidentId !== null ? ` on ${incidentKey(n.incidentId)}` : ''} (${f.time(n.at)}): ${f.text(oneLine(n.text, 1000))}`),
  };
  const c = s.checks;
  const checks: Section = {
    id: 'checks', title: 'Handoff checks', empty: '',
    lead: c.state === 'not_configured' ? 'Not configured (set handoff.checks to a runbook id in opsroom.yml).'
      : c.state === 'unavailable' ? `${f.text(c.runbookId)}: not run — ${f.text(c.reason)}.`
      : `${f.text(c.runbookId)}: ${c.ok ? 'all passed' : 'FAILED'}`,
    items: c.state === 'ran' ? c.results.map((r) => `${f.mark(markOf(r.state))} ${f.text(oneLine(r.title, 100))} — ${r.state.replace('_', ' ')}${r.detail ? `: ${f.text(oneLine(r.detail, 200))}` : ''}`) : [],
  };
  const who = (l: string[]) => (l.length ? l.map(f.user).join(', ') : 'unknown');
  const onCall: Section = {
    id: 'oncall', title: 'On call', empty: '',
    lead: `Outgoing: ${who(s.onCall.outgoing)} → incoming: ${who(s.onCall.incoming)}${s.onCall.source === 'none' ? '' : ` (${s.onCall.source})`}`,
    items: [],
  };
  const broken: Section[] = s.brokenRunbooks?.length ? [{
    id: 'runbooks', title: `Runbooks that broke (${s.brokenRunbooks.length})`, empty: '',
    items: s.brokenRunbooks.map((b) => `${f.text(b.runbookId)} · broken since ${f.time(b.brokenSince)}${b.reason ? `: ${f.text(oneLine(b.reason, 300))}` : ''}`),
  }] : [];
  return [open, shift, steps, ...broken, pages, reminders, notes, checks, onCall];
}

export function windowLine(s: HandoffSummary, f: Fmt): string {
  const src = { pagerduty: 'PagerDuty schedule', shifts: 'configured shift', default: 'last hours', since: 'requested' }[s.window.source];
  return `${f.time(s.window.since)} → ${f.time(s.window.until)} (${src})`;
}

/** `names`: Slack user ID -> display name, for readers outside Slack. */
export function toMarkdown(s: HandoffSummary, names?: ReadonlyMap<string, string>): string {
  const f = markdownFmt(names);
  const out = [`# Handoff: ${s.headline}`, '', windowLine(s, f), ''];
  for (const sec of sections(s, f)) {
    out.push(`## ${sec.title}`, '');
    if (sec.lead) out.push(sec.lead, '');
    if (!sec.items.length && sec.empty) out.push(sec.empty, '');
    for (const item of sec.items) out.push(`- ${item.split('\n').join('\n  ')}`);
    if (sec.items.length) out.push('');
  }
  return out.join('\n');
}

/** JSON with ISO dates. */
export const toJson = (s: HandoffSummary) => JSON.stringify(s, null, 2);
