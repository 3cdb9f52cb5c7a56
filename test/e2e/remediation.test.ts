/**
 * Remediation in a real browser: the real bot behind the local workspace page, against the demo
 * environment (demo/: a private dockerd running blatam's real redis-server, compose-labelled).
 * Open a P1 "Redis caído" -> the Redis runbook is suggested -> Run diagnostics -> output appears ->
 * the dangerous restart asks for confirmation, then for a second person's approval; the
 * requester's own approval is refused; another responder approves -> the container really
 * restarts -> the timeline shows all of it. Screenshots go to test-artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/slack-app.js';
import { startRunsWorld, type RunsWorld } from '../slack/support/runs-world.js';

/** The demo's images are built from this machine's packages; a missing one skips (fails under CI). */
function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING remediation e2e: ${msg} ***\n`);
  return false;
}

const ready = chromiumAvailable() && demoAvailable();
let w: RunsWorld;
let browser: Browser;
let demo: Demo | undefined;
let demoDir: string;

beforeAll(async () => {
  if (!ready) return;
  demoDir = mkdtempSync(join(tmpdir(), 'opsroom-e2e-demo-'));
  demo = await demoUp({ statePath: join(demoDir, 'state.json'), layout: 'isolated', projects: ['blatam'], privateEngine: true });
  const engine = demo.state.engine;
  if (engine.kind !== 'private') throw new Error('expected a private demo engine');
  const redis = demo.docker.getContainer(demo.endpoint('blatam/redis').container);
  w = await startRunsWorld({
    engine: { socketPath: engine.socketPath, redis, stop: async () => { await demo?.down(); rmSync(demoDir, { recursive: true, force: true }); } },
    ping: 'redis-cli ping',
    file: { permissions: { runners: [], responders: ['S0ONCALL'], approvalMinutes: 10 } },
  });
  w.t.ops.dispatcher.start();
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  if (w) await w.stop();
  else {
    await demo?.down();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  }
});

const send = async (page: Page, text: string, input = '#composer-input') => {
  await page.fill(input, text);
  await page.press(input, 'Enter');
};
const card = (page: Page) => page.locator('#messages .message', { hasText: 'INC-1 · P1' });
const thread = (page: Page) => page.locator('#thread-pane');
const runCard = (page: Page) => thread(page).locator('.message', { hasText: 'Runbook: Redis caído' });
const openThread = async (page: Page) => {
  await card(page).getByRole('button', { name: /repl(y|ies)/ }).click();
  await thread(page).getByText('Runbooks that match INC-1').waitFor();
};
/** Scrolls the thread to the run card for a screenshot (the page re-renders as messages change). */
const showRunCard = async (page: Page) => {
  for (let i = 0; i < 5; i++) {
    try {
      await runCard(page).scrollIntoViewIfNeeded({ timeout: 1000 });
      return;
    } catch {
      // re-rendered meanwhile: try again
    }
  }
};
const startedAt = async () => (await w.redis.inspect()).State.StartedAt;

describe.skipIf(!ready)('remediation from the incident thread, in the browser', () => {
  let alice: Page;
  let bob: Page;
  let carol: Page;
  let firstStart: string;

  it('opens a P1 "Redis caído": the Redis runbook is suggested in the thread', async () => {
    firstStart = await startedAt();
    alice = await openPageAs(browser, w.t.ops.url, 'U0ALICE', { channel: 'C0INCIDENTS' });
    bob = await openPageAs(browser, w.t.ops.url, 'U0BOB', { channel: 'C0INCIDENTS' });
    carol = await openPageAs(browser, w.t.ops.url, 'U0CAROL', { channel: 'C0INCIDENTS' });
    await send(alice, '/incident open P1 Redis caído');
    await card(alice).waitFor();
    await openThread(alice);
    const suggestion = thread(alice).locator('.message', { hasText: 'Runbooks that match INC-1' });
    await suggestion.getByText('Redis caído').first().waitFor();
    await screenshot(alice, 'remediation-1-suggested');

    await suggestion.getByRole('button', { name: 'Start' }).click();
    const modal = alice.getByRole('dialog');
    await modal.getByText('Start runbook').waitFor();
    await modal.locator('[data-block-id="param.pattern"] input').fill('oom');
    await modal.getByRole('button', { name: 'Start' }).click();
    await runCard(alice).waitFor();
    await runCard(alice).getByText('Verificar estado Redis').waitFor();
  });

  it('runs diagnostics: output appears live in the thread, the card updates in place', async () => {
    await runCard(alice).getByRole('button', { name: 'Run diagnostics' }).click();
    await thread(alice).locator('.message', { hasText: 'Verificar estado Redis' }).getByText(/PONG/).first().waitFor({ timeout: 20_000 });
    await runCard(alice).getByText(/Buscar oom\*?[\s\S]*failed|failed/).first().waitFor({ timeout: 20_000 });
    await thread(alice).getByText(/line 5 of the activity log/).first().waitFor({ timeout: 20_000 });
    // Once every check has run, the button goes away.
    await runCard(alice).getByRole('button', { name: 'Run diagnostics' }).waitFor({ state: 'detached', timeout: 20_000 });
    // The failed check offers the runbook's escalation.
    await runCard(alice).getByRole('button', { name: 'Escalate to sre' }).waitFor();
    await showRunCard(alice);
    await screenshot(alice, 'remediation-2-diagnostics');
  });

  it('the dangerous restart shows the exact command, then asks a second responder', async () => {
    await runCard(alice).getByRole('button', { name: 'Run…', exact: true }).click();
    const modal = alice.getByRole('dialog');
    await modal.getByText('Confirm dangerous step').waitFor();
    await modal.getByText('docker restart blatam/redis').waitFor();
    await modal.getByText('docker:blatam/redis').waitFor();
    await modal.getByText(/pattern=oom/).waitFor();
    await modal.getByText(/second responder/).waitFor();
    await screenshot(alice, 'remediation-3-confirm');
    await modal.getByRole('button', { name: 'Request approval' }).click();
    const request = thread(alice).locator('.message', { hasText: 'asks to run' });
    await request.getByRole('button', { name: 'Approve' }).waitFor();
    expect(await startedAt()).toBe(firstStart);
  });

  it("refuses the requester's own approval", async () => {
    const request = thread(alice).locator('.message', { hasText: 'asks to run' });
    await request.getByRole('button', { name: 'Approve' }).click();
    await thread(alice).locator('.message.ephemeral', { hasText: 'a second responder must approve it' }).waitFor();
    expect(await startedAt()).toBe(firstStart);
    await screenshot(alice, 'remediation-4-own-approval-refused');
  });

  it('another responder approves: the container really restarts and the card says who did what', async () => {
    await openThread(bob);
    const request = thread(bob).locator('.message', { hasText: 'asks to run' });
    await request.getByRole('button', { name: 'Approve' }).click();
    await waitFor(async () => (await w.t.ops.runs.runs.getStep(1, 'restart'))?.state === 'succeeded', 30_000);
    expect(await startedAt()).not.toBe(firstStart);
    await runCard(alice).getByText(/succeeded · [\d.]+ m?s · by @alice, approved by @bob/).waitFor({ timeout: 10_000 });
    await thread(alice).getByText(/Approved by/).first().waitFor();
    await showRunCard(alice);
    await screenshot(alice, 'remediation-5-approved-restarted');
  });

  it('the timeline shows what ran where, by whom, with what result', async () => {
    await send(carol, '/incident show INC-1');
    const eph = carol.locator('.message.ephemeral', { hasText: 'Time to acknowledge' });
    await eph.waitFor();
    const text = (await eph.textContent()) ?? '';
    expect(text).toMatch(/run[\s\S]*Started runbook redis-down Redis caído \(run 1\)/);
    expect(text).toMatch(/step[\s\S]*ping on docker:blatam\/redis: succeeded/);
    expect(text).toMatch(/approval[\s\S]*asked a second responder to approve restart/);
    expect(text).toMatch(/denial[\s\S]*You asked for this step/);
    expect(text).toMatch(/approval[\s\S]*approved .*request 1 to run restart/);
    expect(text).toMatch(/restart on docker:blatam\/redis: succeeded[^\n]*approved by/);
    await screenshot(carol, 'remediation-6-timeline');
  });
});
