/** "Move to monitoring" under a verified recovery: the incident is the thread's, as Slack signed it. */
import type { App, BlockAction } from '@slack/bolt';
import { CodedError, ErrorCode } from '../../../core/errors.js';
import type { SlackDeps } from '../../deps.js';
import { userMessage } from '../../errors.js';
import { Actions } from '../../ids.js';
import { clickedMessage } from '../clicked.js';

export function registerRecoveryActions(app: App, d: SlackDeps) {
  app.action(Actions.monitoring, async ({ ack, body, client }) => {
    await ack();
    const b = body as BlockAction;
    const { channel } = clickedMessage(b);
    try {
      const threadTs = (b.container as { thread_ts?: string } | undefined)?.thread_ts ?? (b.message as { thread_ts?: string } | undefined)?.thread_ts;
      const incident = channel && threadTs ? await d.store.findByThread(channel, threadTs) : undefined;
      if (!incident) throw new CodedError(ErrorCode.NotFound, 'This message does not belong to a known incident.');
      if (incident.status === 'monitoring') throw new CodedError(ErrorCode.IllegalTransition, 'The incident is already monitoring.');
      await d.incidents.setStatus(incident.id, b.user.id, 'monitoring');
    } catch (e) {
      if (!(e instanceof CodedError)) d.log('move to monitoring failed', { error: String((e as Error)?.stack ?? e) });
      await client.chat.postEphemeral({ channel: channel ?? d.incidentChannel, user: b.user.id, text: userMessage(e) })
        .catch((err) => d.log('ephemeral failed', { error: String(err) }));
    }
  });
}
