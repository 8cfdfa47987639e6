/**
 * `npm test`, after `npm run setup -- --test`: vitest (the unit tests, the kernels, the runner and every
 * lesson), then the site built from the lessons just executed and the browser tests, then one summary:
 * what was not tested for want of an optional part (tests/helpers/optional-part.ts), how to install
 * it, and the counts. The browser tests run even when vitest failed, so one run shows all that is wrong.
 * `npm test -- tests/npy.test.ts …` runs only those vitest files (and no browser tests), with the summary.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readSkips, SKIP_LOG_ENV } from '../tests/helpers/skip-log';
import { add, type Counts, countsText, elapsed, NO_TESTS, RESULTS_DIR, runPass, runStep, runVitest } from './test-runs';

const SKIP_LOG = join(RESULTS_DIR, 'skipped-parts.jsonl');

async function main(): Promise<Counts> {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const started = performance.now();
  const env = { ...process.env, [SKIP_LOG_ENV]: SKIP_LOG };

  const only = process.argv.slice(2);
  const unit = await runVitest('vitest', join(RESULTS_DIR, 'vitest.json'), only, { env });
  const siteBuilt = only.length > 0 || (await runStep('the site build', process.execPath, ['--import', 'tsx', 'tools/site.ts', '--no-execute'], { env })) === 0;
  const browser = only.length > 0 ? NO_TESTS : await runVitest('the browser tests', join(RESULTS_DIR, 'browser.json'), ['--config', 'tests/site/vitest.config.ts'], { env });
  const total = add(unit, browser, siteBuilt ? NO_TESTS : { passed: 0, failed: 1, skipped: 0 });

  console.log('\nnpm test summary');
  if (!siteBuilt) console.log('  The site did not build (see above), so its browser tests ran on an old build or none.');
  const skipped = readSkips(SKIP_LOG).map((part) => `  - ${part.part} (${part.why}): not tested: ${part.skipped.join('; ')}.\n    Install: ${part.install}`);
  if (skipped.length) console.log(['  This machine lacks parts of the course, so some tests did not run:', ...skipped, '  (npm run setup -- --test installs them where it can.)'].join('\n'));
  console.log(`  vitest: ${countsText(unit)}; browser tests: ${countsText(browser)}; ${elapsed(started)}`);
  return total;
}

runPass('npm-test', 'npm test', main);
