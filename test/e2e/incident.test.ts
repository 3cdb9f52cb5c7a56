// Issue flow in a real browser: the real opsroom bot behind the local workspace page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';

const hasChromium = chromiumAvailable();
let t: LocalOpsroom;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  t = await startLocal();
  t.ops.dispatcher.start();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const card = (page: Page) => page.locator('#messages .message', { hasText: 'INC-1 · P' });
const send = async (page: Page, text: string, input = '#composer-input') => {
  await page.fill(input, text);
  await page.press(input, 'Enter');
};

describe.skipIf(!hasChromium)('an incident in the browser, end to end', () => {
  let alice: Page;
  let bob: Page;
  let carol: Page;

  it('opens a P1 from the composer: the card and its thread appear', async () => {
    alice = await openPageAs(browser, t.ops.url, 'U0ALICE', { channel: 'C0INCIDENTS' });
    bob = await openPageAs(browser, t.ops.url, 'U0BOB', { channel: 'C0INCIDENTS' });
    carol = await openPageAs(browser, t.ops.url, 'U0CAROL', { channel: 'C0INCIDENTS' });
    await send(alice, '/incident open P1 Checkout API down');
    await card(alice).waitFor();
    await alice.getByText(/Opened INC-1 \(P1\)/).waitFor();
    expect(await bob.getByText(/Opened INC-1 \(P1\)/).count()).toBe(0);
    await card(bob).locator('.field').getByText('investigating').waitFor();
    await screenshot(alice, 'e2e-1-opened');
  });

  it('bob acknowledges from the card; it updates in place for everyone', async () => {
    await card(bob).getByRole('button', { name: 'Acknowledge' }).click();
    await card(alice).getByText('Acknowledged by').waitFor();
    expect(await card(alice).getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect(await alice.locator('#messages .message', { hasText: 'INC-1 · P1' }).count()).toBe(1);
  });

  it('bob posts an update through the modal', async () => {
    await card(bob).getByRole('button', { name: 'Post update' }).click();
    const modal = bob.getByRole('dialog');
    await modal.getByText('Update INC-1').waitFor();
    await modal.locator('[data-block-id="status"] select').selectOption('identified');
    await modal.locator('[data-block-id="text"] textarea, [data-block-id="text"] input').first().fill('Bad deploy of checkout 14:02, rolling back');
    await screenshot(bob, 'e2e-2-update-modal');
    await modal.getByRole('button', { name: 'Post' }).click();
    await card(alice).locator('.field').getByText('identified').waitFor();
    expect(await bob.getByRole('dialog').count()).toBe(0);
  });

  it('carol resolves with a summary; the thread shows the timeline summary, TTA and TTR', async () => {
    await card(carol).getByRole('button', { name: 'Resolve' }).click();
    const modal = carol.getByRole('dialog');
    await modal.getByText('Resolve INC-1').waitFor();
    await modal.locator('[data-block-id="summary"] textarea, [data-block-id="summary"] input').first().fill('Rolled back the deploy');
    await modal.getByRole('button', { name: 'Resolve' }).click();
    await card(alice).getByRole('button', { name: 'Reopen' }).waitFor();
    await card(alice).getByRole('button', { name: /replies/ }).click();
    const thread = alice.locator('#thread-pane');
    await thread.getByText(/Time to acknowledge/).waitFor();
    await thread.getByText(/Bad deploy of checkout 14:02/).waitFor();
    await screenshot(alice, 'e2e-3-resolved-thread');
  });

  it('shows the timeline with /incident show, only to the caller', async () => {
    await send(carol, '/incident show INC-1');
    const eph = carol.locator('.message.ephemeral', { hasText: 'Time to acknowledge' });
    await eph.waitFor();
    const text = await eph.textContent();
    for (const s of ['opened', 'acknowledged', 'update', 'resolved']) expect(text).toContain(s);
    expect(await alice.locator('.message.ephemeral', { hasText: 'Time to acknowledge' }).count()).toBe(0);
    await screenshot(carol, 'e2e-4-timeline');
  });

  it('typed @carol becomes a mention; a usage reply reads as written', async () => {
    await send(alice, '/incident reopen INC-1');
    await card(alice).locator('.field').getByText('investigating').waitFor();
    await send(alice, '/incident assign INC-1 @carol');
    await alice.getByText('@carol is now the commander of INC-1.').waitFor();
    await send(alice, '/incident status INC-1');
    const usage = alice.locator('.message.ephemeral', { hasText: 'Usage:' }).last();
    await usage.waitFor();
    expect(await usage.textContent()).toContain('/incident status [INC-n] <investigating|identified|monitoring> — Move the status');
    await screenshot(alice, 'e2e-4b-usage');
  });

  it('works on a narrow screen', async () => {
    const phone = await openPageAs(browser, t.ops.url, 'U0DAVE', { channel: 'C0INCIDENTS', viewport: { width: 390, height: 844 } });
    await card(phone).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'e2e-5-narrow');
  });
});
