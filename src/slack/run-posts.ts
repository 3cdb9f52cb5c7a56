/**
 * Run messages posted once: run cards, output messages, approval requests and suggestions carry a
 * key in their Slack metadata and are recorded as chat refs. A post retried after an attempt that
 * may have reached Slack (a timeout, a replica that died before recording it) first looks for the
 * message by its metadata; a click on a message whose ref was never recorded finds it the same way.
 */
import type { WebClient } from '@slack/web-api';
import type { Block } from './blocks/kit.js';
import { retryAfterMs } from './output-stream.js';
import { findPosted, type PostedKey } from './posted.js';

const RUN_CARD_EVENT = 'opsroom_run_card';
const OUTPUT_EVENT = 'opsroom_run_output';
const APPROVAL_EVENT = 'opsroom_approval';
const SUGGEST_EVENT = 'opsroom_suggestions';

export const runCardKey = (runId: number): PostedKey => ({ event_type: RUN_CARD_EVENT, event_payload: { run_id: runId } });
export const outputKey = (runId: number, stepId: string, attempt: number): PostedKey => ({ event_type: OUTPUT_EVENT, event_payload: { run_id: runId, step_id: stepId, attempt } });
export const approvalKey = (id: number): PostedKey => ({ event_type: APPROVAL_EVENT, event_payload: { approval_id: id } });
export const suggestKey = (incidentId: number, sig: string): PostedKey => ({ event_type: SUGGEST_EVENT, event_payload: { incident_id: incidentId, sig } });

/** The chat ref key (see ChatRefs) a posted key stands for. */
function refKeyOf(m: { event_type?: string; event_payload?: Record<string, unknown> } | undefined): string | undefined {
  const p = m?.event_payload ?? {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  if (m?.event_type === RUN_CARD_EVENT && n(p.run_id) !== undefined) return `run:${p.run_id}`;
  if (m?.event_type === APPROVAL_EVENT && n(p.approval_id) !== undefined) return `approval:${p.approval_id}`;
  if (m?.event_type === OUTPUT_EVENT && n(p.run_id) !== undefined && typeof p.step_id === 'string' && n(p.attempt) !== undefined) return `out:${p.run_id}/${p.step_id}/${p.attempt}`;
  return undefined;
}

interface Refs {
  put(key: string, channel: string, ts: string): Promise<void>;
  get(key: string): Promise<{ channel: string; ts: string } | undefined>;
}

export interface PostOnce {
  client: WebClient;
  refs: Refs;
  /** The chat ref that records the post (`run:<id>`…). */
  ref: string;
  channel: string;
  threadTs?: string;
  key: PostedKey;
  /** When the thing was created: the lookup reads from a minute before. */
  since: Date;
  message: { text: string; blocks: Block[] };
  /** Look for an earlier attempt's message before the first post (a retry of the whole post). */
  lookFirst?: boolean;
  /** Posts tried at most (default 3); rate limits wait Retry-After, other failures a second or two. */
  tries?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failure after which the message may or may not be in Slack (so the next try looks first). */
function transient(e: unknown): boolean {
  const err = e as { code?: string; statusCode?: number } | undefined;
  return err?.code === 'slack_webapi_request_error' || (err?.code === 'slack_webapi_http_error' && (err.statusCode ?? 0) >= 500);
}

/** Posts the message unless it is already posted (by ref, or by metadata: then it is updated); records and returns its ts. */
export async function postOnce(o: PostOnce): Promise<string> {
  const known = await o.refs.get(o.ref);
  if (known) return known.ts;
  const tries = o.tries ?? 3;
  let look = o.lookFirst ?? false;
  for (let n = 1; ; n++) {
    const found = look ? await findPosted(o.client, { channel: o.channel, threadTs: o.threadTs }, o.key, o.since) : undefined;
    let ts = found;
    // The earlier attempt's message is the message; it gets what this attempt would have posted.
    if (ts) await o.client.chat.update({ channel: o.channel, ts, text: o.message.text, blocks: o.message.blocks });
    else {
      try {
        const r = await o.client.chat.postMessage({
          channel: o.channel, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: o.message.text, blocks: o.message.blocks,
          unfurl_links: false, metadata: o.key,
        });
        ts = r.ts as string;
      } catch (e) {
        const wait = retryAfterMs(e) ?? (transient(e) ? 1000 * n : undefined);
        if (wait === undefined || n >= tries) throw e;
        look = look || transient(e);
        await sleep(wait);
        continue;
      }
    }
    await o.refs.put(o.ref, o.channel, ts);
    return ts;
  }
}

type Listed = { ts?: string; user?: string; bot_id?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

/**
 * The chat ref key of a message opsroom posted, read from Slack (its metadata), for a message
 * whose ref was never recorded. Only messages of this bot count.
 */
export async function refOfPosted(client: WebClient, where: { channel: string; ts: string; threadTs?: string }): Promise<string | undefined> {
  const range = { channel: where.channel, oldest: where.ts, latest: where.ts, inclusive: true, limit: 10, include_all_metadata: true };
  const r = where.threadTs && where.threadTs !== where.ts
    ? await client.conversations.replies({ ...range, ts: where.threadTs })
    : await client.conversations.history(range);
  const m = (r.messages as Listed[] | undefined)?.find((x) => x.ts === where.ts);
  if (!m) return undefined;
  const me = await client.auth.test();
  if (m.user !== me.user_id && (!m.bot_id || m.bot_id !== me.bot_id)) return undefined;
  return refKeyOf(m.metadata);
}
