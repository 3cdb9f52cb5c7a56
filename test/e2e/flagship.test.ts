/**
 * The flagship scenario, in a real browser, with what ships: the demo environment (real redis,
 * PostgreSQL, Prometheus in a private dockerd), the shipped runbooks, the example inventory (as
 * demo:up points it) and examples/opsroom.yml. blatam's Redis refuses commands (NOAUTH); in
 * blatam's channel `/incident open P1 Redis caído` suggests blatam's runbook first; Run
 * diagnostics shows the real state (Redis unhealthy); the restart, confirmed and approved by a second responder,
 * really restarts the containers; the verification waits for Redis to answer PONG; the card ends
 * "recovered". Screenshots go to test-artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUp, type Demo } from '../../demo/environment.js';
import { missingFor } from '../../demo/images.js';
import { loadFileConfig } from '#config/file.js';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { dockerAvailable } from '../support/peers/docker.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

function demoAvailable(): boolean {
  if (!dockerAvailable()) return false;
  const missing = [...new Set(['web', 'redis', 'postgres', 'prometheus'].flatMap((k) => missingFor(k as never)))];
  if (missing.length === 0) return true;
  const msg = `demo images need: ${missing.join(', ')} — run scripts/install-peers.sh`;
  if (process.env.CI === 'true') throw new Error(msg);
  console.warn(`\n*** SKIPPING flagship e2e: ${msg} ***\n`);
  return false;
}

const BLATAM = 'C0BLATAMINC';
const ready = chromiumAvailable() && demoAvailable();
let demo: Demo | undefined;
let dir: string;
let t: LocalOpsroom;
let browser: Browser;

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(join(tmpdir(), 'opsroom-flagship-'));
  demo = await demoUp({ statePath: join(dir, 'state.json'), layout: 'isolated', projects: ['blatam'], privateEngine: true });
  t = await startLocal({
    dir: join(dir, 'bot'),
    env: { OPSROOM_RUNBOOKS: resolve('runbooks'), OPSROOM_INVENTORY: demo.state.inventoryPath! },
    file: loadFileConfig(resolve('examples/opsroom.yml')),
  });
  t.ops.dispatcher.start();
  browser = await launchChromium();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await t?.close({ keepDir: true });
  await demo?.down();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const send = async (page: Page, text: string) => {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
};
const card = (page: Page) => page.locator('#messages .message', { hasText: 'Redis caído' }).first();
const thread = (page: Page) => page.locator('#thread-pane');
const runCard = (page: Page) => thread(page).locator('.message', { hasText: 'Runbook: Incidente: Sistema Caído' });
const openThread = async (page: Page) => {
  await card(page).getByRole('button', { name: /repl(y|ies)/ }).click();
  await thread(page).getByText('Runbooks that match INC-1').waitFor();
};
const redis = () => demo!.docker.getContainer(demo!.endpoint('blatam/redis').container);
const startedAt = async () => (await redis().inspect()).State.StartedAt;
const stepState = async (stepId: string) => (await t.ops.runs.runs.getStep(1, stepId))?.state;

describe.skipIf(!ready)('flagship: Redis caído in blatam, from suggestion to recovered', () => {
  let alice: Page;
  let bob: Page;
  let firstStart: string;

  it("opens P1 Redis caído in blatam's channel: blatam's runbook is suggested first", async () => {
    await demo!.break('blatam/redis', 'unhealthy');
    firstStart = await startedAt();
    alice = await openPageAs(browser, t.ops.url, 'U0ALICE', { channel: BLATAM });
    bob = await openPageAs(browser, t.ops.url, 'U0BOB', { channel: BLATAM });
    await send(alice, '/incident open P1 Redis caído');
    await card(alice).waitFor();
    await openThread(alice);
    const suggestion = thread(alice).locator('.message', { hasText: 'Runbooks that match INC-1' });
    const text = (await suggestion.textContent()) ?? '';
    const first = text.indexOf('blatam/system-down');
    expect(first).toBeGreaterThan(-1);
    for (const other of ['denis/redis-down', 'bff/redis-down']) if (text.includes(other)) expect(text.indexOf(other)).toBeGreaterThan(first);
    expect(text).toMatch(/blatam\/system-down — matched system blatam, caído/);
    await screenshot(alice, 'flagship-1-suggested');
    await suggestion.getByRole('button', { name: 'Start' }).first().click();
    await runCard(alice).waitFor();
  }, 120_000);

  it('Run diagnostics shows the real state: Redis unhealthy', async () => {
    await runCard(alice).getByRole('button', { name: 'Run diagnostics' }).click();
    await waitFor(async () => (await stepState('stats')) !== 'pending' && (await stepState('stats')) !== 'running', 60_000);
    expect(await stepState('ps')).toBe('failed');
    const ps = (await t.ops.runs.runs.attempts(1, 'ps')).at(-1)!;
    expect(ps.output).toMatch(/blatam-redis-1.*unhealthy/);
    await thread(alice).locator('.message', { hasText: 'Verificar servicios' }).getByText(/blatam-redis-1/).first().waitFor({ timeout: 20_000 });
    // Diagnostics stop before the restart: the verification waits for it.
    expect(await stepState('verify')).toBe('pending');
    await runCard(alice).getByRole('button', { name: 'Run diagnostics' }).waitFor({ state: 'detached', timeout: 20_000 });
    await screenshot(alice, 'flagship-2-diagnostics');
  }, 120_000);

  it('the restart, confirmed and approved by a second responder, really restarts the containers', async () => {
    // The restart is the card's one dangerous step.
    await runCard(alice).getByRole('button', { name: 'Run…', exact: true }).click();
    const modal = alice.getByRole('dialog');
    await modal.getByText('Confirm dangerous step').waitFor();
    await modal.getByText(/second responder/).waitFor();
    await modal.getByRole('button', { name: 'Request approval' }).click();
    await openThread(bob);
    const request = thread(bob).locator('.message', { hasText: 'asks to run' });
    await request.getByRole('button', { name: 'Approve' }).click();
    await waitFor(async () => (await stepState('restart')) === 'succeeded', 90_000);
    expect(await startedAt()).not.toBe(firstStart);
    await screenshot(alice, 'flagship-3-restarted');
  }, 150_000);

  it('the verification waits for Redis to answer PONG, and the card ends recovered', async () => {
    await runCard(alice).getByRole('button', { name: 'Run diagnostics' }).click();
    await waitFor(async () => (await stepState('verify')) === 'succeeded', 60_000);
    const verify = (await t.ops.runs.runs.attempts(1, 'verify')).at(-1)!;
    expect(verify.output).toMatch(/PONG/);
    // "Si el reinicio no funciona" does not run: the service recovered.
    for (const id of ['env', 'kv-config', 'postgres', 'redis', 'escalate']) expect(['pending', 'skipped']).toContain(await stepState(id));
    await waitFor(async () => (await t.ops.runs.runs.getRun(1))?.state === 'recovered', 30_000);
    await runCard(alice).getByText(/\brecovered\b/).first().waitFor({ timeout: 20_000 });
    await thread(alice).locator('.message', { hasText: 'Verificar que el reinicio' }).getByText(/PONG/).first().waitFor({ timeout: 20_000 });
    await screenshot(alice, 'flagship-4-recovered');
  }, 120_000);
});
