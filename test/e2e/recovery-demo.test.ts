/**
 * Verified recovery on the demo environment: minimarket's real dashboard (demo/) is stopped, a P1
 * opens, the seed runbook minimarket/dashboard-down runs its approved restart, and its `verify`
 * check (HTTP /health) runs again every minute (a test clock moves the minutes; the requests are
 * real): recovered after 10 minutes; then, in a second incident, the dashboard stops again
 * mid-window: regressed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { ManualClock } from '../support/clock.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';
import { INC, openIncident, runCardOf, threadOf } from '../slack/support/runs-world.js';

function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = ['web', 'redis', 'postgres', 'prometheus', 'alertmanager'].flatMap((k) => missingFor(k as never));
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING recovery demo e2e: ${msg} ***\n`);
  return false;
}

const MIN = 60_000;
const ready = demoAvailable();
const clock = new ManualClock(new Date());
let demo: Demo | undefined;
let dir: string;
let t: LocalOpsroom;

const click = (user: string, ts: string, actionId: string, value?: string) => t.ws.click(user, { channel: INC, ts }, actionId, value === undefined ? {} : { value });
const dashboard = () => demo!.endpoint('minimarket/dashboard');
const healthy = async () => (await fetch(`${dashboard().url}/health`).catch(() => undefined))?.status === 200;

async function approvedRestart(title: string) {
  const card = await openIncident(t, `open P1 ${title}`);
  const r = await t.ws.slash('U0ALICE', INC, 'run minimarket/dashboard-down', { command: '/runbook', threadTs: card.ts });
  expect(r.json?.text).toMatch(/Started/);
  const runId = Number(/run (\d+)/.exec(r.json.text)![1]);
  const run = await waitFor(() => runCardOf(t, card.ts, runId));
  const incidentId = (await t.ops.runs.runs.getRun(runId))!.incidentId!;
  const seen = new Set(t.ws.state.data.views.map((v) => v.id));
  // A long runbook's card gives each step a menu of its actions.
  const block = (run.blocks ?? []).find((b: any) => b.accessory?.type === 'overflow' && b.accessory.options.some((o: any) => o.value === `run|${runId}:restart`));
  await t.ws.click('U0ALICE', { channel: INC, ts: run.ts }, 'run.step.menu', { value: `run|${runId}:restart`, blockId: block.block_id });
  const modal = await waitFor(() => t.ws.state.data.views.find((v) => v.user === 'U0ALICE' && !seen.has(v.id) && (v as any).callback_id === 'run.confirm'));
  await t.ws.submitView('U0ALICE', modal.id, {});
  const request = await waitFor(() => threadOf(t, card.ts).filter((m) => m.text.startsWith('Approval needed')).at(-1));
  await click('U0BOB', request.ts, 'run.approve', (request.blocks ?? []).find((b: any) => b.type === 'actions').elements[0].value);
  await waitFor(async () => (await t.ops.runs.runs.getStep(runId, 'restart'))?.state === 'succeeded', 30_000);
  const watch = await waitFor(async () => (await t.ops.recovery.watches.forIncident(incidentId)).find((w) => w.state === 'watching'));
  expect(watch.checks).toEqual(['verify']);
  // The runbook waits 10 s (settle) before verify; here the dashboard is given the time it needs.
  await waitFor(healthy, 30_000);
  return { card, incidentId, watch };
}

async function round() {
  clock.advance(MIN);
  const finished = await t.ops.recovery.tick();
  await t.settle();
  return finished;
}

describe.skipIf(!ready)('verified recovery on the demo environment', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opsroom-recovery-demo-'));
    demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', projects: ['minimarket'], privateEngine: true });
    t = await startLocal({
      dir: join(dir, 'bot'), clock,
      env: { OPSROOM_RUNBOOKS: resolve('runbooks'), OPSROOM_INVENTORY: demo.state.inventoryPath! },
      file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } },
    });
    t.ops.dispatcher.start();
  }, 240_000);
  afterAll(async () => {
    await t?.close({ keepDir: true });
    await demo?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the stopped dashboard, an approved restart, verify passing for 10 minutes: recovered', async () => {
    await demo!.break('dashboard', 'stopped');
    expect(await healthy()).toBe(false);
    const { card, incidentId, watch } = await approvedRestart('Dashboard caído');
    for (let i = 0; i < 9; i++) expect(await round()).toEqual([]);
    expect(await round()).toMatchObject([{ id: watch.id, state: 'recovered' }]);
    expect((await t.ops.store.get(incidentId))!.mitigatedAt).not.toBeNull();
    const line = await waitFor(() => threadOf(t, card.ts).find((m) => m.text.includes('Recovered at')));
    expect(line.text).toMatch(/Recovered at \d\d:\d\d UTC \(verified 10m\): `verify` passed every round after `restart`/);
  }, 180_000);

  it('the dashboard stopping again mid-window: regressed', async () => {
    const { card, incidentId, watch } = await approvedRestart('Dashboard caído de nuevo');
    expect(await round()).toEqual([]);
    expect(await round()).toEqual([]);
    await demo!.break('dashboard', 'stopped');
    const [done] = await round();
    expect(done).toMatchObject({ id: watch.id, state: 'regressed' });
    expect(done.failure).toMatch(/^verify: /);
    const line = await waitFor(() => threadOf(t, card.ts).find((m) => m.text.includes('regressed at')));
    expect(line.text).toMatch(/regressed at \d\d:\d\d UTC: verify: .+ failed again after `restart`/);
    expect((await t.ops.store.get(incidentId))!.mitigatedAt).toBeNull();
    await demo!.fix('dashboard');
  }, 180_000);
});
