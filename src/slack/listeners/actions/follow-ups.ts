/** The card's follow-up Done buttons and the resolved card's Postmortem button. */
import type { App } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Incident } from '#core/incidents/incident.js';
import type { SlackDeps } from '#slack/deps.js';
import { FollowUpActions } from '#slack/ids.js';
import { clickedIncident, clickedWhere } from '../clicked.js';
import { tellError, tellOnly } from '../reply.js';
import type { ClickArgs } from '../types.js';

type Answer = (d: SlackDeps, incident: Incident, args: ClickArgs) => Promise<string | undefined>;

const valueOf = (a: ClickArgs) => (a.action.type === 'button' ? a.action.value ?? '' : '');

const answers: Record<string, Answer> = {
  // Anyone in the channel may mark a follow-up done; who did is recorded.
  async [FollowUpActions.done](d, incident, a) {
    if (!d.followUps) throw new CodedError(ErrorCode.Unavailable, 'Follow-ups are not set up here.');
    const id = Number(valueOf(a));
    const f = Number.isSafeInteger(id) ? (await d.followUps.list(incident.id)).find((x) => x.id === id) : undefined;
    // The button's value is the clicker's to change: it must name a follow-up of this card's incident.
    if (!f) throw new CodedError(ErrorCode.NotFound, 'That follow-up does not belong to this incident.');
    await d.followUps.done(f.id, a.body.user.id);
    return undefined;
  },
  async [FollowUpActions.postmortem](d, incident, a) {
    if (!d.postmortems) throw new CodedError(ErrorCode.Unavailable, 'Postmortem drafts are not set up here.');
    await d.postmortems.request(incident.id, a.body.user.id);
    return 'The postmortem draft will be posted as a file in the thread.';
  },
};

export function registerFollowUpActions(app: App, d: SlackDeps) {
  for (const [actionId, answer] of Object.entries(answers)) {
    app.action(actionId, async (args) => {
      const a = args as unknown as ClickArgs;
      await a.ack();
      const where = clickedWhere(a.body, d.incidentChannel);
      try {
        const text = await answer(d, await clickedIncident(d.store, a.body), a);
        if (text) await tellOnly(a.client, d.log, where, text);
      } catch (e) {
        await tellError(a.client, d.log, 'follow-up action failed', where, e, { actionId });
      }
    });
  }
}
