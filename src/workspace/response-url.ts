// response_url: what an app POSTs to answer a slash command or an interaction.
import { randomBytes } from 'node:crypto';
import { botMessage, messageContent, storeMessage } from './api/chat.js';
import { type ApiContext, SlackApiError } from './api/context.js';

const TTL_MS = 30 * 60 * 1000;
const MAX_USES = 5;

export type ResponseTarget = {
  user: string;
  channel: string;
  /** the thread the command came from (ephemeral answers go there) */
  threadTs?: string;
  /** the message an interaction came from (replace_original / delete_original) */
  source?: { ts: string; ephemeral: boolean };
};

type Entry = ResponseTarget & { created: number; uses: number };

export class ResponseUrls {
  private readonly entries = new Map<string, Entry>();

  issue(target: ResponseTarget): string {
    const id = `${target.channel}/${randomBytes(12).toString('hex')}`;
    this.entries.set(id, { ...target, created: Date.now(), uses: 0 });
    return id;
  }

  /** Applies one POST to a response_url; returns the HTTP status and body Slack would answer. */
  post(ctx: ApiContext, id: string, body: Record<string, any>): { status: number; body: unknown } {
    const e = this.entries.get(id);
    if (!e || Date.now() - e.created > TTL_MS) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (e.uses >= MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
    e.uses += 1;
    try {
      this.apply(ctx, e, body);
      return { status: 200, body: { ok: true } };
    } catch (err) {
      if (err instanceof SlackApiError) return { status: 400, body: { ok: false, error: err.error, ...(err.messages ? { response_metadata: { messages: err.messages } } : {}) } };
      throw err;
    }
  }

  private apply(ctx: ApiContext, e: Entry, body: Record<string, any>): void {
    const { state } = ctx;
    const truthy = (v: unknown) => v === true || v === 'true';
    const src = e.source;
    if (truthy(body.delete_original)) {
      if (!src) throw new SlackApiError('no_original_message');
      const list = src.ephemeral ? state.data.ephemerals : state.data.messages;
      const i = list.findIndex((m) => m.channel === e.channel && m.ts === src.ts);
      if (i < 0) throw new SlackApiError('message_not_found');
      const [gone] = list.splice(i, 1);
      state.changed();
      ctx.emit(src.ephemeral ? { type: 'ephemeral', channel: e.channel, ts: src.ts, user: e.user } : { type: 'message_deleted', channel: e.channel, ts: src.ts, thread_ts: gone.thread_ts });
      return;
    }
    const content = messageContent(body, true);
    if (truthy(body.replace_original)) {
      if (!src) throw new SlackApiError('no_original_message');
      const msg = src.ephemeral ? state.ephemeral(e.channel, src.ts) : state.message(e.channel, src.ts);
      if (!msg) throw new SlackApiError('message_not_found');
      msg.blocks = undefined;
      Object.assign(msg, content);
      state.changed();
      ctx.emit(src.ephemeral ? { type: 'ephemeral', channel: e.channel, ts: src.ts, user: e.user } : { type: 'message_changed', channel: e.channel, ts: src.ts, thread_ts: msg.thread_ts });
      return;
    }
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : e.threadTs;
    const msg = botMessage(ctx, e.channel, content, threadTs);
    if (body.response_type === 'in_channel') {
      storeMessage(ctx, msg);
      return;
    }
    state.data.ephemerals.push({ ...msg, ephemeral_for: e.user });
    state.changed();
    ctx.emit({ type: 'ephemeral', channel: e.channel, ts: msg.ts, user: e.user });
  }
}
