// conversations.*, users.*, usergroups.*, auth.test, reactions.add.
import type { Channel, Message, State, User } from '../state.js';
import { publicMessage, resolveChannel } from './chat.js';
import { type Handler, SlackApiError, bool, page, str } from './context.js';

function channelInfo(state: State, ch: Channel): Record<string, unknown> {
  const bot = state.data.bot.user_id;
  if (ch.is_im) return { id: ch.id, created: ch.created, is_im: true, is_org_shared: false, user: ch.user, is_user_deleted: false, priority: 0 };
  return {
    id: ch.id, name: ch.name, name_normalized: ch.name, is_channel: true, is_group: false, is_im: false, is_mpim: false,
    is_private: false, is_archived: false, is_general: ch.name === 'general', created: ch.created, creator: 'U0ALICE',
    is_member: ch.members.includes(bot), is_shared: false, is_ext_shared: false, is_org_shared: false,
    topic: { value: '', creator: '', last_set: 0 }, purpose: { value: '', creator: '', last_set: 0 },
    num_members: ch.members.length, context_team_id: state.data.team.id,
  };
}

function userInfo(state: State, u: User): Record<string, unknown> {
  return {
    id: u.id, team_id: state.data.team.id, name: u.name, deleted: false, real_name: u.real_name, tz: 'UTC', tz_offset: 0,
    is_admin: false, is_owner: false, is_bot: Boolean(u.is_bot), is_app_user: false, updated: 0,
    profile: {
      real_name: u.real_name, display_name: u.name, real_name_normalized: u.real_name, display_name_normalized: u.name,
      email: u.is_bot ? undefined : `${u.name}@opsroom.local`, team: state.data.team.id, ...(u.bot_id ? { bot_id: u.bot_id } : {}),
    },
  };
}

function inRange(ts: string, args: Record<string, unknown>): boolean {
  const oldest = str(args, 'oldest');
  const latest = str(args, 'latest');
  const inclusive = bool(args, 'inclusive');
  const n = Number(ts);
  if (oldest && (inclusive ? n < Number(oldest) : n <= Number(oldest))) return false;
  if (latest && (inclusive ? n > Number(latest) : n >= Number(latest))) return false;
  return true;
}

/** A listed message: its metadata only with include_all_metadata, as Slack does. */
const listed = (args: Record<string, unknown>) => (m: Message): Record<string, unknown> => {
  const out = publicMessage(m);
  if (!bool(args, 'include_all_metadata')) delete out.metadata;
  return out;
};

export const conversations: Record<string, Handler> = {
  'auth.test': (_args, ctx) => {
    const { team, bot } = ctx.state.data;
    return { url: `${ctx.origin()}/`, team: team.name, user: bot.name, team_id: team.id, user_id: bot.user_id, bot_id: bot.bot_id, is_enterprise_install: false };
  },

  'conversations.info': (args, ctx) => ({ channel: channelInfo(ctx.state, resolveChannel(ctx.state, str(args, 'channel'))) }),

  'conversations.history': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const top = ctx.state.data.messages
      .filter((m) => m.channel === ch.id && (!m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast') && inRange(m.ts, args))
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const p = page(top, args);
    return { messages: p.items.map(listed(args)), has_more: p.next_cursor !== '', pin_count: 0, response_metadata: { next_cursor: p.next_cursor } };
  },

  'conversations.replies': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const ts = str(args, 'ts') ?? '';
    const parent = ctx.state.message(ch.id, ts);
    if (!parent) throw new SlackApiError('thread_not_found');
    const root = parent.thread_ts ?? parent.ts;
    const thread = ctx.state.data.messages
      .filter((m) => m.channel === ch.id && (m.ts === root || m.thread_ts === root) && inRange(m.ts, args))
      .sort((a, b) => Number(a.ts) - Number(b.ts));
    const p = page(thread, args, 1000);
    return { messages: p.items.map(listed(args)), has_more: p.next_cursor !== '', response_metadata: { next_cursor: p.next_cursor } };
  },

  'conversations.members': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const p = page(ch.members, args);
    return { members: p.items, response_metadata: { next_cursor: p.next_cursor } };
  },

  'conversations.open': (args, ctx) => {
    const channel = str(args, 'channel');
    const users = str(args, 'users')?.split(',').map((u) => u.trim()).filter(Boolean) ?? [];
    if (!channel && users.length === 0) throw new SlackApiError('users_list_not_supplied');
    if (users.length > 1) throw new SlackApiError('not_implemented', ['[ERROR] group DMs are not supported by the local workspace']);
    let ch: Channel;
    if (channel) ch = resolveChannel(ctx.state, channel);
    else {
      if (!ctx.state.user(users[0])) throw new SlackApiError('user_not_found');
      ch = ctx.state.imWith(users[0]);
      ctx.state.changed();
    }
    return { no_op: false, already_open: false, channel: bool(args, 'return_im') ? channelInfo(ctx.state, ch) : { id: ch.id } };
  },

  'users.info': (args, ctx) => {
    const u = ctx.state.user(str(args, 'user') ?? '');
    if (!u) throw new SlackApiError('user_not_found');
    return { user: userInfo(ctx.state, u) };
  },

  'users.list': (args, ctx) => {
    const p = page(ctx.state.data.users, args, 200);
    return { members: p.items.map((u) => userInfo(ctx.state, u)), cache_ts: Math.floor(Date.now() / 1000), response_metadata: { next_cursor: p.next_cursor } };
  },

  'usergroups.users.list': (args, ctx) => {
    const users = ctx.state.data.usergroups[str(args, 'usergroup') ?? ''];
    if (!users) throw new SlackApiError('no_such_subteam');
    return { users };
  },

  'reactions.add': (args, ctx) => {
    const ch = resolveChannel(ctx.state, str(args, 'channel'));
    const msg = ctx.state.message(ch.id, str(args, 'timestamp') ?? '');
    if (!msg) throw new SlackApiError('message_not_found');
    const name = str(args, 'name') ?? '';
    const bot = ctx.state.data.bot.user_id;
    msg.reactions ??= [];
    let r = msg.reactions.find((x) => x.name === name);
    if (r?.users.includes(bot)) throw new SlackApiError('already_reacted');
    if (!r) msg.reactions.push((r = { name, users: [], count: 0 }));
    r.users.push(bot);
    r.count = r.users.length;
    ctx.state.changed();
    ctx.emit({ type: 'message_changed', channel: ch.id, ts: msg.ts, thread_ts: msg.thread_ts });
    return {};
  },
};
