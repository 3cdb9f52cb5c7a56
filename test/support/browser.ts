// Test helper: Debian's Chromium driven by playwright-core (never a downloaded browser).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

/** True when Chromium is here; under CI a missing browser is an error, elsewhere tests skip loudly. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  console.warn(`SKIPPING browser tests: Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export type OpenAs = { viewport?: { width: number; height: number }; channel?: string };

/** Opens the workspace page at `origin` as `user` (e.g. U0ALICE) in a fresh browser context. */
export async function openPageAs(browser: Browser, origin: string, user: string, opts: OpenAs = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  const page = await context.newPage();
  const path = opts.channel ? `/archives/${opts.channel}` : '/';
  await page.goto(`${origin}${path}?as=${user}`);
  await page.locator('#messages').waitFor();
  await page.locator('#user-switcher option').first().waitFor({ state: 'attached' });
  return page;
}

/** Saves a full-page screenshot under test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
