/**
 * Load generator (its own process, so it never shares an event loop with the server under test):
 * signed `/incident open` requests at a fixed rate with a cap on requests in flight. Each request
 * has its own title (the duplicate check must not short-circuit). Replies with the latencies.
 *
 * Latency is measured from the moment a request was due (not when a socket became free), so a
 * server that falls behind is charged for the queue it causes.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { slackSignature } from '#workspace/driver/signing.js';

export interface LoadSpec {
  url: string;
  secret: string;
  rate: number;
  seconds: number;
  inflight: number;
  /** Makes titles unique across rounds. */
  tag: string;
  users: string[];
  channel: string;
}

export interface LoadResult {
  latencies: number[];
  /** Requests that did not answer 200 (status 0: connection error). */
  errors: { status: number; body: string }[];
  /** Requests that waited for a free slot (the in-flight cap was reached). */
  queued: number;
  /** Acks that said "Working on it…": the answer came later through response_url. */
  late: number;
  wallMs: number;
  /** When request i was due, epoch ms (to time its card in the channel). */
  dueEpoch: number[];
}

const SEVERITIES = ['P1', 'P2', 'P3', 'P4'];

async function generate(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.inflight });
  const total = Math.max(1, Math.round(spec.rate * spec.seconds));
  const latencies: number[] = [];
  const errors: LoadResult['errors'] = [];
  let inFlight = 0;
  let queued = 0;
  const waiting: Array<() => void> = [];
  let late = 0;
  // response_url: answers after the ack land here, as they would at Slack.
  const sink = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')); });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const responseUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/response`;
  const t0 = performance.now();
  const epoch0 = Date.now();
  const dueEpoch: number[] = [];

  const send = (i: number, due: number) => new Promise<void>((resolve) => {
    const user = spec.users[i % spec.users.length];
    const text = `open ${SEVERITIES[i % 4]} ${spec.tag} service ${i} is down`;
    const ts = Math.floor(Date.now() / 1000);
    const body = new URLSearchParams({
      token: 'bench', team_id: 'T0LOCAL', team_domain: 'local', channel_id: spec.channel, channel_name: 'general',
      user_id: user, user_name: user.toLowerCase(), command: '/incident', text, api_app_id: 'A0OPSROOM', is_enterprise_install: 'false',
      response_url: `${responseUrl}/${spec.tag}-${i}`, trigger_id: `${spec.tag}.${i}.${Date.now()}`,
    }).toString();
    const req = request({
      agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body),
        'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(spec.secret, ts, body),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        latencies.push(performance.now() - due);
        if (Buffer.concat(chunks).includes('Working on it')) late++;
        if (res.statusCode !== 200) errors.push({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString().slice(0, 200) });
        resolve();
      });
    });
    req.on('error', (e) => {
      latencies.push(performance.now() - due);
      errors.push({ status: 0, body: e.message });
      resolve();
    });
    req.end(body);
  });

  const all: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / spec.rate;
    dueEpoch.push(epoch0 + (i * 1000) / spec.rate);
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= spec.inflight) {
      queued++;
      await new Promise<void>((r) => waiting.push(r));
    }
    inFlight++;
    all.push(send(i, due).then(() => {
      inFlight--;
      waiting.shift()?.();
    }));
  }
  await Promise.all(all);
  const wallMs = performance.now() - t0;
  agent.destroy();
  await new Promise((r) => setTimeout(r, 200)); // late answers still on their way
  sink.closeAllConnections();
  await new Promise((r) => sink.close(r));
  return { latencies, errors, queued, late, wallMs, dueEpoch };
}

// As a child process: one LoadSpec per message, one LoadResult back.
if (process.send) {
  process.on('message', (spec: LoadSpec) => {
    void generate(spec).then((r) => process.send!(r));
  });
  process.on('disconnect', () => process.exit(0));
}
