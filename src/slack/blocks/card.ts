import { formatDuration } from '#core/incidents/format.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import type { Severity } from '#core/incidents/severity.js';
import { isOpen, STATUSES } from '#core/incidents/status.js';
import type { FollowUp } from '#core/followups/model.js';
import { Actions, FollowUpActions, HandoffActions } from '../ids.js';
import { followUpBlocks } from './follow-ups.js';
import type { ActionsBlockElement } from '@slack/types';
import { actions, button, context, fields, header, option, slackDate, type Block } from './kit.js';
import { userText } from './mrkdwn.js';

export interface CardContext {
  severities: readonly Severity[];
  now: Date;
  /** "PagerDuty: off", "PagerDuty: pending", "PagerDuty: <url|triggered>", "PagerDuty: failed: …". */
  pagerLine?: string;
  /** Show the Escalate button (the pager is on). */
  escalate?: boolean;
  /** A level as the incident's system names it ("P1 · Crítica"); default: the level. */
  levelName?: (level: string) => string;
  /** Open follow-ups, listed with a Done button each. */
  followUps?: readonly FollowUp[];
}

const STATUS_EMOJI: Record<string, string> = {
  investigating: ':mag:', identified: ':dart:', monitoring: ':eyes:', resolved: ':white_check_mark:',
};

/** A Slack user as a mention; a sender that is not one (alertmanager, grafana, pagerduty) by its name. */
const person = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : id);

export function cardText(i: Incident) {
  return `${incidentKey(i.id)} ${i.severity} ${i.status}: ${userText(i.title)}`;
}

/** The live status card: the incident at a glance and its buttons. */
export function incidentCard(i: Incident, ctx: CardContext): Block[] {
  const key = incidentKey(i.id);
  const sev = ctx.severities.find((s) => s.id === i.severity);
  const level = ctx.levelName?.(i.severity) ?? i.severity;
  const age = formatDuration((i.resolvedAt ?? ctx.now).getTime() - i.createdAt.getTime());
  const blocks: Block[] = [
    header(`${key} · ${level} · ${i.title}`),
    fields([
      `*Status*\n${STATUS_EMOJI[i.status]} ${i.status}`,
      `*Severity*\n${level}${sev?.label ? ` (${sev.label})` : ''}`,
      ...(i.system ? [`*System*\n${userText(i.system)}`] : []),
      `*Commander*\n${person(i.commander)}`,
      `*Opened by*\n${person(i.openedBy)}`,
      `*Opened*\n${slackDate(i.createdAt)}`,
      // Open: Slack's {ago} keeps the age current in every client without a re-render.
      `*Age*\n${isOpen(i.status) ? `opened ${slackDate(i.createdAt, '{ago}')}` : `${age} (resolved)`}`,
      ...(i.service ? [`*Service*\n${userText(i.service, 1900)}`] : []),
      ...(i.acknowledgedBy ? [`*Acknowledged by*\n<@${i.acknowledgedBy}>`] : []),
    ]),
  ];
  if (i.summary) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: userText(i.summary, 2900) } });
  if (i.resolution) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Resolution:* ${userText(i.resolution, 2800)}` } });
  const notes = [i.lastUpdateAt.getTime() > i.createdAt.getTime() ? `Last update ${slackDate(i.lastUpdateAt, '{ago}')}` : 'No status update yet'];
  if (ctx.pagerLine) notes.push(ctx.pagerLine);
  if (sev && isOpen(i.status) && !i.acknowledgedAt) notes.push(responseTarget(i, sev, ctx.now));
  blocks.push(...followUpBlocks(ctx.followUps ?? []));
  blocks.push(context(notes));
  blocks.push(actions(`card.${i.id}`, isOpen(i.status) ? openButtons(i, ctx) : [button(Actions.reopen, 'Reopen', String(i.id)), button(FollowUpActions.postmortem, 'Postmortem', String(i.id)), button(HandoffActions.addNote, 'Add to handoff', String(i.id))]));
  return blocks;
}

/** "Respond by 14:05 (5m)", or, once that has passed unacknowledged, a mark that it was missed. */
function responseTarget(i: Incident, sev: Severity, now: Date): string {
  const target = sev.responseMinutes * 60_000;
  const due = new Date(i.createdAt.getTime() + target);
  const late = now.getTime() - due.getTime();
  return late >= 0
    ? `:warning: *Response target missed*: not acknowledged within ${formatDuration(target)} (due ${slackDate(due, '{time}')})`
    : `Respond by ${slackDate(due, '{time}')} (${formatDuration(target)})`;
}

function openButtons(i: Incident, ctx: CardContext): ActionsBlockElement[] {
  const id = String(i.id);
  const out: ActionsBlockElement[] = [];
  if (!i.acknowledgedAt) out.push(button(Actions.acknowledge, 'Acknowledge', id, 'primary'));
  out.push(button(Actions.postUpdate, 'Post update', id));
  const current = statusOptions().find((o) => o.value === i.status);
  out.push({
    type: 'static_select', action_id: Actions.changeStatus,
    placeholder: { type: 'plain_text', text: 'Change status' },
    options: statusOptions(), ...(current && { initial_option: current }),
  });
  out.push({
    type: 'static_select', action_id: Actions.changeSeverity,
    placeholder: { type: 'plain_text', text: 'Change severity' },
    options: ctx.severities.map((s) => option(`${ctx.levelName?.(s.id) ?? s.id}${s.label ? ` ${s.label}` : ''}`, `${id}:${s.id}`)),
  });
  out.push({ type: 'users_select', action_id: Actions.assignCommander, placeholder: { type: 'plain_text', text: 'Assign commander' } });
  if (ctx.escalate) out.push(button(Actions.escalate, 'Escalate', id));
  out.push(button(HandoffActions.addNote, 'Add to handoff', id));
  out.push(button(Actions.resolve, 'Resolve', id, 'danger'));
  return out;
}

export const statusOptions = () => STATUSES.filter((s) => s !== 'resolved').map((s) => option(s, s));
