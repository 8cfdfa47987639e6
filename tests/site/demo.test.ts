// The live demo in a real browser: given ten digits of the MNIST test set, drawn on its pad, the model
// that a lesson saved reads at least nine correctly; a stroke drawn with the pointer is read too.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawDigit, firstTestDigit, readTestDigits } from './digit-pad';
import { canRunBrowserTests, launchBrowser, openPage, screenshot, SITE_DIR } from './browser';
import { serveStatic, type StaticSite } from './server';

const run = canRunBrowserTests("the site's live demo in a browser", { site: true });
const modelsDir = join(SITE_DIR, 'models');
const model = existsSync(modelsDir) ? readdirSync(modelsDir)[0] : undefined;
if (run && !model) {
  console.warn('The site has no demo model (lesson 7 saves build/models/lenet/, lesson 6 build/models/mlp/): checking the notice instead of predictions.');
}

describe.runIf(run)('the live demo', () => {
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

  // One of the two, depending on whether a lesson has saved a model (lessons 6 and 7 do, under npm test).
  if (!model) {
    it('says how to get a model when no lesson has saved one', async () => {
      const { page, errors } = await openPage(browser, `${site.url}/demo/`);
      await expect(page.getByText('No trained model yet').count()).resolves.toBe(1);
      await screenshot(page, 'demo.png');
      expect(errors).toEqual([]);
      await page.close();
    });
  } else {
    it(`reads at least 9 of 10 MNIST test digits with the ${model} model`, async () => {
      const { page, errors } = await openPage(browser, `${site.url}/demo/`);
      await page.waitForSelector('.digit-demo[data-ready="true"]', { timeout: 60_000 });

      const { correct, answers } = await readTestDigits(page, 10);
      expect(correct, `label→prediction: ${answers}`).toBeGreaterThanOrEqual(9);
      // The bars are probabilities (a model that outputs logits gets a softmax).
      const percentages = (await page.locator('.digit-prob').allTextContents()).map((t) => Number.parseFloat(t));
      expect(percentages.every((p) => p >= 0 && p <= 100)).toBe(true);
      expect(percentages.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);

      // A real stroke with the pointer: a vertical bar is a 1.
      await page.locator('.digit-clear').click();
      expect(await page.locator('.digit-demo').getAttribute('data-prediction')).toBe('');
      const box = (await page.locator('.digit-canvas').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
      await page.mouse.down();
      for (let step = 1; step <= 10; step++) await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * (0.15 + 0.07 * step));
      await page.mouse.up();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.digit-demo')?.dataset.prediction === '1', null, { timeout: 5_000 });

      // The screenshot shows a test digit and its bars.
      await drawDigit(page, firstTestDigit());
      await page.waitForTimeout(300); // the bars' width transition
      await screenshot(page, 'demo.png');
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
