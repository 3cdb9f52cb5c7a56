import type { BlockAction } from '@slack/bolt';
import { CodedError, ErrorCode } from '#core/errors.js';
import type { Incident } from '#core/incidents/incident.js';
import type { IncidentStore } from '#core/ports.js';
import type { Where } from './reply.js';

/** The message a button was clicked on, as Slack signed it: never taken from the button's value. */
export function clickedMessage(body: BlockAction): { channel?: string; ts?: string } {
  return {
    channel: body.container?.channel_id ?? body.channel?.id,
    ts: body.container?.message_ts ?? body.message?.ts,
  };
}

/** Where the clicker reads an answer only they see: the clicked message's channel and thread. */
export function clickedWhere(body: BlockAction, fallbackChannel?: string): Where {
  const threadTs = (body.container as { thread_ts?: string } | undefined)?.thread_ts ?? (body.message as { thread_ts?: string } | undefined)?.thread_ts;
  return { user: body.user.id, channel: clickedMessage(body).channel ?? fallbackChannel, ...(threadTs ? { threadTs } : {}) };
}

/** The incident whose card was clicked. */
export async function clickedIncident(store: IncidentStore, body: BlockAction): Promise<Incident> {
  const { channel, ts } = clickedMessage(body);
  const incident = channel && ts ? await store.findByThread(channel, ts) : undefined;
  if (!incident) throw new CodedError(ErrorCode.NotFound, 'This card does not belong to a known incident.');
  return incident;
}
