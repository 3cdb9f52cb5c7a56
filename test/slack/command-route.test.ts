/**
 * Slash commands go straight to their listener (src/slack/app.ts, routeCommands): Bolt's matchers
 * of the other listeners do not run for them. Real Bolt receiver, signed requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { App, HTTPReceiver, LogLevel, type AnyMiddlewareArgs, type Middleware } from '@slack/bolt';
import { routeCommands } from '../../src/slack/app.js';
import { sendToApp } from '../../src/workspace/index.js';

const secret = 'route-test-secret';
let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function start(setup: (app: App, seen: { before: string[]; matchers: number; errors: string[] }) => void) {
  const receiver = new HTTPReceiver({ signingSecret: secret, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-test' }), logLevel: LogLevel.ERROR });
  const seen = { before: [] as string[], matchers: 0, errors: [] as string[] };
  app.use(async ({ body, next }) => { seen.before.push(String((body as { command?: string }).command ?? (body as { type?: string }).type)); await next(); });
  const route = routeCommands(app);
  setup(app, seen);
  app.use(route);
  // A listener chain of Bolt's own kind whose first middleware counts how often Bolt fans out to it.
  const counting: Middleware<AnyMiddlewareArgs> = async () => { seen.matchers++; };
  (app as unknown as { listeners: unknown[][] }).listeners.push([counting, async () => {}]);
  app.error(async (e) => { seen.errors.push(String((e as { original?: Error }).original?.message ?? e.message)); });
  server = createServer(receiver.requestListener);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  const command = (name: string, text = '') => sendToApp({
    url, secret, body: new URLSearchParams({ command: name, text, team_id: 'T1', user_id: 'U1', channel_id: 'C1', trigger_id: `t.${Math.random()}`, response_url: 'http://127.0.0.1:9/r' }).toString(),
  });
  return { seen, command, url };
}

describe('slash command routing', () => {
  it('runs the command listener with Bolt arguments, after the global middleware, without fanning out', async () => {
    const { seen, command } = await start((app) => {
      app.command('/incident', async ({ ack, command: c, body, context, client, respond }) => {
        await ack({ text: `got ${c.text} from ${body.user_id}; ${typeof respond} ${typeof client.chat.postMessage} ${typeof context}` });
      });
    });
    const r = await command('/incident', 'open P2 db down');
    expect(r.status).toBe(200);
    expect(r.json?.text).toBe('got open P2 db down from U1; function function object');
    expect(seen.before).toEqual(['/incident']);
    expect(seen.matchers).toBe(0);
  });

  it('leaves other requests, RegExp names and names with two listeners to Bolt', async () => {
    const ran: string[] = [];
    const { seen, command } = await start((app) => {
      app.command(/^\/re/, async ({ ack }) => { ran.push('regexp'); await ack(); });
      app.command('/twice', async ({ ack }) => { ran.push('first'); await ack(); });
      app.command('/twice', async () => { ran.push('second'); });
    });
    expect((await command('/report')).status).toBe(200);
    expect((await command('/twice')).status).toBe(200);
    expect(ran).toEqual(['regexp', 'first', 'second']);
    expect(seen.matchers).toBe(2);
  });

  it('a listener that throws reaches the app error handler, as under Bolt', async () => {
    const { seen, command } = await start((app) => {
      app.command('/boom', async ({ ack }) => { await ack(); throw new Error('it broke'); });
    });
    expect((await command('/boom')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.errors.join(' ')).toContain('it broke');
  });
});
