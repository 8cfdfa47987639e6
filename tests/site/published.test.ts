// The site as published on a GitHub project page: built by `npm run site -- --base … --site-url …`,
// served only under that sub-path, and crawled in Chromium from its home page. No link or asset
// answers 404, no page has an error, the demo reads digits, the sitemap lists every page; each page's
// weight and time to first render go into the build's report (build/site-report.json).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMeasurements, readSiteReport, type PageMeasure } from '../../tools/site-report';
import { canRunBrowserTests, launchBrowser, openPage, ROOT } from './browser';
import { readTestDigits } from './digit-pad';
import { serveStatic, type StaticSite } from './server';

const run = canRunBrowserTests('the site published under a sub-path, crawled in a browser');
const BASE = '/deep-learning-ts/';
const PUBLIC_URL = `https://course.example${BASE}`;
const OUT = join(ROOT, 'build', 'test-site-under-base');
/** A lesson page's HTML, figures' data included, stays under this. */
const MAX_LESSON_HTML = 1024 * 1024;

interface Crawled {
  path: string;
  measured: PageMeasure;
}

describe.runIf(run)('the site under a sub-path', () => {
  let browser: Browser;
  let site: StaticSite;
  let request: APIRequestContext;
  const crawled = new Map<string, Crawled>();
  const problems: string[] = [];

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'tools/site.ts', '--no-execute', '--base', BASE, '--site-url', PUBLIC_URL, '--out', OUT], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`npm run site with a base failed:\n${build.stdout}\n${build.stderr}`);
    site = await serveStatic(OUT, BASE);
    browser = await launchBrowser();
    request = (await browser.newContext()).request;
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('has every link and asset of every page under the base, none missing, no page error', async () => {
    const origin = new URL(site.url).origin;
    const queue = [`${site.url}/`];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const url = queue.shift()!;
      const response = await request.get(url);
      if (!response.ok()) {
        problems.push(`HTTP ${response.status()}: ${url}`);
        continue;
      }
      if (!(response.headers()['content-type'] ?? '').startsWith('text/html')) continue;
      const { page, errors } = await openPage(browser, url);
      const measured = await page.evaluate(async () => {
        const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        // The paint entry may come after the load event.
        const firstRender = await new Promise<number>((resolve) => {
          new PerformanceObserver((list) => {
            const paint = list.getEntriesByName('first-contentful-paint')[0];
            if (paint) resolve(paint.startTime);
          }).observe({ type: 'paint', buffered: true });
          setTimeout(() => resolve(Number.NaN), 10_000); // never painted: recorded as null
        });
        return {
          loadedBytes: navigation.encodedBodySize + resources.reduce((sum, r) => sum + r.encodedBodySize, 0),
          requests: 1 + resources.length,
          firstRenderMs: Math.round(firstRender),
        };
      });
      // Scrolled to the end, every figure below the fold is drawn (and any error it makes is seen).
      const figures = page.locator('.plotly-figure');
      for (let i = 0; i < (await figures.count()); i++) await figures.nth(i).scrollIntoViewIfNeeded();
      await page.waitForFunction(() => Array.from(document.querySelectorAll('.plotly-figure')).every((f) => f.getAttribute('data-drawn') === 'true'), null, { timeout: 60_000 });
      const links = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLAnchorElement | HTMLLinkElement>('a[href], link[href]'), (a) => a.href),
      );
      for (const link of links) {
        const target = new URL(link);
        target.hash = '';
        if (target.origin !== origin || seen.has(target.href)) continue;
        seen.add(target.href);
        queue.push(target.href);
      }
      problems.push(...errors.map((error) => `${url}: ${error}`));
      crawled.set(url, { path: new URL(url).pathname.slice(BASE.length), measured });
      await page.close();
    }
    expect(problems).toEqual([]);
    expect([...crawled.values()].map((p) => p.path)).toEqual(expect.arrayContaining(['', 'demo/', 'running/']));
    addMeasurements(new Map([...crawled.values()].map((p) => [p.path, p.measured])), browser.version());
  }, 600_000);

  it('keeps every lesson page light: under 1 MB of HTML', () => {
    const report = readSiteReport();
    expect(report.out).toBe(OUT);
    const lessons = report.pages.filter((page) => page.page.startsWith('lessons/'));
    expect(lessons.length).toBeGreaterThan(0);
    for (const lesson of lessons) expect(lesson.htmlBytes, lesson.page).toBeLessThan(MAX_LESSON_HTML);
    // The crawl reached every page the build wrote.
    for (const page of report.pages.filter((p) => p.page !== '404.html')) expect(page.measured, `${page.page} was not reached by a link`).toBeDefined();
  });

  it('has a sitemap of every page at its public URL, and social preview tags', async () => {
    const index = await (await request.get(`${site.url}/sitemap-index.xml`)).text();
    const sitemaps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(sitemaps.length).toBeGreaterThan(0);
    const listed: string[] = [];
    for (const sitemap of sitemaps) {
      expect(sitemap.startsWith(PUBLIC_URL)).toBe(true);
      const xml = await (await request.get(`${site.url}/${sitemap.slice(PUBLIC_URL.length)}`)).text();
      listed.push(...[...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]));
    }
    const pages = readSiteReport().pages.filter((p) => p.page.endsWith('/') || p.page === '');
    expect(listed.sort()).toEqual(pages.map((p) => PUBLIC_URL + p.page).sort());

    const { page, errors } = await openPage(browser, `${site.url}/lessons/${pages.find((p) => p.page.startsWith('lessons/'))!.page.slice(8)}`);
    const meta = (property: string) => page.locator(`meta[property="${property}"]`).getAttribute('content');
    expect(await meta('og:title')).toMatch(/^Lesson 1: /);
    expect(await meta('og:url')).toMatch(new RegExp(`^${PUBLIC_URL}lessons/`));
    expect(await meta('og:description')).toBeTruthy();
    expect(await page.locator('link[rel="canonical"]').getAttribute('href')).toBe(await meta('og:url'));
    const image = (await meta('og:image'))!;
    expect(image.startsWith(PUBLIC_URL)).toBe(true);
    const png = await request.get(`${site.url}/${image.slice(PUBLIC_URL.length)}`);
    expect(png.headers()['content-type']).toBe('image/png');
    const body = await png.body();
    expect([body.readUInt32BE(16), body.readUInt32BE(20)], 'the PNG is as wide and high as its tags say').toEqual([Number(await meta('og:image:width')), Number(await meta('og:image:height'))]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the demo: its model loads from under the base and reads digits', async () => {
    const { page, errors } = await openPage(browser, `${site.url}/demo/`);
    if (!existsSync(join(OUT, 'models'))) {
      // No lesson has saved a model here (lessons 6 and 7 do under npm test): the page says how to get one.
      await expect(page.getByText('No trained model yet').count()).resolves.toBe(1);
      return;
    }
    await page.waitForSelector('.digit-demo[data-ready="true"]', { timeout: 60_000 });
    const { correct, answers } = await readTestDigits(page, 10);
    expect(correct, `label→prediction: ${answers}`).toBeGreaterThanOrEqual(9);
    expect(errors).toEqual([]);
    await page.close();
  });
});
