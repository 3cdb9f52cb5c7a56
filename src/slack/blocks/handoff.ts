/** The handoff as a Slack message: headline, sections, Accept button, always within Block Kit limits. */
import type { HandoffSummary } from '#core/handoffs/model.js';
import { sections, windowLine, type Fmt, type Mark } from '#core/handoffs/render.js';
import { incidentKey } from '#core/incidents/incident.js';
import { HandoffActions, HandoffViews } from '../ids.js';
import { actions, button, clip, context, header, plain, section, slackDate, type Block, type Modal } from './kit.js';
import { userText } from './mrkdwn.js';

export type { Block };

const slackFmt: Fmt = {
  user: (id) => (/^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : userText(id)),
  time: (d) => slackDate(d),
  bold: (s) => `*${s}*`,
  quote: (s) => s.split('\n').map((l) => `>${l}`).join('\n'),
  text: (s) => userText(s),
  mark: (m) => SLACK_MARKS[m],
};
const SLACK_MARKS: Record<Mark, string> = { ok: ':white_check_mark:', running: ':hourglass:', failed: ':x:', skipped: ':fast_forward:' };

const MAX_MESSAGE_BLOCKS = 50;
const SECTION_CHARS = 3000;
/** Per section, so one busy section cannot crowd out the others. */
const MAX_BLOCKS_PER_SECTION = 5;
const ITEM_CHARS = 1500;

export interface HandoffMessageOptions {
  /** Show "Accept handoff" (posted and direct messages). */
  acceptFor?: number;
  /** Where the full text is when items were left out. */
  fullText?: 'file' | 'elsewhere';
}

export interface HandoffMessage {
  text: string;
  blocks: Block[];
  /** Items left out to stay within Slack's limits. */
  omitted: number;
}

/** Packs lines into section texts of at most SECTION_CHARS, using at most `maxBlocks` blocks. */
function pack(lines: string[], maxBlocks: number): { texts: string[]; used: number } {
  const texts: string[] = [];
  let cur = '';
  let used = 0;
  for (const raw of lines) {
    const line = clip(raw, ITEM_CHARS);
    const next = cur ? `${cur}\n${line}` : line;
    if (next.length <= SECTION_CHARS - 60) {
      cur = next;
      used++;
      continue;
    }
    if (texts.length + 1 >= maxBlocks) break;
    texts.push(cur);
    cur = line;
    used++;
  }
  if (cur) texts.push(cur);
  return { texts, used };
}

export function handoffMessage(s: HandoffSummary, opts: HandoffMessageOptions = {}): HandoffMessage {
  const secs = sections(s, slackFmt);
  const fixed = 2 + 1 + (opts.acceptFor !== undefined ? 1 : 0); // header, context; omission note; actions
  let budget = MAX_MESSAGE_BLOCKS - fixed;
  const body: Block[] = [];
  let omitted = 0;
  // Empty sections become one line at the end, so a quiet shift reads short.
  const quiet = secs.filter((sec) => !sec.items.length && !sec.lead);
  if (quiet.length) budget -= 1;
  const shown = secs.filter((sec) => !quiet.includes(sec));
  shown.forEach((sec, i) => {
    const left = shown.length - i - 1;
    const allowed = Math.max(1, Math.min(MAX_BLOCKS_PER_SECTION, budget - left));
    const title = `*${sec.title}*${sec.lead ? `\n${sec.lead}` : ''}`;
    const lines = sec.items.length ? sec.items.map((it) => `• ${it}`) : sec.empty ? [`_${sec.empty}_`] : [];
    const { texts, used } = pack([title, ...lines], allowed);
    const shownItems = sec.items.length ? Math.max(0, used - 1) : 0;
    const missing = sec.items.length - shownItems;
    if (missing > 0) {
      omitted += missing;
      texts[texts.length - 1] += `\n_…and ${missing} more_`;
    }
    for (const t of texts) body.push(section(t));
    budget -= texts.length;
  });
  if (quiet.length) body.push(context([`Nothing to report in: ${quiet.map((q) => q.title.replace(/ \(0\)$/, '').toLowerCase()).join(', ')}.`]));
  const blocks: Block[] = [
    header(`Handoff: ${s.headline}`),
    context([windowLine(s, slackFmt)]),
    ...body,
  ];
  if (omitted) {
    const where = opts.fullText === 'file' ? 'the full summary is in the file in the thread' : 'the full summary: `/handoff post` (attached as a file) or `opsroom handoff`';
    blocks.push(context([`${omitted} items are not shown here; ${where}.`]));
  }
  if (opts.acceptFor !== undefined) {
    blocks.push(actions('handoff.accept', [button(HandoffActions.accept, 'Accept handoff', String(opts.acceptFor), 'primary')]));
  }
  return { text: clip(`Handoff: ${s.headline}`, 3000), blocks, omitted };
}

/** Replaces the Accept button of a handoff message by who accepted and when. */
export function acceptedBlocks(blocks: Block[], user: string, at: Date): Block[] {
  return blocks.map((b) => (b.block_id === 'handoff.accept' ? context([`:handshake: Accepted by <@${user}> ${slackDate(at)}`]) : b));
}

/** The "Add to handoff" modal from an incident card. */
export function noteModal(incidentId: number): Modal {
  return {
    type: 'modal', callback_id: HandoffViews.note, title: plain('Add to handoff'), submit: plain('Add'), close: plain('Cancel'),
    private_metadata: JSON.stringify({ incidentId }),
    blocks: [
      section(`A note for the next on-call about *${incidentKey(incidentId)}*.`),
      {
        type: 'input', block_id: 'note', label: plain('Note'),
        element: { type: 'plain_text_input', action_id: 'note', multiline: true, max_length: 2000, placeholder: plain('What the next person should know') },
      },
    ],
  };
}
