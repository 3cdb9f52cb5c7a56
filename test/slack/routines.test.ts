/**
 * Routines on a schedule, with a test clock, on a real private dockerd (a busybox container
 * labelled blatam/redis) and two real opsroom replicas sharing one SQLite database: each due slot
 * runs once and posts one summary; a failing routine opens an incident linked to its run and its
 * dangerous step waits for a responder's click; slots that passed while opsroom was down are
 * reported as missed, not run late.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KyselySlotStore } from '#store/routines.js';
import { ManualClock } from '../support/clock.js';
import { startLocal, visibleText, type LocalOpsroom } from '../support/opsroom.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { waitFor } from '../support/slack-app.js';
import { busyboxRedis, GEN, type RedisEngine, SECRET } from './support/runs-world.js';
import { ROUTINES, writeRoutines } from './support/routines.js';

const ready = dockerAvailable();
let engine: RedisEngine;
let dir: string;
let env: Record<string, string>;
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z')); // Tuesday, 07:00 in Buenos Aires
const replicas: LocalOpsroom[] = [];

const start = (name: string) => {
  mkdirSync(join(dir, name), { recursive: true });
  return startLocal({ dir: join(dir, name), databaseUrl: `sqlite:${join(dir, 'shared.db')}`, clock, env, file: { routines: ROUTINES } });
};
const summaries = (title: string) => replicas.flatMap((r) => r.messages(GEN).filter((m) => (m.text ?? '').startsWith(`${title}:`)).map((m) => ({ r, m })));

beforeAll(async () => {
  if (!ready) return;
  process.env.OPSROOM_TEST_SECRET = SECRET;
  engine = await busyboxRedis();
  dir = mkdtempSync(join(tmpdir(), 'opsroom-routines-'));
  env = writeRoutines(dir, engine.socketPath);
  replicas.push(await start('a'), await start('b'));
}, 120_000);
afterAll(async () => {
  for (const r of replicas) await r.close().catch(() => undefined);
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('routines on a schedule across two replicas', () => {
  it('lists what runs when, next run first', async () => {
    const r = await replicas[0].ws.slash('U0DAVE', GEN, 'schedule', { command: '/runbook' });
    const text = visibleText(r.json);
    expect(text).toMatch(/2 routines/);
    expect(text).toContain('ops/evening');
    expect(text).toContain('0 8 * * 1-5');
    expect(replicas[0].messages(GEN)).toHaveLength(0);
  });

  it('a due slot runs once across the replicas and posts one summary; the failing one opens an incident', async () => {
    clock.set(new Date('2026-12-01T11:00:05Z')); // 08:00:05 in Buenos Aires
    const ticks = await Promise.all(replicas.map((r) => r.ops.routines.scheduler.tick()));
    expect(ticks.flatMap((t) => t.ran)).toHaveLength(2); // one slot per routine, each claimed once
    await Promise.all(replicas.map((r) => r.ops.routines.scheduler.settle()));

    const morning = summaries('Rutina matutina');
    expect(morning).toHaveLength(1);
    expect(visibleText(morning[0].m)).toMatch(/1 passed, 0 failed/);

    const evening = summaries('Rutina nocturna');
    expect(evening).toHaveLength(1);
    const shown = visibleText(evening[0].m);
    expect(shown).toMatch(/1 passed, 1 failed/);
    expect(shown).toContain('disco lleno al 97%');
    expect(shown).not.toContain(SECRET);
    expect(shown).toMatch(/Waiting for a person on the run card: `restart`/);
    const key = /Opened (INC-\d+) \(P3\)/.exec(shown)?.[1];
    expect(key).toBeDefined();

    const open = await replicas[0].ops.store.listOpen();
    const incident = open.find((i) => i.title === 'Routine failed: Rutina nocturna');
    expect(incident?.severity).toBe('P3');
    expect(incident?.summary).toContain('disk (Revisar disco): failed');
    const slots = await new KyselySlotStore(replicas[0].ops.database).slots('ops/evening');
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ state: 'failed', incidentId: incident!.id });
    const events = await replicas[0].ops.store.events(incident!.id);
    expect(events.find((e) => e.kind === 'run')?.data).toMatchObject({ runId: slots[0].runId, runbookId: 'ops/evening' });

    // A second round at the same time claims nothing.
    const again = await Promise.all(replicas.map((r) => r.ops.routines.scheduler.tick()));
    expect(again.flatMap((t) => [...t.ran, ...t.missed])).toHaveLength(0);
  });

  it("the routine's dangerous step waits on the run card until a responder confirms it", async () => {
    const slot = (await new KyselySlotStore(replicas[0].ops.database).slots('ops/evening'))[0];
    const owner = replicas.find((r) => r.messages(GEN).some((m) => (m.text ?? '').startsWith('Rutina nocturna:')))!;
    const card = await waitFor(() => owner.messages(GEN).find((m) => (m.text ?? '').startsWith('Runbook ') && m.text.includes(`(run ${slot.runId})`)));
    expect(visibleText(card)).toContain('started by `its schedule`');
    const step = () => owner.ops.runs.runs.getStep(slot.runId!, 'restart');
    expect((await step())?.state).toBe('pending');
    const before = (await engine.redis.inspect()).State.StartedAt;
    await owner.ws.click('U0DAVE', { channel: GEN, ts: card.ts }, 'run.step.run', { value: `${slot.runId}:restart` });
    expect((await step())?.state).toBe('pending');
    await owner.ws.click('U0ALICE', { channel: GEN, ts: card.ts }, 'run.step.run', { value: `${slot.runId}:restart` });
    const modal = await waitFor(() => owner.ws.state.data.views.filter((v) => v.user === 'U0ALICE' && (v as any).callback_id === 'run.confirm').at(-1));
    await owner.ws.submitView('U0ALICE', modal.id, {});
    await waitFor(async () => (await step())?.state === 'succeeded', 20_000);
    expect((await engine.redis.inspect()).State.StartedAt).not.toBe(before);
  }, 40_000);

  it('slots that passed while opsroom was down are reported as missed, not run; the current one runs', async () => {
    while (replicas.length) await replicas.pop()!.close();
    clock.set(new Date('2026-12-04T11:00:30Z')); // Friday 08:00:30; Wednesday's and Thursday's passed unclaimed
    replicas.push(await start('c'));
    const [c] = replicas;
    const { ran, missed } = await c.ops.routines.scheduler.tick();
    await c.ops.routines.scheduler.settle();
    expect(ran.map((d) => d.toISOString())).toEqual(['2026-12-04T11:00:00.000Z', '2026-12-04T11:00:00.000Z']);
    expect(missed.map((d) => d.toISOString()).sort()).toEqual(['2026-12-02T11:00:00.000Z', '2026-12-02T11:00:00.000Z', '2026-12-03T11:00:00.000Z', '2026-12-03T11:00:00.000Z']);
    const notices = c.messages(GEN).filter((m) => /did not run/.test(visibleText(m)));
    expect(notices).toHaveLength(2);
    expect(visibleText(notices[0])).toMatch(/did not run 2 times \(opsroom was not running\)/);
    const slots = await new KyselySlotStore(c.ops.database).slots('ops/morning');
    expect(slots.map((s) => s.state)).toEqual(['passed', 'missed', 'missed', 'passed']);
  }, 40_000);
});
