/**
 * The baseline: a bare Bolt app (HTTPReceiver, same Web API and signing secret as opsroom) whose
 * only listener acks `/incident`. Run as its own process; prints {"url": …} once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const { SLACK_BOT_TOKEN: token, SLACK_SIGNING_SECRET: signingSecret, SLACK_API_URL: slackApiUrl } = process.env;
const receiver = new HTTPReceiver({ signingSecret: signingSecret!, endpoints: '/slack/events', logLevel: LogLevel.WARN });
const app = new App({ token, receiver, logLevel: LogLevel.WARN, clientOptions: { slackApiUrl, retryConfig: { retries: 0 } } });
app.command('/incident', async ({ ack }) => {
  await ack();
});
const server = createServer(receiver.requestListener);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/slack/events` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
