// Test helper: a local workspace and a real Bolt app (HTTPReceiver) wired to each other.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Workspace, type WorkspaceOptions } from '#workspace/index.js';

export type Wired = { ws: Workspace; app: App; appUrl: string; close: () => Promise<void> };

/**
 * Starts a Workspace on a free port, then a Bolt App whose Web API is the workspace and whose
 * requests come from it. `setup` registers listeners before any request arrives.
 */
export async function startWorkspaceWithApp(setup: (app: App) => void, options: WorkspaceOptions = {}): Promise<Wired> {
  const ws = new Workspace(options);
  await ws.listen(0);
  const receiver = new HTTPReceiver({ signingSecret: ws.signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    token: ws.botToken,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: ws.apiUrl, retryConfig: { retries: 0 } },
  });
  setup(app);
  const server: Server = createServer(receiver.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  ws.appUrl = appUrl;
  return {
    ws,
    app,
    appUrl,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ws.close();
    },
  };
}

/** Waits until `check` returns a truthy value (polling), or fails after `ms`. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(check: () => T | Promise<T>, ms = 5000): Promise<Truthy<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
