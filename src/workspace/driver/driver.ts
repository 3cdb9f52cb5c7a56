// The request side of Slack: turns what a user does into the signed request Slack sends the app.
import { randomBytes } from 'node:crypto';
import { storeMessage } from '../api/chat.js';
import type { ApiContext } from '../api/context.js';
import { closeModal, publicView, pushModal, stackOf, updateView, validView } from '../api/views.js';
import type { ResponseUrls } from '../response-url.js';
import type { Message, View } from '../state.js';
import { type ClickOptions, type ValueInput, actionFor, findElement, stateValues } from './payloads.js';
import { type AppAnswer, type RawRequest, sendToApp } from './signing.js';
import { escapeSlashText } from './slash-text.js';
import { nearest } from '#core/nearest.js';

/** Socket Mode delivery (see ../socket-mode.ts): used instead of HTTP while a connection is open. */
export type SocketDelivery = { connected(): boolean; deliver(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown): Promise<AppAnswer> };

export type DriverConfig = {
  appUrl?: string; eventsUrl?: string; signingSecret: string; verificationToken: string; socket?: SocketDelivery; commands?: readonly string[];
  /** the app's message shortcuts (manifest.yml); another callback_id is refused, as Slack only offers those */
  shortcuts?: readonly { callback_id: string; name: string }[];
};
/** Another app (or opsroom itself) posting: what its message event carries. */
export type AppPoster = { botId: string; appId?: string; user?: string; username?: string };

export type SlashResult = AppAnswer & { triggerId: string; responseUrl: string };
export type SubmitResult = Partial<AppAnswer> & { responseAction?: string; errors?: Record<string, string>; clientErrors?: Record<string, string>; problems?: string[] };

export class Driver {
  constructor(private readonly ctx: ApiContext, private readonly responses: ResponseUrls, private readonly config: () => DriverConfig) {}

  private get state() {
    return this.ctx.state;
  }

  private appUrl(): string {
    const url = this.config().appUrl;
    if (!url) throw new Error('workspace has no appUrl: set options.appUrl or ws.appUrl');
    return url;
  }

  /** Sends a raw request to the app (for tests of bad signatures, old timestamps, retries). */
  sendRaw(r: Partial<RawRequest> & { body: string }): Promise<AppAnswer> {
    return sendToApp({ url: this.appUrl(), ...r });
  }

  private signedForm(fields: Record<string, string>, headers?: Record<string, string>): Promise<AppAnswer> {
    return sendToApp({ url: this.appUrl(), body: new URLSearchParams(fields).toString(), secret: this.config().signingSecret, headers });
  }

  /** The Socket Mode connection when the app has one open; HTTP to appUrl otherwise. */
  private socket(): SocketDelivery | undefined {
    const s = this.config().socket;
    return s?.connected() ? s : undefined;
  }

  private sendPayload(payload: unknown): Promise<AppAnswer> {
    const socket = this.socket();
    if (socket) return socket.deliver('interactive', payload);
    return this.signedForm({ payload: JSON.stringify(payload) });
  }

