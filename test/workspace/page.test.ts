// The workspace page in Debian's Chromium, driving a tiny Bolt app through it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, openPageAs, screenshot } from '../support/browser.js';
import { startWorkspaceWithApp, waitFor, type Wired } from '../support/slack-app.js';
import { type Seen, tinyApp } from './fixtures/tiny-app.js';

const hasChromium = chromiumAvailable();
let w: Wired;
let browser: Browser;
const seen: Seen = { actions: [], messages: [] };

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorkspaceWithApp((app) => tinyApp(app, seen));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await w?.close();
});

const origin = () => w.ws.origin!;
const send = async (page: Page, text: string, input = '#composer-input') => {
  await page.fill(input, text);
  await page.press(input, 'Enter');
};
const card = (page: Page) => page.locator('#messages .message', { hasText: 'INC-1 · P1' });

describe.skipIf(!hasChromium)('the workspace page', () => {
  let alice: Page;
  let bob: Page;

  it('a slash command from the composer posts the card live for everyone; the ephemeral only for the sender', async () => {
    alice = await openPageAs(browser, origin(), 'U0ALICE');
    bob = await openPageAs(browser, origin(), 'U0BOB');
    await send(alice, '/incident open P1 Checkout API down');
    await card(alice).waitFor();
    await card(bob).waitFor();
    await alice.getByText('You opened INC-1').waitFor();
    expect(await alice.locator('.message.ephemeral').count()).toBe(1);
    expect(await bob.getByText('You opened INC-1').count()).toBe(0);
    expect(await card(alice).locator('.btn-primary', { hasText: 'Acknowledge' }).count()).toBe(1);
    expect(await card(alice).locator('.btn-danger', { hasText: 'Resolve' }).count()).toBe(1);
    expect(await card(alice).locator('.mention', { hasText: '@alice' }).count()).toBe(1);
    expect(await card(alice).locator('code', { hasText: 'redis-down' }).count()).toBe(1);
    const box = card(alice).locator('.unsupported-block');
    expect(await box.locator('.unsupported-title').textContent()).toContain('table');
    expect(await box.locator('pre').textContent()).toContain('"type": "table"');
    await screenshot(alice, 'page-01-card');
  });

  it('Acknowledge as bob updates the card in place for alice', async () => {
    await card(bob).getByRole('button', { name: 'Acknowledge' }).click();
    await card(alice).getByText('acknowledged by').waitFor();
    expect(await card(alice).locator('.edited').count()).toBe(1);
    expect(seen.actions.find((a) => a.id === 'ack')).toEqual({ id: 'ack', user: 'U0BOB', value: 'INC-1' });
    expect(await alice.locator('#messages .message', { hasText: 'INC-1 · P1' }).count()).toBe(1);
  });

  it('the thread opens beside the channel and replies from it go into the thread', async () => {
    await card(alice).getByRole('button', { name: /2 replies/ }).click();
    const thread = alice.locator('#thread-pane');
    await thread.getByText(/^Acknowledged by/).waitFor();
    await send(alice, 'looking at the load balancer', '#thread-input');
    await thread.getByText('looking at the load balancer').waitFor();
    const msg = await waitFor(() => seen.messages.find((m) => m.text === 'looking at the load balancer'));
    expect(msg.thread_ts).toBe(await card(alice).getAttribute('data-ts'));
    await screenshot(alice, 'page-02-thread');
  });

  it('the page survives a reload: same user, channel and open thread', async () => {
    await alice.reload();
    await alice.locator('#thread-pane').getByText('looking at the load balancer').waitFor();
    expect(await alice.locator('#user-switcher').inputValue()).toBe('U0ALICE');
    await card(alice).waitFor();
  });

  it('select and overflow send the chosen option', async () => {
    await card(bob).locator('select').selectOption('P2');
    await waitFor(() => seen.actions.find((a) => a.id === 'sev' && a.value === 'P2'));
    await card(bob).getByRole('button', { name: 'More actions' }).click();
    await card(bob).getByRole('button', { name: 'runbooks' }).click();
    await waitFor(() => seen.actions.find((a) => a.id === 'more' && a.value === 'runbooks'));
  });

  it('a danger button asks for confirmation; denying sends nothing, confirming resolves', async () => {
    const carol = await openPageAs(browser, origin(), 'U0CAROL');
    await card(carol).getByRole('button', { name: 'Resolve' }).click();
    await carol.getByRole('alertdialog').getByText('Resolve INC-1?').waitFor();
    await screenshot(carol, 'page-03-confirm');
    await carol.getByRole('button', { name: 'Keep open' }).click();
    expect(seen.actions.filter((a) => a.id === 'resolve')).toEqual([]);
    await card(carol).getByRole('button', { name: 'Resolve' }).click();
    await carol.getByRole('alertdialog').getByRole('button', { name: 'Resolve' }).click();
    await card(alice).getByText('resolved by').waitFor();
    expect(seen.actions.filter((a) => a.id === 'resolve')).toEqual([{ id: 'resolve', user: 'U0CAROL' }]);
    await carol.context().close();
  });

  it('a modal shows the app errors next to the right input, then submits typed values', async () => {
    const dave = await openPageAs(browser, origin(), 'U0DAVE');
    await send(dave, '/incident');
    const modal = dave.getByRole('dialog');
    await modal.getByText('Open incident').waitFor();
    await modal.locator('[data-block-id="title"] input').fill('DB');
    await modal.locator('[data-block-id="sev"] select').selectOption('P1');
    await modal.locator('[data-block-id="cmdr"] select').selectOption('U0CAROL');
    await modal.locator('[data-block-id="notify"] input[value="email"]').check();
    await modal.getByRole('button', { name: 'Open' }).click();
    await modal.locator('[data-block-id="title"] .input-error').getByText('Title must be at least 5 characters').waitFor();
    expect(await modal.locator('.input-error').count()).toBe(1);
    await screenshot(dave, 'page-04-modal-error');
    expect(await modal.locator('[data-block-id="cmdr"] select').inputValue()).toBe('U0CAROL');
    await modal.locator('[data-block-id="title"] input').fill('Database failover');
    await modal.getByRole('button', { name: 'Open' }).click();
    await dave.getByText('Opened from modal by').waitFor();
    expect(await dave.getByRole('dialog').count()).toBe(0);
    const text = await dave.locator('.message', { hasText: 'Opened from modal' }).textContent();
    expect(text).toContain('Database failover P1 cmdr=@carol notify=email status=investigating');
    await dave.context().close();
  });

  it('views.update from the app redraws the modal and keeps what the user typed', async () => {
    const dave = await openPageAs(browser, origin(), 'U0DAVE');
    await send(dave, '/incident');
    const modal = dave.getByRole('dialog');
    await modal.locator('[data-block-id="title"] input').fill('Typed before update');
    await modal.locator('[data-block-id="notify"] input[value="pager"]').check();
    await modal.getByRole('button', { name: 'Refresh' }).click();
    await modal.getByText('Refreshed by the app').waitFor();
    expect(await modal.locator('[data-block-id="title"] input').inputValue()).toBe('Typed before update');
    expect(await modal.locator('[data-block-id="notify"] input[value="pager"]').isChecked()).toBe(true);
    await modal.getByRole('button', { name: 'Cancel' }).click();
    await dave.context().close();
  });

  it('a permalink opens the channel and the thread of a reply', async () => {
    const parent = (await card(alice).getAttribute('data-ts'))!;
    const reply = w.ws.state.data.messages.find((m) => m.thread_ts === parent && m.ts !== parent)!;
    const { permalink } = await w.app.client.chat.getPermalink({ channel: 'C0INCIDENTS', message_ts: reply.ts });
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${permalink}&as=U0DAVE`);
    await page.locator('#thread-pane .message.highlight').waitFor();
    expect(await page.locator('#thread-pane .message.highlight').getAttribute('data-ts')).toBe(reply.ts);
    await page.context().close();
  });

  it('required inputs are checked before sending, push stacks a view, cancel closes', async () => {
    const dave = await openPageAs(browser, origin(), 'U0DAVE');
    await send(dave, '/incident');
    const modal = dave.getByRole('dialog');
    await modal.getByRole('button', { name: 'Open' }).click();
    await modal.locator('[data-block-id="sev"] .input-error').waitFor();
    await modal.getByRole('button', { name: 'Add details' }).click();
    await dave.getByRole('dialog').getByText('Pushed view').waitFor();
    await dave.getByRole('button', { name: 'Back' }).click();
    await dave.getByRole('dialog').getByText('Open incident').waitFor();
    await dave.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await dave.getByRole('dialog').waitFor({ state: 'detached' });
    expect(w.ws.state.data.stacks.U0DAVE).toEqual([]);
    await dave.context().close();
  });

  it('plain text goes to the app as a message event; the user switcher changes who speaks', async () => {
    await alice.locator('#user-switcher').selectOption('U0CAROL');
    await send(alice, 'hello from *carol* in <#C0GENERAL>');
    await waitFor(() => seen.messages.find((m) => m.user === 'U0CAROL' && m.text.startsWith('hello from')));
    const msg = alice.locator('#messages .message', { hasText: 'hello from' });
    expect(await msg.locator('.author').textContent()).toBe('Carol Chen');
    expect(await msg.locator('b').textContent()).toBe('carol');
    await alice.locator('#user-switcher').selectOption('U0ALICE');
  });

  it('shows emoji shortcodes as emoji, keeps unknown ones and code as typed', async () => {
    await send(alice, 'done :white_check_mark: :not_an_emoji_name: `:x:`');
    const msg = alice.locator('#messages .message', { hasText: 'done' }).last();
    await msg.locator('.emoji[title=":white_check_mark:"]').waitFor();
    expect(await msg.locator('.body').textContent()).toBe('done ✅ :not_an_emoji_name: :x:');
  });

  it('works on a 390 px wide screen', async () => {
    const phone = await openPageAs(browser, origin(), 'U0BOB', { viewport: { width: 390, height: 800 } });
    await card(phone).waitFor();
    expect(await phone.locator('#sidebar').isVisible()).toBe(false);
    await phone.getByRole('button', { name: 'Channels' }).click();
    await phone.locator('#sidebar').getByText('general').click();
    await phone.locator('#channel-header').getByText('general').waitFor();
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await phone.locator('#sidebar').evaluate(() => document.body.classList.add('nav-open'));
    await phone.locator('#sidebar').getByText('incidents').click();
    await card(phone).getByRole('button', { name: /replies/ }).click();
    await phone.locator('#thread-pane').getByText(/^Acknowledged by/).waitFor();
    await screenshot(phone, 'page-05-narrow-thread');
    await phone.context().close();
  });
});
