/** "Move to monitoring" under a verified recovery: the incident is the thread's, as Slack signed it. */
import type { App, BlockAction } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { SlackDeps } from '#slack/deps.js';
import { Actions } from '#slack/ids.js';
import { clickedMessage, clickedWhere } from '../clicked.js';
import { tellError } from '../reply.js';

export function registerRecoveryActions(app: App, d: SlackDeps) {
  app.action(Actions.monitoring, async ({ ack, body, client }) => {
    await ack();
    const b = body as BlockAction;
    const where = clickedWhere(b, d.incidentChannel);
    const { channel } = clickedMessage(b);
    try {
      const { threadTs } = where;
      const incident = channel && threadTs ? await d.store.findByThread(channel, threadTs) : undefined;
      if (!incident) throw new CodedError(ErrorCode.NotFound, 'This message does not belong to a known incident.');
      if (incident.status === 'monitoring') throw new CodedError(ErrorCode.IllegalTransition, 'The incident is already monitoring.');
      await d.incidents.setStatus(incident.id, b.user.id, 'monitoring');
    } catch (e) {
      await tellError(client, d.log, 'move to monitoring failed', where, e);
    }
  });
}
