/** Follow-up thread lines as mrkdwn. */
import type { FollowUpLine } from '#core/followups/lines.js';
import { said } from '#core/said.js';
import { type Renderers, user } from './render.js';

export const followUpLines: Renderers<FollowUpLine> = {
  'followup-added': (l) => `:pushpin: ${user(l.actor)} added a follow-up${l.owner ? ` (owner ${user(l.owner)})` : ''}: ${said(l.text)}`,
  'followup-done': (l) => `:ballot_box_with_check: ${user(l.actor)} marked a follow-up done: ${said(l.text)}`,
};
