/** Incident thread lines as mrkdwn: emoji, mentions and bold live here, not in the core. */
import { formatDuration } from '#core/incidents/format.js';
import type { IncidentLine } from '#core/incidents/lines.js';
import { said } from '#core/said.js';
import { type Renderers, user } from './render.js';

const where = (system: string | null) => (system ? ` in ${system}` : '');
const took = (ms: number | null, none: string) => (ms === null ? none : formatDuration(ms));

export const incidentLines: Renderers<IncidentLine> = {
  opened: (l) => `:rotating_light: ${user(l.by)} opened this ${l.label} incident${where(l.system)}. Commander: ${user(l.commander)}.`,
  'pager-opened': (l) => `:rotating_light: Raised in PagerDuty as ${l.label}${where(l.system)}. Acknowledge here or in PagerDuty; both stay in step.`,
  acknowledged: (l) => `:eyes: ${user(l.actor)} acknowledged (${formatDuration(l.tookMs)} after opening).`,
  update: (l) => `:memo: Update from ${user(l.actor)}${l.status ? ` — now *${l.status}*` : ''}:\n${said(l.text)}`,
  status: (l) => `:arrows_counterclockwise: ${user(l.actor)} moved the status to *${l.status}*.`,
  severity: (l) => `:warning: ${user(l.actor)} changed the severity from ${l.from} to *${l.to}*.`,
  commander: (l) => `:bust_in_silhouette: ${user(l.actor)} made ${user(l.commander)} the commander.`,
  reopened: (l) => `:leftwards_arrow_with_hook: ${user(l.actor)} reopened the incident.`,
  escalated: (l) => {
    const target = l.policyId ? `escalation policy ${l.policyId}` : l.level !== undefined ? `level ${l.level}` : 'the next level';
    return `:arrow_double_up: ${user(l.actor)} escalated to ${said(target)} in PagerDuty.`;
  },
  'update-due': (l) =>
    `:alarm_clock: No update for ${formatDuration(l.quietMs)}. ${user(l.commander)}, please post one (${l.label} expects one every ${formatDuration(l.everyMs)}).`,
  'response-due': (l) =>
    `:warning: Not acknowledged within ${formatDuration(l.withinMs)}, the response target of ${l.severity}. ${user(l.commander)}, please acknowledge or hand it over.`,
  resolved: (l) => [
    // Alerts resolve too: a sender that is not a Slack user is named, not mentioned.
    `:white_check_mark: ${/^[UW][A-Z0-9]+$/.test(l.actor) ? user(l.actor) : l.actor} resolved the incident.${l.resolution ? ` ${said(l.resolution)}` : ''}`,
    `*Time to acknowledge:* ${took(l.ackMs, 'never acknowledged')} · *Time to mitigate:* ${took(l.mitigateMs, 'no verified recovery')} · *Time to resolve:* ${took(l.resolveMs, '—')}`,
    `*Timeline:* ${l.timeline}`,
  ].join('\n'),
  'pager-assigned': (l) =>
    `:arrow_double_up: ${l.escalated ? 'Escalated' : 'Reassigned'} in PagerDuty by ${said(l.by)}: now ${said(l.assignees)}${l.policy ? ` (${said(l.policy)})` : ''}`,
  'pager-note': (l) => `:memo: Note in PagerDuty from ${said(l.by)}:\n${said(l.text)}`,
};
