import { formatDuration } from '../../core/incidents/format.js';
import { incidentKey, type Incident } from '../../core/incidents/incident.js';
import { timeToAcknowledge, timeToResolve } from '../../core/incidents/summary.js';
import type { TimelineEvent } from '../../core/incidents/timeline.js';
import { clip, context, divider, section, slackDate, type Block } from './kit.js';
import { userText } from './mrkdwn.js';

/** Timeline kinds whose text is opsroom's own mrkdwn (it escapes what it embeds); every other text is shown escaped. */
const MRKDWN_KINDS = new Set(['commander', 'step', 'run', 'approval', 'denial']);
export const timelineText = (kind: string, text: string) => (MRKDWN_KINDS.has(kind) ? text : userText(text, 2000));

/** `/incident list`: the open incidents, most severe first (the store's order). */
export function incidentList(open: readonly Incident[], now: Date): { text: string; blocks: Block[] } {
  if (open.length === 0) return { text: 'No open incidents.', blocks: [section(':white_check_mark: No open incidents.')] };
  const lines = open.map((i) =>
    `*${incidentKey(i.id)}* · ${i.severity} · ${i.status} · ${userText(i.title)} — <@${i.commander}>, open ${formatDuration(now.getTime() - i.createdAt.getTime())}`);
  const blocks: Block[] = [section(`*${open.length} open incident${open.length === 1 ? '' : 's'}*`)];
  for (let at = 0; at < lines.length && blocks.length < 49; at += 20) {
    blocks.push(section(clip(lines.slice(at, at + 20).join('\n'), 3000)));
  }
  return { text: `${open.length} open incidents`, blocks };
}

const MAX_TIMELINE_LINES = 40;

/** `/incident show`: the card, then the timeline (newest last) with TTA and TTR. */
export function incidentShow(i: Incident, card: Block[], events: readonly TimelineEvent[]): { text: string; blocks: Block[] } {
  const shown = events.slice(-MAX_TIMELINE_LINES);
  const lines = shown.map((e) => `${slackDate(e.at, '{date_short} {time_secs}')} · ${e.actor === 'opsroom' || e.actor === 'pagerduty' ? e.actor : `<@${e.actor}>`} · *${e.kind}* ${timelineText(e.kind, e.text)}`);
  const blocks: Block[] = card.filter((b) => b.type !== 'actions');
  blocks.push(divider());
  const tta = timeToAcknowledge(i);
  const ttr = timeToResolve(i);
  blocks.push(context([`Time to acknowledge: ${tta === null ? '—' : formatDuration(tta)} · Time to resolve: ${ttr === null ? '—' : formatDuration(ttr)}`]));
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    const l = clip(line, 2900);
    if (current && current.length + l.length + 1 > 2900) { chunks.push(current); current = ''; }
    current = current ? `${current}\n${l}` : l;
  }
  if (current) chunks.push(current);
  if (events.length > shown.length) blocks.push(context([`${events.length - shown.length} earlier events not shown`]));
  for (const c of chunks.slice(0, 50 - blocks.length)) blocks.push(section(c));
  return { text: `${incidentKey(i.id)} timeline`, blocks };
}
