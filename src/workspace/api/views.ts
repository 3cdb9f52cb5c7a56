// views.* methods and the modal stack each user has open.
import { randomBytes } from 'node:crypto';
import { assignIds } from '../blocks/ids.js';
import { checkView } from '../blocks/limits.js';
import type { View } from '../state.js';
import { type ApiContext, type Args, type Handler, SlackApiError, json, str } from './context.js';

const MAX_STACK = 3;

function parseView(args: Args, requireType?: 'modal' | 'home'): Record<string, any> {
  const view = json(args, 'view', 'invalid_arguments');
  if (view === undefined) throw new SlackApiError('invalid_arguments', ['[ERROR] missing required field: view']);
  return validView(view, requireType);
}

/** Checks a view as Slack does; throws invalid_arguments naming each problem. */
export function validView(view: unknown, requireType?: 'modal' | 'home'): Record<string, any> {
  const problems = checkView(view);
  const v = view as Record<string, any>;
  if (!problems.length && requireType && v.type !== requireType) problems.push(`[ERROR] must be a valid enum value (${requireType}) [json-pointer:/view/type]`);
  if (problems.length) throw new SlackApiError('invalid_arguments', problems);
  return v;
}

function newHash(): string {
  return `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`;
}

/** The view as the Web API returns it. */
export function publicView(v: View): Record<string, unknown> {
  const { user: _u, ...rest } = v;
  return rest;
}

function build(ctx: ApiContext, user: string, input: Record<string, any>, id: string, root?: string, previous?: string | null): View {
  const { team, bot } = ctx.state.data;
  if (input.external_id) {
    const other = ctx.state.data.views.find((v) => v.external_id === input.external_id && v.id !== id);
    if (other) throw new SlackApiError('duplicate_external_id');
  }
  return {
    id, team_id: team.id, type: input.type, blocks: assignIds(input.blocks) ?? [], private_metadata: input.private_metadata ?? '',
    callback_id: input.callback_id ?? '', state: { values: {} }, hash: newHash(), title: input.title, clear_on_close: Boolean(input.clear_on_close),
    notify_on_close: Boolean(input.notify_on_close), close: input.close ?? null, submit: input.submit ?? null,
    previous_view_id: previous ?? null, root_view_id: root ?? id, app_id: bot.app_id, external_id: input.external_id ?? '',
    app_installed_team_id: team.id, bot_id: bot.bot_id, user,
  };
}

function save(ctx: ApiContext, view: View): View {
  const list = ctx.state.data.views;
  const i = list.findIndex((v) => v.id === view.id);
  if (i >= 0) list[i] = view;
  else list.push(view);
  ctx.state.changed();
  ctx.emit({ type: 'view', user: view.user, view_id: view.id });
  return view;
}

export function stackOf(ctx: ApiContext, user: string): string[] {
  return (ctx.state.data.stacks[user] ??= []);
}

function openModal(ctx: ApiContext, user: string, input: Record<string, any>): View {
  const view = build(ctx, user, input, ctx.state.nextId('V'));
  ctx.state.data.stacks[user] = [view.id];
  return save(ctx, view);
}

export function pushModal(ctx: ApiContext, user: string, input: Record<string, any>): View {
  const stack = stackOf(ctx, user);
  if (stack.length === 0) return openModal(ctx, user, input);
  if (stack.length >= MAX_STACK) throw new SlackApiError('push_limit_reached');
  const top = stack[stack.length - 1];
  const view = build(ctx, user, input, ctx.state.nextId('V'), stack[0], top);
  stack.push(view.id);
  return save(ctx, view);
}

/** Replaces a view's content; keeps input values of blocks that are still there. */
export function updateView(ctx: ApiContext, old: View, input: Record<string, any>): View {
  const view = build(ctx, old.user, input, old.id, old.root_view_id, old.previous_view_id);
  const ids = new Set((view.blocks as any[]).map((b) => b.block_id).filter(Boolean));
  for (const [blockId, v] of Object.entries(old.state?.values ?? {})) if (ids.has(blockId)) view.state.values[blockId] = v;
  delete ctx.state.data.viewErrors[old.id];
  return save(ctx, view);
}

/** Closes the top modal of a user's stack (or all of them). */
export function closeModal(ctx: ApiContext, user: string, all = false): void {
  const stack = stackOf(ctx, user);
  const closed = all ? stack.splice(0) : stack.splice(-1);
  for (const id of closed) delete ctx.state.data.viewErrors[id];
  ctx.state.changed();
  ctx.emit({ type: 'view', user });
}

function triggerUser(ctx: ApiContext, args: Args): string {
  const t = ctx.triggers.consume(str(args, 'trigger_id') ?? str(args, 'interactivity_pointer') ?? '');
  if ('error' in t) throw new SlackApiError(t.error);
  return t.user;
}

export const views: Record<string, Handler> = {
  'views.open': (args, ctx) => {
    const input = parseView(args, 'modal');
    return { view: publicView(openModal(ctx, triggerUser(ctx, args), input)) };
  },

  'views.push': (args, ctx) => {
    const input = parseView(args, 'modal');
    return { view: publicView(pushModal(ctx, triggerUser(ctx, args), input)) };
  },

  'views.update': (args, ctx) => {
    const id = str(args, 'view_id');
    const ext = str(args, 'external_id');
    if (!id && !ext) throw new SlackApiError('invalid_arguments', ['[ERROR] either view_id or external_id is required']);
    const old = id ? ctx.state.view(id) : ctx.state.data.views.find((v) => v.external_id === ext);
    if (!old) throw new SlackApiError('not_found');
    const input = parseView(args, old.type);
    const hash = str(args, 'hash');
    if (hash && hash !== old.hash) throw new SlackApiError('hash_conflict');
    return { view: publicView(updateView(ctx, old, input)) };
  },

  'views.publish': (args, ctx) => {
    const user = str(args, 'user_id') ?? '';
    if (!ctx.state.user(user)) throw new SlackApiError('user_not_found');
    const input = parseView(args, 'home');
    const old = ctx.state.data.views.find((v) => v.type === 'home' && v.user === user);
    const hash = str(args, 'hash');
    if (old && hash && hash !== old.hash) throw new SlackApiError('hash_conflict');
    const view = old ? updateView(ctx, old, input) : save(ctx, build(ctx, user, input, ctx.state.nextId('V')));
    return { view: publicView(view) };
  },
};
