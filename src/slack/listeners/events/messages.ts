/**
 * People's replies in an incident's thread become timeline entries (kind `message`), so
 * `/incident show` and the postmortem have the conversation. Kept: new replies by people
 * (also "also send to channel" and replies with files). Left alone: bots (opsroom included),
 * top-level messages, other channels, and edits and deletions (the entry keeps what was said
 * when it was said, scrubbed of known secrets). A retried event is recorded once.
 */
import type { App } from '@slack/bolt';
import type { TimelineMessages } from '#core/incidents/messages.js';
import type { SlackDeps } from '#slack/deps.js';
import { permalinkOf, readableMessageText } from '#slack/message-text.js';
import { logOnce } from '../reply.js';

/** Subtypes that are still a person saying something. */
const KEPT_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

interface MessageEvent {
  type: 'message';
  subtype?: string;
  channel?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

/** Whether the event is a person's reply in a thread (not a bot's, not an edit); the thread decides the incident. */
function isPersonReply(e: MessageEvent, botUserId?: string): e is MessageEvent & { user: string; ts: string; thread_ts: string } {
  if (!e.channel || !KEPT_SUBTYPES.has(e.subtype)) return false;
  if (e.bot_id || !e.user || (botUserId && e.user === botUserId)) return false;
  return Boolean(e.ts && e.thread_ts && e.thread_ts !== e.ts);
}

export function registerThreadMessages(app: App, d: SlackDeps, messages: TimelineMessages) {
  app.event('message', async ({ event, context, client }) => {
    const e = event as MessageEvent;
    // Any channel: incidents of a system live in that system's channel.
    if (!isPersonReply(e, context.botUserId)) return;
    const incident = await d.store.findByThread(e.channel!, e.thread_ts);
    if (!incident) return;
    try {
      const [text, permalink] = await Promise.all([readableMessageText(client, e.text ?? ''), permalinkOf(client, e.channel!, e.ts)]);
      await messages.add(incident.id, { channel: e.channel!, ts: e.ts, threadTs: e.thread_ts, author: e.user, text, permalink }, { kind: 'message', actor: e.user });
    } catch (err) {
      // Logged here with the incident; the global error handler does not log it again.
      logOnce(d.log, 'thread message not recorded', err, { incidentId: incident.id, ts: e.ts });
      throw err;
    }
  });
}
