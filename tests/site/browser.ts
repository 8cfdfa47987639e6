/**
 * Debian's Chromium driven by playwright-core (Playwright's own browser downloads cannot work offline),
 * and the helpers every site test shares: where things are, and a page that records console errors.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const SITE_DIR = join(ROOT, 'build', 'site');
export const SCREENSHOTS_DIR = join(ROOT, 'build', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing, so the site's browser tests are skipped. Fix: apt-get install chromium (Debian).`;
  return undefined;
}

export function siteMissingReason(): string | undefined {
  if (!existsSync(join(SITE_DIR, 'index.html'))) return `build/site/ has not been built. Fix: npm run site.`;
  return undefined;
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
