// chat.* methods.
import { assignIds } from '../blocks/ids.js';
import { checkMessageBlocks } from '../blocks/limits.js';
import type { Channel, Message, State } from '../state.js';
import { type ApiContext, type Args, type Handler, SlackApiError, bool, json, str } from './context.js';

const MAX_TEXT = 40000;

/** Finds a channel by id, by name (`#name` or `name`), or a user id (the bot's DM with them). */
export function resolveChannel(state: State, ref: string | undefined): Channel {
  if (!ref) throw new SlackApiError('channel_not_found');
  if (/^[UW][A-Z0-9]+$/.test(ref) && state.user(ref)) return state.imWith(ref);
  const name = ref.replace(/^#/, '');
  const ch = state.channel(ref) ?? state.data.channels.find((c) => !c.is_im && c.name === name);
  if (!ch) throw new SlackApiError('channel_not_found');
  return ch;
}

/** The content arguments of a message (text, blocks, attachments), checked against Slack's limits. */
export function messageContent(args: Args, requireContent: boolean): Partial<Message> {
  const text = str(args, 'text') ?? str(args, 'markdown_text');
  const blocks = json(args, 'blocks', 'invalid_blocks_format');
  const attachments = json(args, 'attachments', 'invalid_attachments');
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
    const problems = checkMessageBlocks(blocks);
    if (problems.length) throw new SlackApiError('invalid_blocks', problems);
  }
  if (attachments !== undefined && !Array.isArray(attachments)) throw new SlackApiError('invalid_attachments');
  if (requireContent && !text && !(Array.isArray(blocks) && blocks.length) && !(Array.isArray(attachments) && attachments.length)) {
    throw new SlackApiError('no_text');
  }
  if (text && text.length > MAX_TEXT) throw new SlackApiError('msg_too_long');
  const out: Partial<Message> = {};
  if (text !== undefined) out.text = text;
  if (blocks !== undefined) out.blocks = assignIds(blocks as Message['blocks']);
  if (attachments !== undefined) out.attachments = attachments as Message['attachments'];
  const metadata = json(args, 'metadata', 'invalid_metadata_format');
  if (metadata !== undefined) out.metadata = checkMetadata(metadata);
  return out;
}

/** Message metadata as Slack takes it: `{ event_type, event_payload }`. */
function checkMetadata(m: unknown): Message['metadata'] {
  const o = m as { event_type?: unknown; event_payload?: unknown } | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new SlackApiError('invalid_metadata_format');
  if (typeof o.event_type !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(o.event_type)) throw new SlackApiError('invalid_metadata_schema');
  if (o.event_payload === undefined || typeof o.event_payload !== 'object' || o.event_payload === null || Array.isArray(o.event_payload)) {
    throw new SlackApiError('invalid_metadata_schema');
  }
  return { event_type: o.event_type, event_payload: o.event_payload };
}

/** Stores a message (a reply when thread_ts is given) and updates its thread's parent. */
export function storeMessage(ctx: ApiContext, msg: Message, broadcast = false): Message {
  const { state } = ctx;
  if (msg.thread_ts) {
    const parent = state.message(msg.channel, msg.thread_ts);
    if (!parent) throw new SlackApiError('thread_not_found');
    const root = parent.thread_ts && parent.thread_ts !== parent.ts ? state.message(msg.channel, parent.thread_ts) ?? parent : parent;
    msg.thread_ts = root.ts;
    root.thread_ts = root.ts;
    root.reply_count = (root.reply_count ?? 0) + 1;
    root.reply_users = [...new Set([...(root.reply_users ?? []), msg.user])];
    root.latest_reply = msg.ts;
    if (broadcast) msg.subtype = 'thread_broadcast';
    ctx.emit({ type: 'message_changed', channel: msg.channel, ts: root.ts });
  }
  state.data.messages.push(msg);
  state.changed();
  ctx.emit({ type: 'message', channel: msg.channel, ts: msg.ts, thread_ts: msg.thread_ts });
  return msg;
}

export function botMessage(ctx: ApiContext, channel: string, content: Partial<Message>, threadTs?: string): Message {
  const { bot } = ctx.state.data;
  return {
    type: 'message', ts: ctx.state.nextTs(), channel, user: bot.user_id, bot_id: bot.bot_id, app_id: bot.app_id,
    text: content.text ?? '', ...content, ...(threadTs ? { thread_ts: threadTs } : {}),
  };
}

/** A message as Slack returns it (without the channel field it stores). */
export function publicMessage(m: Message): Record<string, unknown> {
  const { channel: _c, ...rest } = m;
  return rest;
}

function findOwnMessage(ctx: ApiContext, args: Args, error: string): Message {
  const ch = resolveChannel(ctx.state, str(args, 'channel'));
  const ts = str(args, 'ts') ?? '';
  const msg = ctx.state.message(ch.id, ts);
  if (!msg) throw new SlackApiError('message_not_found');
  if (msg.user !== ctx.state.data.bot.user_id) throw new SlackApiError(error);
  return msg;
}

export const chat: Record<string, Handler> = {
  'chat.postMessage': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const msg = botMessage(ctx, ch.id, messageContent(args, true), str(args, 'thread_ts'));
    storeMessage(ctx, msg, bool(args, 'reply_broadcast'));
    return { channel: ch.id, ts: msg.ts, message: publicMessage(msg) };
  },

  'chat.update': (args, ctx) => {
    const msg = findOwnMessage(ctx, args, 'cant_update_message');
    Object.assign(msg, messageContent(args, false));
    msg.edited = { user: ctx.state.data.bot.user_id, ts: ctx.state.nextTs() };
    ctx.state.changed();
    ctx.emit({ type: 'message_changed', channel: msg.channel, ts: msg.ts, thread_ts: msg.thread_ts });
    return { channel: msg.channel, ts: msg.ts, text: msg.text, message: publicMessage(msg) };
  },

  'chat.postEphemeral': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const user = str(args, 'user') ?? '';
    if (!ctx.state.user(user)) throw new SlackApiError('user_not_found');
    if (!ch.members.includes(user)) throw new SlackApiError('user_not_in_channel');
    const msg = { ...botMessage(ctx, ch.id, messageContent(args, true), str(args, 'thread_ts')), ephemeral_for: user };
    ctx.state.data.ephemerals.push(msg);
    ctx.state.changed();
    ctx.emit({ type: 'ephemeral', channel: ch.id, ts: msg.ts, user });
    return { message_ts: msg.ts };
  },

  'chat.delete': (args, ctx) => {
    const msg = findOwnMessage(ctx, args, 'cant_delete_message');
    const { messages } = ctx.state.data;
    messages.splice(messages.indexOf(msg), 1);
    if (msg.thread_ts && msg.thread_ts !== msg.ts) {
      const parent = ctx.state.message(msg.channel, msg.thread_ts);
      if (parent?.reply_count) parent.reply_count -= 1;
    }
    ctx.state.changed();
    ctx.emit({ type: 'message_deleted', channel: msg.channel, ts: msg.ts, thread_ts: msg.thread_ts });
    return { channel: msg.channel, ts: msg.ts };
  },

  'chat.getPermalink': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const ts = str(args, 'message_ts') ?? '';
    const msg = ctx.state.message(ch.id, ts);
    if (!msg) throw new SlackApiError('message_not_found');
    const base = `${ctx.origin()}/archives/${ch.id}/p${ts.replace('.', '')}`;
    const thread = msg.thread_ts && msg.thread_ts !== msg.ts ? `?thread_ts=${msg.thread_ts}&cid=${ch.id}` : '';
    return { channel: ch.id, permalink: base + thread };
  },
};
