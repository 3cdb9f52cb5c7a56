/** PagerDuty webhooks with delivery claims in a real store: once per event id, and a failed handling is retried. */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler, WEBHOOK_PATH } from '#pagerduty/index.js';
import { KyselyDeliveries, KyselyIncidentStore, openDatabase, type Database } from '#store/index.js';
import { PagerDutyFake } from '../support/pagerduty-fake.js';
import { newIncident } from '../store/fixtures.js';
import { effect, incident, world, type World } from './support/world.js';

const SECRET = 'whsec-once';

describe('webhook receiver with delivery claims', () => {
  let w: World;
  let server: http.Server;
  let url: string;
  let database: Database;
  let dir: string;
  let failNext: boolean;
  let pdId: string;

  beforeEach(async () => {
    w = await world();
    dir = mkdtempSync(join(tmpdir(), 'opsroom-pd-once-'));
    database = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    const store = new KyselyIncidentStore(database);
    failNext = false;
    const handle = createWebhookHandler({
      secrets: [SECRET],
      once: new KyselyDeliveries(database, { owner: 'r1' }),
      // Each applied event leaves one row: an incident titled by the event id.
      onEvent: async (e) => {
        if (failNext) {
          failNext = false;
          throw new Error('store down');
        }
        await store.create(newIncident({ title: e.eventId }), [], []);
      },
    });
    server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
    await w.pager.deliver(effect({ type: 'pager.trigger' }), incident());
    pdId = (await w.links.get(7))!.id;
  });
  afterEach(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await w.fake.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (payload: unknown) => PagerDutyFake.sendWebhook(url, payload, [SECRET]);
  const applied = async () => (await database.db.selectFrom('incidents').select('title').execute()).map((r) => r.title);

  it('applies the identical signed delivery once, also when it comes again later', async () => {
    const payload = w.fake.webhookEvent('incident.annotated', pdId, { note: 'failover' });
    expect(JSON.parse((await send(payload)).body).outcome).toBe('handled');
    expect(JSON.parse((await send(payload)).body).outcome).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 1700)); // past the claim's lease
    expect(JSON.parse((await send(payload)).body).outcome).toBe('duplicate');
    expect(await applied()).toHaveLength(1);
  });

  it('a failed handling answers 500 and keeps nothing, so the retry is applied', async () => {
    const payload = w.fake.webhookEvent('incident.escalated', pdId);
    failNext = true;
    expect((await send(payload)).status).toBe(500);
    expect((await send(payload)).status).toBe(200);
    expect(await applied()).toHaveLength(1);
  });
});