  private teamAndUser(userId: string) {
    const { team } = this.state.data;
    const u = this.state.user(userId);
    if (!u) throw new Error(`unknown user ${userId}`);
    return {
      team: { id: team.id, domain: team.domain },
      user: { id: u.id, username: u.name, name: u.name, team_id: team.id },
      api_app_id: this.state.data.bot.app_id,
      token: this.config().verificationToken,
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  /**
   * A slash command typed by `user` in `channel` (from a thread when threadTs is given). The text
   * is sent as Slack sends it for a command with escaping on (./slash-text.ts).
   */
  async slash(user: string, channel: string, typed: string, opts: { command?: string; threadTs?: string } = {}): Promise<SlashResult> {
    const text = escapeSlashText(this.state.data, typed);
    const known = this.config().commands;
    const command = opts.command ?? '/incident';
    if (known && !known.includes(command)) return this.notACommand(user, channel, opts.threadTs, command, known);
    const ch = this.state.channel(channel);
    const u = this.state.user(user);
    if (!ch || !u) throw new Error(`unknown ${ch ? 'user' : 'channel'}: ${ch ? user : channel}`);
    const triggerId = this.ctx.triggers.issue(user);
    const responseUrl = `${this.ctx.origin()}/response/${this.responses.issue({ user, channel, threadTs: opts.threadTs })}`;
    const { team } = this.state.data;
    const fields: Record<string, string> = {
      token: this.config().verificationToken, team_id: team.id, team_domain: team.domain, channel_id: ch.id,
      channel_name: ch.is_im ? 'directmessage' : ch.name, user_id: u.id, user_name: u.name, command: opts.command ?? '/incident',
      text, api_app_id: this.state.data.bot.app_id, is_enterprise_install: 'false', response_url: responseUrl, trigger_id: triggerId,
      ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
    };
    const socket = this.socket();
    const answer = await (socket ? socket.deliver('slash_commands', fields) : this.signedForm(fields)).catch((e: Error) => ({ status: 0, body: e.message, headers: {}, durationMs: 0 }) as AppAnswer);
    // Slack shows a message in the acknowledgement body as a reply to the command,
    // and tells the user (only them) when the app failed or was too slow.
    if (answer.status !== 200) this.notice(user, channel, opts.threadTs, `${fields.command} failed with the error "dispatch_failed"`);
    else if (answer.durationMs > 3000) this.notice(user, channel, opts.threadTs, `${fields.command} failed with the error "operation_timeout"`);
    else if (answer.json && (answer.json.text || answer.json.blocks)) {
      this.responses.post(this.ctx, responseUrl.split('/response/')[1], answer.json);
    }
    return { ...answer, triggerId, responseUrl };
  }

  /** Slack's answer to a command no installed app has: nothing is sent to the app. */
  private notACommand(user: string, channel: string, threadTs: string | undefined, command: string, known: readonly string[]): SlashResult {
    const guess = nearest(command, known);
    this.notice(user, channel, threadTs, `${command} is not a valid command.${guess ? ` Did you mean ${guess}?` : ''}`);
    return { status: 404, body: 'invalid_command', headers: {}, durationMs: 0, triggerId: '', responseUrl: '' };
  }

  /** An ephemeral note from Slack itself (Slackbot), as the client shows it. */
  private notice(user: string, channel: string, threadTs: string | undefined, text: string): void {
    const ts = this.state.nextTs();
    this.state.data.ephemerals.push({ type: 'message', ts, channel, user: 'USLACKBOT', text, ephemeral_for: user, ...(threadTs ? { thread_ts: threadTs } : {}) });
    this.state.changed();
    this.ctx.emit({ type: 'ephemeral', channel, ts, user });
  }

  /** A click on an interactive element of a message (`{channel, ts}`) or a view (`{viewId}`). */
  async click(user: string, target: { channel: string; ts: string } | { viewId: string }, actionId: string, opts: ClickOptions = {}): Promise<AppAnswer & { triggerId: string }> {
    const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
    const base = this.teamAndUser(user);
    if ('viewId' in target) {
      const view = this.state.view(target.viewId);
      if (!view) throw new Error(`no view ${target.viewId}`);
      const found = findElement(view.blocks, actionId, opts.blockId);
      if (!found) throw new Error(`no element with action_id ${actionId} in view ${view.id}`);
      const triggerId = this.ctx.triggers.issue(user, view.id);
      const values = stateValues(view.blocks, opts.values).values;
      const payload = { type: 'block_actions', ...base, container: { type: 'view', view_id: view.id }, trigger_id: triggerId, view: { ...publicView(view), state: { values } }, actions: [actionFor(found, opts, actionTs)] };
      return { ...(await this.sendPayload(payload)), triggerId };
    }
    const eph = this.state.ephemeral(target.channel, target.ts);
    const msg: Message | undefined = eph?.ephemeral_for === user ? eph : this.state.message(target.channel, target.ts);
    if (!msg) throw new Error(`no message ${target.ts} in ${target.channel} visible to ${user}`);
    const found = findElement(msg.blocks, actionId, opts.blockId);
    if (!found) throw new Error(`no element with action_id ${actionId} in message ${target.ts}`);
    const isEphemeral = msg === eph;
    const triggerId = this.ctx.triggers.issue(user);
    const responseUrl = `${this.ctx.origin()}/response/${this.responses.issue({ user, channel: msg.channel, threadTs: msg.thread_ts, source: { ts: msg.ts, ephemeral: isEphemeral } })}`;
    const ch = this.state.channel(msg.channel);
    const { channel: _c, ephemeral_for: _e, ...message } = msg as Message & { ephemeral_for?: string };
    const payload = {
      type: 'block_actions', ...base,
      container: { type: 'message', message_ts: msg.ts, channel_id: msg.channel, is_ephemeral: isEphemeral, ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}) },
      trigger_id: triggerId, channel: { id: msg.channel, name: ch?.is_im ? 'directmessage' : ch?.name },
      ...(isEphemeral ? {} : { message }),
      state: { values: stateValues(msg.blocks, opts.values).values },
      response_url: responseUrl,
      actions: [actionFor(found, opts, actionTs)],
    };
    return { ...(await this.sendPayload(payload)), triggerId };
  }

