/**
 * The one place a listener's error becomes a reply, by the kind of request: a slash command
 * answers the caller (ack or response_url), a click or an acknowledged modal tells only that
 * person where they acted, an open modal shows the error next to a field (what was typed stays).
 * Expected errors (CodedError) are told as they are; anything else is logged once with its stack.
 * What escapes a listener reaches Bolt's global error handler, `lastNet`.
 */
import type { RespondArguments, ViewErrorsResponseAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { isCoded } from '#core/errors.js';
import type { Logger } from '#core/ports.js';
import { userMessage } from '../errors.js';

const logged = new WeakSet<object>();

/** Logs `e` with its stack unless it is expected (a CodedError) or was logged already. */
function logUnexpected(log: Logger, what: string, e: unknown, extra: Record<string, unknown> = {}): void {
  if (!isCoded(e)) logOnce(log, what, e, extra);
}

/** Logs `e` with its stack, once: the global error handler skips an error a listener logged. */
export function logOnce(log: Logger, what: string, e: unknown, extra: Record<string, unknown> = {}): void {
  if (e && typeof e === 'object') {
    if (logged.has(e)) return;
    logged.add(e);
  }
  log.error({ ...extra, error: String((e as Error)?.stack ?? e) }, what);
}

/** The answer to a slash command or a shortcut (through its ack or response_url): only the caller sees it. */
export function errorReply(log: Logger, what: string, e: unknown, extra?: Record<string, unknown>): RespondArguments {
  logUnexpected(log, what, e, extra);
  return { response_type: 'ephemeral', text: userMessage(e) };
}

/** Where only one person reads an answer: the channel, and thread, where they acted. */
export interface Where {
  user: string;
  channel?: string;
  threadTs?: string;
}

/** Tells only `to.user`, where they acted; without a channel nothing is posted. A failed post is logged. */
export async function tellOnly(client: WebClient, log: Logger, to: Where, text: string): Promise<void> {
  if (!to.channel) return;
  await client.chat.postEphemeral({ channel: to.channel, user: to.user, text, ...(to.threadTs ? { thread_ts: to.threadTs } : {}) })
    .catch((err) => log.error({ error: String(err) }, 'ephemeral failed'));
}

/** A click's error, or that of a modal already closed: told only to the person, where they are. */
export async function tellError(client: WebClient, log: Logger, what: string, to: Where, e: unknown, extra?: Record<string, unknown>): Promise<void> {
  logUnexpected(log, what, e, extra);
  await tellOnly(client, log, to, userMessage(e));
}

/** An error's words for a modal field (no leading emoji). */
export const fieldText = (e: unknown): string => userMessage(e).replace(/^:\w+: /, '');

/** An open modal's error, next to `field`: the modal stays open with what was typed. */
export function fieldError(log: Logger, what: string, e: unknown, field: string): ViewErrorsResponseAction {
  logUnexpected(log, what, e);
  return { response_action: 'errors', errors: { [field]: fieldText(e) } };
}

/** The errors behind Bolt's wrappers (UnknownError.original, MultipleListenerError.originals). */
function originals(e: unknown): unknown[] {
  const w = e as { original?: unknown; originals?: unknown[] } | undefined;
  if (Array.isArray(w?.originals)) return w.originals.flatMap(originals);
  return w?.original !== undefined ? [w.original] : [e];
}

interface Escaped {
  error: unknown;
  body: unknown;
}

/**
 * Bolt's global error handler, the last net for what escaped a listener: logged once with its
 * stack, and told to the person through the request's response_url when it has one. Whether the
 * request was acknowledged is not known here, so nothing is acknowledged.
 */
export function lastNet(log: Logger, post: typeof fetch = fetch) {
  return async ({ error, body }: Escaped): Promise<void> => {
    const errors = originals(error);
    const b = (body ?? {}) as { type?: string; command?: string; response_url?: unknown; response_urls?: Array<{ response_url?: unknown }> };
    const kind = b.command ? 'command' : b.type;
    // Nobody answered these: coded ones are logged too.
    for (const e of errors) logOnce(log, 'slack listener error', e, { kind });
    const url = typeof b.response_url === 'string' ? b.response_url : b.response_urls?.[0]?.response_url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return;
    const reply = { response_type: 'ephemeral', replace_original: false, text: userMessage(errors[0]) };
    await post(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply) })
      .catch((err) => log.error({ error: String(err) }, 'error reply failed'));
  };
}
