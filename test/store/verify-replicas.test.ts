/**
 * The scheduled verify with two replicas on one database (a SQLite file and PostgreSQL): each has
 * its own connection and scheduler on one test clock; the daily verify runs once per day across
 * both (the runbook's HTTP check is sent once), and each runbook's freshness follows it: last
 * verified, then broken since the day its endpoint went away (why), then verified again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_INVENTORY } from '#core/inventory/schema.js';
import { loadRunbooks } from '#core/runbooks/loader.js';
import { verifyRunbooks } from '#core/verify/check.js';
import { freshnessText, type RunbookHealth } from '#core/verify/freshness.js';
import { VERIFY_SLOT, VerifyScheduler } from '#core/verify/scheduler.js';
import type { Database } from '#store/db.js';
import { KyselySlotStore } from '#store/routines.js';
import { KyselyHealthStore } from '#store/runbook-health.js';
import { runnerFromInventory } from '#executors/index.js';
import { ManualClock } from '../support/clock.js';
import { ENGINES } from './engines.js';

const DAY = 24 * 60 * 60_000;
let server: Server;
let hits = 0;
let healthy = true;
let dir: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(healthy ? 200 : 404).end(healthy ? 'ok' : 'gone');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  dir = mkdtempSync(join(tmpdir(), 'opsroom-verify-replicas-'));
  mkdirSync(join(dir, 'ops'));
  writeFileSync(join(dir, 'ops', 'web.yml'), `title: Web\nsteps:\n  - id: health\n    title: Salud\n    http: { url: "${url}" }\n`);
  writeFileSync(join(dir, 'ops', 'notes.yml'), 'title: Notas\nsteps:\n  - id: look\n    title: Mirar\n    manual: Mirar el tablero.\n');
});
afterAll(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(ENGINES)('scheduled verify across replicas on $name', (engine) => {
  let fresh: Awaited<ReturnType<typeof engine.fresh>>;
  const handles: Database[] = [];
  const runner = runnerFromInventory(EMPTY_INVENTORY);

  beforeEach(async () => {
    fresh = await engine.fresh();
    hits = 0;
    healthy = true;
  });
  afterEach(async () => {
    for (const d of handles.splice(0)) await d.close();
    await fresh.drop();
  });
  afterAll(async () => {
    await runner.close();
    await engine.shutdown();
  });

  async function replica(name: string, clock: ManualClock, broke: string[]) {
    const database = await fresh.open();
    handles.push(database);
    const { runbooks, errors } = await loadRunbooks(dir);
    expect(errors).toEqual([]);
    return new VerifyScheduler({
      schedule: { cron: '0 6 * * *', timezone: 'UTC' }, slots: new KyselySlotStore(database), health: new KyselyHealthStore(database),
      verify: () => verifyRunbooks(runbooks, EMPTY_INVENTORY, runner), clock, owner: name,
      onBroken: (rows: RunbookHealth[]) => void broke.push(...rows.map((r) => `${name}:${r.runbookId}`)),
    });
  }

  it('verifies once a day across two replicas and keeps each runbook fresh or broken since', async () => {
    const clock = new ManualClock(new Date('2026-11-22T05:59:00Z'));
    const broke: string[] = [];
    const a = await replica('a', clock, broke);
    const b = await replica('b', clock, broke);
    const health = new KyselyHealthStore(handles[0]);

    expect((await Promise.all([a.tick(), b.tick()])).map((r) => r.verified)).toEqual([null, null]);
    expect(hits).toBe(0);

    clock.set(new Date('2026-11-22T06:00:20Z'));
    const day1 = await Promise.all([a.tick(), b.tick()]);
    expect(day1.filter((r) => r.verified !== null)).toHaveLength(1);
    expect(hits).toBe(1);
    expect(await Promise.all([a.tick(), b.tick()]).then((r) => r.map((x) => x.verified))).toEqual([null, null]);
    expect(hits).toBe(1);
    const rows1 = await health.all();
    expect(rows1.map((h) => [h.runbookId, freshnessText(h)])).toEqual([
      ['ops/notes', 'last verified 2026-11-22 06:00 UTC'],
      ['ops/web', 'last verified 2026-11-22 06:00 UTC'],
    ]);

    healthy = false;
    clock.advance(DAY);
    await Promise.all([b.tick(), a.tick()]);
    expect(hits).toBe(2);
    const web = (await health.get(['ops/web']))[0];
    expect(freshnessText(web)).toMatch(/^broken since 2026-11-23 06:00 UTC \(step health: http answered 404: the endpoint is not there\)$/);
    expect(web.lastVerifiedAt).toEqual(new Date('2026-11-22T06:00:20Z'));
    expect(broke).toHaveLength(1);
    expect(broke[0]).toMatch(/^[ab]:ops\/web$/);

    // Still broken the next day: broken since the first day it was seen so, told once.
    clock.advance(DAY);
    await Promise.all([a.tick(), b.tick()]);
    expect(hits).toBe(3);
    expect((await health.get(['ops/web']))[0].brokenSince).toEqual(new Date('2026-11-23T06:00:20Z'));
    expect(broke).toHaveLength(1);

    healthy = true;
    clock.advance(DAY);
    await Promise.all([a.tick(), b.tick()]);
    expect(hits).toBe(4);
    expect(freshnessText((await health.get(['ops/web']))[0])).toBe('last verified 2026-11-25 06:00 UTC');
    const slots = await new KyselySlotStore(handles[1]).slots(VERIFY_SLOT);
    expect(slots.map((s) => s.state)).toEqual(['passed', 'failed', 'failed', 'passed']);
  });

  it('a replica that was down for days verifies once for the newest time and records the others missed', async () => {
    const clock = new ManualClock(new Date('2026-11-22T05:00:00Z'));
    const a = await replica('a', clock, []);
    clock.advance(3 * DAY + 2 * 60 * 60_000);
    expect((await a.tick()).verified).toEqual(new Date('2026-11-25T06:00:00Z'));
    expect(hits).toBe(1);
    const slots = await new KyselySlotStore(handles[0]).slots(VERIFY_SLOT);
    expect(slots.map((s) => s.state)).toEqual(['missed', 'missed', 'missed', 'passed']);
  });
});
