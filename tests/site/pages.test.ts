// The built site in a real browser: the home page shows every lesson, and every lesson page loads
// without errors, draws each of its plotly figures and renders its math.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLessons, readNotebook, type Notebook } from '../../tools/notebooks';
import { canRunBrowserTests, launchBrowser, openPage, screenshot, SITE_DIR } from './browser';
import { serveStatic, type StaticSite } from './server';

const run = canRunBrowserTests("the site's pages in a browser", { site: true });

/** The lessons the site was built from (build/site/lessons.json); a test checks that they are today's. */
interface BuiltLesson {
  number: number;
  slug: string;
  title: string;
  /** How many plotly figures the page has, and whether its markdown has math. */
  plots: number;
  math: boolean;
  executed: boolean;
}
const manifest = join(SITE_DIR, 'lessons.json');
const lessons: BuiltLesson[] = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')) : [];

/** The plotly figures in the executed notebook, if it is the one the site was built from (not rewritten since). */
function figuresInNotebook(slug: string): number | undefined {
  const executed = join(SITE_DIR, '..', 'lessons', `${slug}.ipynb`);
  if (!existsSync(executed) || statSync(executed).mtimeMs > statSync(manifest).mtimeMs) return undefined;
  const notebook = readNotebook(executed);
  return notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => (o.data as Record<string, unknown> | undefined)?.['application/vnd.plotly.v1+json']).length;
}

describe.runIf(run)('the course site', () => {
  let browser: Browser;
  let site: StaticSite;

  beforeAll(async () => {
    site = await serveStatic(SITE_DIR);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('was built from the lessons in lessons/', () => {
    const current = listLessons().map((l) => l.slug);
    expect(lessons.map((l) => l.slug), 'build/site/ is out of date: run npm run site').toEqual(current);
  });

  it('has a home page with a card and recorded results for every lesson', async () => {
    const { page, errors } = await openPage(browser, `${site.url}/`);
    const cards = await page.locator('.lesson-card').count();
    expect(cards).toBe(lessons.length);
    for (const lesson of lessons) {
      await expect(page.locator(`.lesson-card a[href="/lessons/${lesson.slug}/"]`).count()).resolves.toBe(1);
    }
    await screenshot(page, 'home.png', { fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  // Two lesson pages at a time (maxConcurrency in tests/site/vitest.config.ts): one page leaves a core idle.
  for (const lesson of lessons) {
    it.concurrent(`shows lesson ${lesson.number} (${lesson.slug}) with its outputs, plots and math`, async ({ expect }) => {
      const figures = figuresInNotebook(lesson.slug);
      if (figures !== undefined) expect(lesson.plots, 'every figure of the notebook has its place on the page').toBe(figures);
      const { page, errors } = await openPage(browser, `${site.url}/lessons/${lesson.slug}/`);
      expect(await page.locator('.expressive-code').count(), 'highlighted code cells').toBeGreaterThan(0);
      if (lesson.plots > 0) {
        // Figures more than a screen below the viewport wait until the reader scrolls to them.
        const figures = page.locator('.plotly-figure');
        const below = await figures.last().evaluate((element) => element.getBoundingClientRect().top > 2 * window.innerHeight);
        if (below) expect(await figures.last().getAttribute('data-drawn'), 'the last figure, far below the fold, is not drawn at load').toBeNull();
        for (let i = 0; i < lesson.plots; i++) await figures.nth(i).scrollIntoViewIfNeeded();
        // Every figure is drawn: plotly adds .js-plotly-plot and an <svg> to its element.
        await page.waitForFunction((n) => document.querySelectorAll('.plotly-figure.js-plotly-plot .main-svg').length >= n, lesson.plots, { timeout: 60_000 });
        expect(await figures.count()).toBe(lesson.plots);
      } else {
        expect(await page.evaluate(() => 'Plotly' in window), 'plotly.js is loaded only on pages with figures').toBe(false);
      }
      if (lesson.math) expect(await page.locator('.katex').count()).toBeGreaterThan(0);
      const download = await page.request.get(`${site.url}/notebooks/${lesson.slug}.ipynb`);
      expect(download.ok()).toBe(true);
      // The clean notebook: this lesson's, without outputs (the executed copy is what the page shows).
      const notebook = JSON.parse(await download.text()) as Notebook;
      expect(notebook.metadata.course?.lesson).toBe(lesson.number);
      expect(notebook.cells.flatMap((c) => c.outputs ?? [])).toEqual([]);
      // And the executed one, with the outputs the page shows.
      const executed = page.locator('.lesson-download').nth(1);
      if (lesson.executed) {
        const withOutputs = JSON.parse(await (await page.request.get(new URL((await executed.getAttribute('href'))!, site.url).href)).text()) as Notebook;
        expect(withOutputs.cells.flatMap((c) => c.outputs ?? []).length).toBeGreaterThan(0);
      } else expect(await executed.count()).toBe(0);
      if (lesson.plots > 0 && lesson === lessons.find((l) => l.plots > 0)) {
        await page.locator('.plotly-figure').first().scrollIntoViewIfNeeded();
        await screenshot(page, 'lesson-plot.png');
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('fits a phone screen and has a dark theme', async () => {
    // Wide code, equations, tables and outputs scroll inside their own boxes; no page scrolls sideways.
    for (const { slug } of lessons.slice(1)) {
      const { page, errors } = await openPage(browser, `${site.url}/lessons/${slug}/`, { width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), slug).toBeLessThanOrEqual(390);
      expect(errors).toEqual([]);
      await page.close();
    }
    const slug = lessons[0].slug;
    const { page, errors } = await openPage(browser, `${site.url}/lessons/${slug}/`, { width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), slug).toBeLessThanOrEqual(390);
    await page.evaluate(() => {
      localStorage.setItem('starlight-theme', 'dark');
    });
    // A reload would abort requests still in flight (the favicon), which the page counts as errors.
    await page.waitForLoadState('networkidle');
    await page.reload({ waitUntil: 'load' });
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'lesson-phone-dark.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('finds lessons with its search', async () => {
    const { page, errors } = await openPage(browser, `${site.url}/`);
    await page.locator('site-search button[data-open-modal]').first().click();
    await page.locator('#starlight__search input').fill(lessons[0].title.split(' ')[0]);
    await page.waitForSelector('#starlight__search .pagefind-ui__result', { timeout: 15_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