  /**
   * A message shortcut ("…" on a message, then one of the app's shortcuts): a `message_action`
   * payload with the message, a trigger_id and a response_url that answers in the message's thread.
   */
  async shortcut(user: string, target: { channel: string; ts: string }, callbackId: string): Promise<AppAnswer & { triggerId: string; responseUrl: string }> {
    const known = this.config().shortcuts;
    if (known && !known.some((s) => s.callback_id === callbackId)) throw new Error(`the app has no message shortcut ${callbackId}`);
    const msg = this.state.message(target.channel, target.ts);
    if (!msg) throw new Error(`no message ${target.ts} in ${target.channel}`);
    const ch = this.state.channel(msg.channel);
    if (!ch?.members.includes(user)) throw new Error(`${user} is not in ${target.channel}`);
    const triggerId = this.ctx.triggers.issue(user);
    const threadTs = msg.thread_ts && msg.thread_ts !== msg.ts ? msg.thread_ts : undefined;
    const responseUrl = `${this.ctx.origin()}/response/${this.responses.issue({ user, channel: msg.channel, threadTs })}`;
    const { channel: _c, ...message } = msg;
    const payload = {
      type: 'message_action', ...this.teamAndUser(user), callback_id: callbackId, trigger_id: triggerId, response_url: responseUrl,
      action_ts: `${(Date.now() / 1000).toFixed(6)}`, message_ts: msg.ts, message,
      channel: { id: msg.channel, name: ch.is_im ? 'directmessage' : ch.name },
    };
    return { ...(await this.sendPayload(payload)), triggerId, responseUrl };
  }

  /** Submits a modal with input values keyed by block_id or action_id; applies the app's response_action. */
  async submitView(user: string, viewId: string, values: Record<string, ValueInput> = {}): Promise<SubmitResult> {
    const view = this.state.view(viewId);
    if (!view || view.user !== user || !stackOf(this.ctx, user).includes(viewId)) throw new Error(`view ${viewId} is not open for ${user}`);
    const { values: stateVals, missing } = stateValues(view.blocks, values);
    if (Object.keys(missing).length) {
      this.state.data.viewErrors[viewId] = missing;
      this.ctx.emit({ type: 'view', user, view_id: viewId });
      return { clientErrors: missing };
    }
    view.state = { values: stateVals };
    const payload = { type: 'view_submission', ...this.teamAndUser(user), trigger_id: this.ctx.triggers.issue(user, viewId), view: publicView(view), response_urls: [] };
    const answer = await this.sendPayload(payload);
    if (answer.status !== 200) return { ...answer, problems: ['We had some trouble connecting. Try again?'] };
    const body = answer.json ?? {};
    const action: string | undefined = body.response_action;
    try {
      if (action === 'errors') {
        this.state.data.viewErrors[viewId] = body.errors ?? {};
        this.state.changed();
        this.ctx.emit({ type: 'view', user, view_id: viewId });
        return { ...answer, responseAction: action, errors: body.errors };
      }
      if (action === 'update') updateView(this.ctx, view, validView(body.view, 'modal'));
      else if (action === 'push') pushModal(this.ctx, user, validView(body.view, 'modal'));
      else closeModal(this.ctx, user, action === 'clear');
    } catch (e) {
      const messages = (e as { messages?: string[] }).messages ?? [(e as Error).message];
      return { ...answer, responseAction: action, problems: messages };
    }
    return { ...answer, responseAction: action };
  }

