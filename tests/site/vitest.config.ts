/**
 * The site's tests run on their own, after `npm run site` has built build/site/ from the notebooks
 * that tests/lessons.test.ts executed: `vitest run --config tests/site/vitest.config.ts`.
 * published.test.ts builds its own copy, under a sub-path, from the same notebooks.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** playwright-core is a dev dependency of both the course and the site; either copy will do. */
function playwrightAlias(): Record<string, string> {
  try {
    createRequire(`${root}/package.json`).resolve('playwright-core');
    return {};
  } catch {
    const fromSite = `${root}/site/node_modules/playwright-core`;
    return existsSync(fromSite) ? { 'playwright-core': fromSite } : {};
  }
}

export default defineConfig({
  root,
  resolve: { alias: playwrightAlias() },
  test: {
    include: ['tests/site/**/*.test.ts'],
    // One browser at a time, with at most two pages loading at once: the target machine has 2 cores.
    fileParallelism: false,
    maxConcurrency: 2,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
