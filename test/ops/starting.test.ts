import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '#src/log.js';
import { Metrics } from '#src/metrics.js';
import { observedSlackRoute } from '#ops/index.js';
import { openDatabase } from '#store/index.js';

describe('a Slack request while opsroom is still starting', () => {
  it('gets 503 at once instead of hanging, and is logged and timed like any other', async () => {
    const database = await openDatabase('sqlite::memory:');
    const metrics = new Metrics({ database, outbox: { depth: async () => 0 } }, { defaultMetrics: false });
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write(c, _e, done) { lines.push(String(c)); done(); } }));
    const starting = observedSlackRoute(undefined, { metrics, log });
    const serving = observedSlackRoute((_req, res) => void res.end('ok'), { metrics, log });
    let route = starting;
    const server = createServer((req, res) => route(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    try {
      const early = await fetch(url, { method: 'POST', body: 'payload=x' });
      expect(early.status).toBe(503);
      route = serving;
      const ready = await fetch(url, { method: 'POST', body: 'payload=x' });
      expect([ready.status, await ready.text()]).toEqual([200, 'ok']);
      expect(lines.map((l) => JSON.parse(l)).map((l) => [l.msg, l.status])).toEqual([['slack request', 503], ['slack request', 200]]);
      expect((await metrics.render()).body).toMatch(/opsroom_slack_ack_seconds_count\{status="503"\} 1/);
    } finally {
      server.close();
      await database.close();
    }
  });
});
