// Long unbroken words wrap and line breaks stay, on the workspace page, with the real bot behind it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { startLocal, type LocalOpsroom } from '../support/opsroom.js';

const hasChromium = chromiumAvailable();
let t: LocalOpsroom;
let browser: Browser;
const WORD = 'x'.repeat(110);

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

/** How far the text inside `selector` reaches past the pane's right edge, in px (0: it all wraps). */
const overflow = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const pane = document.querySelector(sel)!;
    const right = pane.getBoundingClientRect().right;
    const walk = document.createTreeWalker(pane, NodeFilter.SHOW_TEXT);
    let most = 0;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const r = document.createRange();
      r.selectNodeContents(n);
      for (const box of r.getClientRects()) most = Math.max(most, Math.round(box.right - right));
    }
    return most;
  }, selector);

describe.skipIf(!hasChromium)('long text on the workspace page', () => {
  it('wraps a long word in the card, the thread and the timeline, and keeps line breaks', async () => {
    const page = await openPageAs(browser, t.ops.url, 'U0ALICE', { channel: 'C0INCIDENTS', viewport: { width: 390, height: 800 } });
    await t.ws.slash('U0ALICE', 'C0INCIDENTS', `open P1 ${WORD}`);
    const card = page.locator('#messages .message', { hasText: 'INC-1 · P1' });
    await card.waitFor();
    await t.ws.slash('U0ALICE', 'C0GENERAL', `update INC-1 first line ${WORD}`);
    await card.getByRole('button', { name: /replies/ }).waitFor();
    expect(await overflow(page, '#messages')).toBe(0);
    await card.getByRole('button', { name: /replies/ }).click();
    const thread = page.locator('#thread-pane');
    await thread.getByText(/Update from/).waitFor();
    expect(await overflow(page, '#thread-pane')).toBe(0);
    await t.ws.slash('U0ALICE', 'C0GENERAL', 'show INC-1');
    await screenshot(page, 'long-text');
    expect(await overflow(page, '#messages')).toBe(0);
    // The update's line break survives: "Update from …:" and its text are on separate lines.
    const html = await thread.locator('.message', { hasText: 'Update from' }).innerHTML();
    expect(html).toMatch(/Update from[^]*<br>first line/);
  });
});
