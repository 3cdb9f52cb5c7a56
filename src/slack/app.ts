import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type AnyMiddlewareArgs, type Authorize, type Middleware, type SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';

export interface SlackSettings {
  botToken: string;
  signingSecret: string;
  appToken?: string;
  apiUrl: string;
}

/** Fail fast: the dispatcher retries with backoff; a listener must not hang past Slack's 3 s. */
export const clientOptions = (apiUrl: string): WebClientOptions => ({
  slackApiUrl: apiUrl,
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
  timeout: 10_000,
  logLevel: LogLevel.ERROR,
});

/**
 * authorize() never calls Slack per request: while the Web API is down Bolt would otherwise fail
 * every request before a listener runs, and nothing would be acknowledged. The bot's identity is
 * looked up once in the background.
 */
function cachedAuthorize(settings: SlackSettings): Authorize<boolean> {
  let identity: { botUserId?: string; botId?: string } = {};
  const client = new WebClient(settings.botToken, clientOptions(settings.apiUrl));
  const lookup = () =>
    client.auth.test().then(
      (r) => { identity = { botUserId: r.user_id as string, botId: r.bot_id as string | undefined }; },
      () => { setTimeout(lookup, 5000).unref(); },
    );
  void lookup();
  return async () => ({ botToken: settings.botToken, ...identity });
}

type CommandListener = Middleware<SlackCommandMiddlewareArgs>;

/**
 * Slash commands go straight to their listener. Bolt runs the matchers of every listener (about
 * forty) for each request, which was most of Bolt's own cost in acknowledging a command. Commands
 * registered by name with one listener are kept in a map and answered by the returned middleware
 * (installed after every other global middleware); anything else stays with Bolt.
 */
export function routeCommands(app: App): Middleware<AnyMiddlewareArgs> {
  const listeners = new Map<string, CommandListener>();
  const register = app.command.bind(app) as (name: string | RegExp, ...fns: CommandListener[]) => void;
  const toBolt = new Set<string>();
  app.command = ((name: string | RegExp, ...fns: CommandListener[]) => {
    if (typeof name !== 'string' || fns.length !== 1 || toBolt.has(name)) return register(name, ...fns);
    const first = listeners.get(name);
    if (!first) return void listeners.set(name, fns[0]);
    // A name with two listeners: Bolt runs both, as it would have.
    listeners.delete(name);
    toBolt.add(name);
    register(name, first);
    register(name, ...fns);
  }) as App['command'];
  return async (args) => {
    const name = (args as { command?: { command?: unknown } }).command?.command;
    const listener = typeof name === 'string' ? listeners.get(name) : undefined;
    if (!listener) return args.next();
    await listener({ ...(args as unknown as Parameters<CommandListener>[0]), next: async () => {} });
  };
}

export interface SlackApp {
  app: App;
  /** HTTP mode: mount on POST /slack/events. Undefined in Socket Mode. */
  requestListener?: HTTPReceiver['requestListener'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `first`: global middleware that runs before every other (e.g. answering storage faults). */
export function createSlackApp(settings: SlackSettings, deps: SlackDeps, first: Middleware<AnyMiddlewareArgs>[] = []): SlackApp {
  const receiver = settings.appToken
    ? new SocketModeReceiver({
      appToken: settings.appToken, logLevel: LogLevel.WARN,
      // apps.connections.open goes to the same Web API as every other call (SLACK_API_URL).
      installerOptions: { clientOptions: { slackApiUrl: settings.apiUrl } },
    })
    : new HTTPReceiver({ signingSecret: settings.signingSecret, endpoints: '/slack/events', logLevel: LogLevel.WARN });
  const app = new App({
    receiver,
    authorize: cachedAuthorize(settings),
    clientOptions: clientOptions(settings.apiUrl),
    logLevel: LogLevel.WARN,
    ignoreSelf: false,
  });
  first.forEach((m) => app.use(m));
  const commands = routeCommands(app);
  registerListeners(app, deps);
  app.use(commands);
  app.error(async (e) => deps.log('slack listener error', { error: String(e?.stack ?? e) }));
  return {
    app,
    requestListener: receiver instanceof HTTPReceiver ? receiver.requestListener : undefined,
    start: async () => { if (settings.appToken) await app.start(); },
    stop: async () => {
      if (!(receiver instanceof SocketModeReceiver)) return;
      // Bolt's stop() does not wait for the WebSocket to close; the client's disconnect() does (bounded).
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => { timer = setTimeout(r, 5000); });
      await Promise.race([receiver.client.disconnect(), bound]);
      clearTimeout(timer);
    },
  };
}
