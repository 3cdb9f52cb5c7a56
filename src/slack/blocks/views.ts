import { formatDuration } from '#core/incidents/format.js';
import { incidentKey, type Incident } from '#core/incidents/incident.js';
import { timeToAcknowledge, timeToMitigate, timeToResolve } from '#core/incidents/summary.js';
import type { TimelineEvent } from '#core/incidents/timeline.js';
import { person } from '#core/said.js';
import { context, divider, section, slackDate, type Block } from './kit.js';
import { listBlocks } from './lists.js';
import { opsroomLine, userText } from './mrkdwn.js';
import { entryText } from './timeline.js';

/** Slack takes at most 50 blocks in a message. */
const MAX_BLOCKS = 50;

/** Timeline kinds whose text is opsroom's own mrkdwn (it escapes what it embeds); every other text is shown escaped. */
const MRKDWN_KINDS = new Set(['commander', 'step', 'run', 'approval', 'denial']);
const timelineText = (kind: string, text: string) => (MRKDWN_KINDS.has(kind) ? opsroomLine(text) : userText(text, 2000));
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const mention = (id: string) => opsroomLine(person(id));

/** An event's text: commander and follow-up events from their data, people as mentions; the rest by kind. */
function eventText(e: TimelineEvent): string {
  const d = e.data ?? {};
  if (e.kind === 'message' || e.kind === 'timeline') return entryText(e);
  if (e.kind === 'commander') {
    const [from, to, commander] = [str(d.from), str(d.to), str(d.commander)];
    if (from && to) return `Commander ${mention(from)} → ${mention(to)}`;
    if (commander) return `${mention(commander)} is commander`;
  }
  if (e.kind === 'followup' && d.action === 'added') {
    const owner = str(d.owner);
    // Older events hold the text only, after the owner's mention.
    const older = owner && e.text.startsWith(`Follow-up (owner <@${owner}>): `) ? e.text.slice(`Follow-up (owner <@${owner}>): `.length) : undefined;
    const body = typeof d.text === 'string' ? d.text : older;
    if (body !== undefined) return `Follow-up${owner ? ` (owner ${mention(owner)})` : ''}: ${userText(body, 2000)}`;
  }
  return timelineText(e.kind, e.text);
}

/** `/incident list [system]`: the open incidents (of one system), most severe first (the store's order). */
export function incidentList(
  open: readonly Incident[], now: Date,
  opts: { system?: string | null; levelName?: (i: Incident) => string; links?: readonly (string | null)[] } = {},
): { text: string; blocks: Block[] } {
  const of = opts.system ? ` in ${opts.system}` : '';
  if (open.length === 0) return { text: `No open incidents${of}.`, blocks: [section(`:white_check_mark: No open incidents${of}.`)] };
  const lines = open.map((i, n) =>
    `*${linked(incidentKey(i.id), opts.links?.[n])}* · ${opts.levelName?.(i) ?? i.severity}${i.system ? ` · ${userText(i.system)}` : ''} · ${i.status} · ${userText(i.title)} — ${/^[UW][A-Z0-9]+$/.test(i.commander) ? `<@${i.commander}>` : userText(i.commander)}, open ${formatDuration(now.getTime() - i.createdAt.getTime())}`);
  const more = (left: number) => `${left} more open incident${left === 1 ? '' : 's'} not shown (the least severe): \`/incident show INC-n\` shows any one of them.`;
  const blocks: Block[] = [section(`*${open.length} open incident${open.length === 1 ? '' : 's'}${of}*`), ...listBlocks([{ items: lines }], MAX_BLOCKS - 1, more)];
  return { text: `${open.length} open incidents`, blocks };
}

/** `<url|INC-7>`: the key linking to its thread when the link is known. */
const linked = (key: string, url: string | null | undefined) => (url && /^https?:\/\/[^\s|<>]+$/.test(url) ? `<${url}|${key}>` : key);

/** Timeline events on one page of `/incident show`; page 1 is the newest. 25 always fit one message. */
const TIMELINE_PAGE = 25;

/** `/incident show [INC-n] [page]`: the card, then one page of the timeline (oldest first on it) with TTA and TTR. */
export function incidentShow(i: Incident, card: Block[], events: readonly TimelineEvent[], page = 1): { text: string; blocks: Block[] } {
  const key = incidentKey(i.id);
  const pages = Math.max(1, Math.ceil(events.length / TIMELINE_PAGE));
  const p = Math.min(Math.max(1, page), pages);
  const end = events.length - (p - 1) * TIMELINE_PAGE;
  const start = Math.max(0, end - TIMELINE_PAGE);
  const shown = events.slice(start, end);
  const lines = shown.map((e) => `${slackDate(e.at, '{date_short} {time_secs}')} · ${['opsroom', 'pagerduty', 'alertmanager', 'grafana'].includes(e.actor) ? e.actor : `<@${e.actor}>`} · *${e.kind}* ${eventText(e)}`);
  const blocks: Block[] = card.filter((b) => b.type !== 'actions');
  blocks.push(divider());
  const tta = timeToAcknowledge(i);
  const ttr = timeToResolve(i);
  const ttm = timeToMitigate(i);
  blocks.push(context([`Time to acknowledge: ${tta === null ? '—' : formatDuration(tta)} · Time to mitigate: ${ttm === null ? '—' : formatDuration(ttm)} · Time to resolve: ${ttr === null ? '—' : formatDuration(ttr)}`]));
  if (pages > 1) {
    const older = p < pages ? ` · older: \`/incident show ${key} ${p + 1}\`` : '';
    const newer = p > 1 ? ` · newer: \`/incident show ${key} ${p - 1}\`` : '';
    blocks.push(context([`Timeline events ${start + 1}–${end} of ${events.length} (page ${p} of ${pages})${older}${newer}`]));
  }
  // A page always fits (25 items of at most one section each); should it not, the reply says so.
  const more = (left: number) => `${left} more event${left === 1 ? '' : 's'} of this page did not fit in one message; \`opsroom audit\` exports every event.`;
  blocks.push(...listBlocks([{ items: lines }], MAX_BLOCKS - blocks.length, more));
  return { text: `${key} timeline`, blocks };
}
