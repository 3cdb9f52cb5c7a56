/** The open follow-ups on an incident's card, each with a Done button. */
import type { FollowUp } from '#core/followups/model.js';
import { FollowUpActions } from '../ids.js';
import { button, context, type Block } from './kit.js';
import { link, userText } from './mrkdwn.js';

/** At most this many on the card; the rest are counted. */
const CARD_FOLLOW_UPS = 8;

export function followUpBlocks(open: readonly FollowUp[]): Block[] {
  if (open.length === 0) return [];
  const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*Follow-ups* (${open.length} open)` } }];
  for (const f of open.slice(0, CARD_FOLLOW_UPS)) {
    const owner = f.owner ? ` — <@${f.owner}>` : '';
    const issue = f.issueUrl ? ` · ${link(f.issueUrl, 'issue')}` : '';
    blocks.push({
      type: 'section', block_id: `followup.${f.id}`,
      text: { type: 'mrkdwn', text: `• ${userText(f.text, 2500)}${owner}${issue}` },
      accessory: button(FollowUpActions.done, 'Done', String(f.id)),
    });
  }
  if (open.length > CARD_FOLLOW_UPS) blocks.push(context([`${open.length - CARD_FOLLOW_UPS} more in \`/incident postmortem\``]));
  return blocks;
}
