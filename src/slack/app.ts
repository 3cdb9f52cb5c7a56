import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type AnyMiddlewareArgs, type Authorize, type Middleware } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { SlackDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { lastNet } from './listeners/reply.js';

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
    // The global error handler gets the request body, to answer the person (listeners/reply.ts).
    extendedErrorHandler: true,
  });
  first.forEach((m) => app.use(m));
  registerListeners(app, deps);
  app.error(lastNet(deps.log));
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