  /** The user closes (cancels) the top modal; sends view_closed when the view asked for it. */
  async closeView(user: string, viewId: string): Promise<AppAnswer | undefined> {
    const view = this.state.view(viewId) as View | undefined;
    if (!view || !stackOf(this.ctx, user).includes(viewId)) throw new Error(`view ${viewId} is not open for ${user}`);
    closeModal(this.ctx, user, Boolean(view.clear_on_close));
    if (!view.notify_on_close) return undefined;
    return this.sendPayload({ type: 'view_closed', ...this.teamAndUser(user), view: publicView(view), is_cleared: Boolean(view.clear_on_close) });
  }

  /** A user posts a message; the app gets the Events API callback when an events URL is set. */
  async message(user: string, channel: string, text: string, threadTs?: string): Promise<{ ts: string; answer?: AppAnswer }> {
    if (!this.state.user(user)) throw new Error(`unknown user ${user}`);
    const ch = this.state.channel(channel);
    if (!ch) throw new Error(`unknown channel ${channel}`);
    const msg: Message = { type: 'message', ts: this.state.nextTs(), channel, user, text, ...(threadTs ? { thread_ts: threadTs } : {}) };
    storeMessage(this.ctx, msg);
    const url = this.config().eventsUrl;
    if (!url && !this.socket()) return { ts: msg.ts };
    const botId = this.state.data.bot.user_id;
    const event = { type: 'message', channel, user, text, ts: msg.ts, event_ts: msg.ts, channel_type: ch.is_im ? 'im' : 'channel', team: this.state.data.team.id, ...(msg.thread_ts ? { thread_ts: msg.thread_ts } : {}) };
    const answer = await this.sendEvent(url, event);
    if (text.includes(`<@${botId}>`)) await this.sendEvent(url, { ...event, type: 'app_mention', channel_type: undefined });
    return { ts: msg.ts, answer };
  }

  /** A message posted by an app (another bot, or opsroom's own identity): stored, and its Events API `message` sent. */
  async appMessage(poster: AppPoster, channel: string, text: string, threadTs?: string): Promise<{ ts: string; answer?: AppAnswer }> {
    const ch = this.state.channel(channel);
    if (!ch) throw new Error(`unknown channel ${channel}`);
    const msg: Message = {
      type: 'message', ts: this.state.nextTs(), channel, user: poster.user ?? '', text, bot_id: poster.botId, ...(poster.appId ? { app_id: poster.appId } : {}),
      ...(poster.user ? {} : { subtype: 'bot_message' }), ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    storeMessage(this.ctx, msg);
    const url = this.config().eventsUrl;
    if (!url && !this.socket()) return { ts: msg.ts };
    const { channel: _c, ...rest } = msg;
    const event = { ...rest, channel, event_ts: msg.ts, channel_type: ch.is_im ? 'im' : 'channel', ...(poster.username ? { username: poster.username } : {}), ...(poster.user ? {} : { user: undefined }) };
    return { ts: msg.ts, answer: await this.sendEvent(url, event) };
  }

  private sendEvent(url: string | undefined, event: Record<string, unknown>): Promise<AppAnswer> {
    const { team, bot } = this.state.data;
    const body = JSON.stringify({
      token: this.config().verificationToken, team_id: team.id, api_app_id: bot.app_id, event, type: 'event_callback',
      event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}`, event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: team.id, user_id: bot.user_id, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    });
    const socket = this.socket();
    if (socket || !url) return socket ? socket.deliver('events_api', JSON.parse(body)) : Promise.reject(new Error('workspace has no eventsUrl'));
    return sendToApp({ url, body, contentType: 'application/json', secret: this.config().signingSecret });
  }
}
