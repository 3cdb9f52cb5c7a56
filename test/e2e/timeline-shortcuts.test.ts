// The message shortcuts in a real browser: the "…" menu on a message, Declare incident from
// #general, a reply in the thread, Add to incident timeline, and /incident show listing them.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';
import { waitFor } from '../support/slack-app.js';

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

const send = async (page: Page, text: string, input = '#composer-input') => {
  await page.fill(input, text);
  await page.press(input, 'Enter');
};
const shortcut = async (message: ReturnType<Page['locator']>, name: string) => {
  await message.hover();
  await message.getByRole('button', { name: 'More actions' }).click();
  await message.getByRole('button', { name }).click();
};

describe.skipIf(!hasChromium)('message shortcuts in the browser', () => {
  let alice: Page;
  let dave: Page;

  it('Declare incident on a message in #general opens the form prefilled; the incident links back', async () => {
    dave = await openPageAs(browser, t.ops.url, 'U0DAVE', { channel: 'C0GENERAL' });
    alice = await openPageAs(browser, t.ops.url, 'U0ALICE', { channel: 'C0GENERAL' });
    await send(dave, 'Checkout shows a blank page for everyone');
    const said = alice.locator('#messages .message', { hasText: 'Checkout shows a blank page' });
    await said.waitFor();
    await shortcut(said, 'Declare incident');
    const modal = alice.getByRole('dialog');
    await modal.getByText('Declare an incident').waitFor();
    expect(await modal.locator('[data-block-id="title"] input').inputValue()).toBe('Checkout shows a blank page for everyone');
    await modal.locator('[data-block-id="severity"] select').selectOption('P2');
    await screenshot(alice, 'shortcut-1-declare');
    await modal.getByRole('button', { name: 'Open' }).click();
    await waitFor(async () => (await t.ops.store.listOpen()).length === 1, 10_000);
    const [e] = (await t.ops.store.events(1)).filter((x) => x.kind === 'timeline');
    expect(e).toMatchObject({ actor: 'U0ALICE', text: 'Checkout shows a blank page for everyone', data: { channel: 'C0GENERAL', author: 'U0DAVE' } });
  });

  it('a reply in the thread and a curated bot line both appear in /incident show', async () => {
    await alice.goto(`${t.ops.url}/archives/C0INCIDENTS?as=U0ALICE`);
    const card = alice.locator('#messages .message', { hasText: 'INC-1 · P2' });
    await card.getByRole('button', { name: /replies/ }).click();
    const thread = alice.locator('#thread-pane');
    await thread.getByText(/Declared from/).waitFor();
    await send(alice, 'CDN config changed at 13:58', '#thread-input');
    await waitFor(async () => (await t.ops.store.events(1)).some((x) => x.kind === 'message'), 10_000);
    await shortcut(thread.locator('.message', { hasText: 'opened this P2 incident' }), 'Add to incident timeline');
    await thread.getByText(/Added to the timeline of INC-1/).waitFor();
    await send(alice, '/incident show INC-1', '#thread-input');
    const shown = thread.locator('.message.ephemeral', { hasText: 'Time to acknowledge' });
    await shown.waitFor();
    await shown.getByText(/message.*CDN config changed at 13:58/).waitFor();
    expect(await shown.getByText(/timeline.*opened this P2 incident/).count()).toBe(1);
    await screenshot(alice, 'shortcut-2-show');
  });
});
