/** The postmortem draft as Markdown (every piece of someone else's text escaped) or JSON. */
import { formatDuration } from '../incidents/format.js';
import { KIND_WORDS, ROLE_WORDS, STATE_WORDS, WORDS } from './i18n.js';
import { mdCode, mdFence, mdText } from './markdown.js';
import type { Postmortem, StepEntry, TimelineEntry } from './model.js';

const pad = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const clock = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const stamp = (d: Date) => `${day(d)} ${clock(d)} UTC`;

export function toJson(pm: Postmortem): string {
  return JSON.stringify(pm, null, 2);
}

export function toMarkdown(pm: Postmortem): string {
  const w = WORDS[pm.language];
  const person = (user: string) => {
    const p = pm.participants.find((x) => x.user === user);
    return p?.name ? `@${mdText(p.name, 80)}` : mdText(user, 40);
  };
  const at = (d: Date | null) => (d ? stamp(d) : w.notRecorded);
  const took = (ms: number | null) => (ms === null ? w.notRecorded : formatDuration(ms));
  const out: string[] = [];
  out.push(`# ${w.title}: ${pm.key} ${mdText(pm.title, 200)}`, '', `> ${w.draftNote}`, '');

  out.push(`## ${w.summary}`, '');
  out.push(pm.summary ? mdText(pm.summary) : w.noSummary, '');
  if (pm.resolution) out.push(`**${w.resolution}:** ${mdText(pm.resolution)}`, '');
  out.push(`**${w.status}:** ${mdText(pm.status)} · **${w.commander}:** ${person(pm.commander)}`, '');

  out.push(`## ${w.impact}`, '');
  out.push(`- **${w.system}:** ${pm.impact.system ? mdText(pm.impact.system, 100) : w.notRecorded}`);
  out.push(`- **${w.service}:** ${pm.impact.service ? mdText(pm.impact.service, 200) : w.notRecorded}`);
  const sevs = pm.impact.severities.length > 1 ? ` (${pm.impact.severities.map((s) => mdText(s, 20)).join(' → ')})` : '';
  out.push(`- **${w.severity}:** ${mdText(pm.impact.severity, 20)}${sevs}`);
  out.push(`- **${w.duration}:** ${formatDuration(pm.impact.durationMs)}${pm.impact.ongoing ? ` (${w.ongoing})` : ''}`, '');

  out.push(`## ${w.keyTimes}`, '');
  out.push(`| | |`, `| --- | --- |`);
  out.push(`| ${w.opened} | ${at(pm.times.opened)} |`);
  out.push(`| ${w.acknowledged} | ${at(pm.times.acknowledged)} |`);
  out.push(`| ${w.mitigated} | ${at(pm.times.mitigated)} |`);
  out.push(`| ${w.resolved} | ${at(pm.times.resolved)} |`);
  out.push(`| ${w.tta} | ${took(pm.times.ttaMs)} |`);
  out.push(`| ${w.ttm} | ${took(pm.times.ttmMs)} |`);
  out.push(`| ${w.ttr} | ${took(pm.times.ttrMs)} |`, '');

  out.push(`## ${w.timeline}`, '', `${w.opened} ${day(pm.times.opened)} (UTC).`, '');
  if (pm.timeline.length === 0) out.push(w.noEvents);
  let lastDay = day(pm.times.opened);
  for (const e of pm.timeline) {
    const d = day(e.at);
    const when = d === lastDay ? clock(e.at) : `${d} ${clock(e.at)}`;
    lastDay = d;
    out.push(...entry(pm, e, when, person));
  }
  out.push('');

  out.push(`## ${w.participants}`, '');
  const roles = ROLE_WORDS[pm.language];
  for (const p of pm.participants) out.push(`- ${person(p.user)}${p.name ? ` (${mdText(p.user, 40)})` : ''}: ${p.roles.map((r) => roles[r] ?? r).join(', ')}`);
  if (pm.participants.length === 0) out.push(`- ${w.none}`);
  out.push('');

  out.push(`## ${w.followUps}`, '');
  for (const f of pm.followUps) {
    const owner = f.owner ? ` — ${w.owner}: ${person(f.owner)}` : '';
    const done = f.doneAt ? ` (${w.done}${f.doneBy ? `, ${person(f.doneBy)}` : ''})` : '';
    const issue = f.issueUrl && /^https:\/\/[^\s<>()]+$/.test(f.issueUrl) ? ` — [${w.issue}](${f.issueUrl})` : '';
    out.push(`- [${f.doneAt ? 'x' : ' '}] ${mdText(f.text)}${owner}${done}${issue}`);
  }
  if (pm.followUps.length === 0) out.push(w.noFollowUps);
  out.push('');

  for (const h of [w.causes, w.wentWell, w.lessons]) out.push(`## ${h}`, '', w.toWrite, '');
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function entry(pm: Postmortem, e: TimelineEntry, when: string, person: (u: string) => string): string[] {
  if (e.type === 'event') {
    const kind = KIND_WORDS[pm.language][e.kind] ?? e.kind;
    return [`- **${when}** · ${mdText(kind, 40)} · ${person(e.actor)}: ${mdText(e.text)}`];
  }
  return step(pm, e, when, person);
}

function step(pm: Postmortem, s: StepEntry, when: string, person: (u: string) => string): string[] {
  const w = WORDS[pm.language];
  const state = STATE_WORDS[pm.language][s.state] ?? s.state;
  const by = `${w.by} ${person(s.actor)}${s.approver ? `, ${w.approvedBy} ${person(s.approver)}` : ''}`;
  const result = [state, s.exitCode !== null ? `${w.exit} ${s.exitCode}` : null, s.durationMs !== null ? formatDuration(s.durationMs) : null].filter(Boolean).join(', ');
  const attempt = s.attempt > 1 ? ` (${w.attempt} ${s.attempt})` : '';
  const lines = [
    `- **${when}** · ${mdCode(s.stepId, 80)} ${mdText(s.title, 200)}${attempt} · ${w.run} ${s.runId} ${mdCode(s.runbookId, 120)} · ${w.on} ${mdCode(s.target, 200)} · ${by} · **${mdText(result, 100)}**`,
    `  - ${mdCode(s.command)}`,
  ];
  if (s.error) lines.push(`  - ${mdText(s.error, 300)}`);
  if (s.output.total > 0) {
    const note = s.output.shown < s.output.total ? ` (${w.lastLines.replace('{n}', String(s.output.shown)).replace('{total}', String(s.output.total))})` : '';
    lines.push(`  - ${w.output}${note}:`, '', ...mdFence(s.output.text).split('\n').map((l) => `    ${l}`), '');
  }
  return lines;
}
