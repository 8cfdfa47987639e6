/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser downloads cannot work offline),
 * and the helpers every site test shares: where things are, and a page that records console errors.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, installHint, SYSTEM_PARTS } from '../../tools/system-parts.mjs';
import { optionalPart } from '../helpers/optional-part';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SITE_DIR = join(ROOT, 'build', 'site');
export const SCREENSHOTS_DIR = join(ROOT, 'build', 'screenshots');
export { CHROMIUM };

/**
 * Whether browser tests can run here (Chromium is an optional part: tests/helpers/optional-part.ts),
 * and, with `site`, whether build/site/ has been built for them. Call it where tests are declared.
 */
export function canRunBrowserTests(skips: string, options: { site?: boolean } = {}): boolean {
  const chromium = optionalPart('Chromium', SYSTEM_PARTS.chromium.present(), installHint(SYSTEM_PARTS.chromium), { skips, why: `${CHROMIUM} is missing` });
  if (!chromium || !options.site) return chromium;
  return optionalPart('the built site', existsSync(join(SITE_DIR, 'index.html')), 'npm run site (npm run test:site builds it first)', { skips, why: 'build/site/ has not been built' });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions since the page was opened. */
  errors: string[];
}

export async function openPage(browser: Browser, url: string, options: { width?: number; height?: number } = {}): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, name);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}
