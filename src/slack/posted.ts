/**
 * Posting idempotently: each message opsroom posts from the outbox carries the effect's key in
 * its metadata. A delivery retried after a replica died between Slack's answer and "done" first
 * looks for the message the earlier attempt posted, and posts only when there is none.
 */
import type { WebClient } from '@slack/web-api';
import type { Effect } from '#core/effects.js';

const CARD_EVENT = 'opsroom_card';
const LINE_EVENT = 'opsroom_line';

export interface PostedKey {
  event_type: string;
  event_payload: Record<string, string | number>;
}

/** The card of an incident: one per incident. */
export const cardKey = (incidentId: number): PostedKey => ({ event_type: CARD_EVENT, event_payload: { incident_id: incidentId } });
/** A thread line: one per effect. */
export const lineKey = (effect: Effect): PostedKey => ({ event_type: LINE_EVENT, event_payload: { effect_id: effect.id } });

type Listed = { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

const matches = (m: Listed, key: PostedKey) =>
  m.metadata?.event_type === key.event_type &&
  Object.entries(key.event_payload).every(([k, v]) => m.metadata?.event_payload?.[k] === v);

/**
 * The ts of a message with `key` posted since `since` in `channel` (or in the thread `threadTs`),
 * or undefined. Reads at most `pages` pages of 200.
 */
export async function findPosted(client: WebClient, where: { channel: string; threadTs?: string }, key: PostedKey, since: Date, pages = 5): Promise<string | undefined> {
  const oldest = String(Math.floor(since.getTime() / 1000) - 60);
  let cursor: string | undefined;
  for (let n = 0; n < pages; n++) {
    const args = { channel: where.channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
    const r = where.threadTs
      ? await client.conversations.replies({ ...args, ts: where.threadTs })
      : await client.conversations.history(args);
    const found = (r.messages as Listed[] | undefined)?.find((m) => matches(m, key));
    if (found?.ts) return found.ts;
    cursor = r.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
