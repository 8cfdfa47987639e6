/**
 * `npm test`, after `npm run setup -- --test`: vitest (the unit tests, the kernels, the runner and every
 * lesson), then the site built from the lessons just executed and the browser tests, then one summary:
 * what was not tested for want of an optional part (tests/helpers/optional-part.ts), how to install
 * it, and the counts. The browser tests run even when vitest failed, so one run shows all that is wrong.
 * `npm test -- tests/npy.test.ts …` runs only those vitest files (and no browser tests), with the summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import { stopOnSignals, trackChild } from './stop-on-signals';
import { readSkips, SKIP_LOG_ENV } from '../tests/helpers/skip-log';

const RESULTS_DIR = join(REPO_ROOT, 'build', 'test-results');
const SKIP_LOG = join(RESULTS_DIR, 'skipped-parts.jsonl');
const VITEST = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs a step in a session of its own (so that a stop ends it whole), with this process's Node. */
function step(what: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit', detached: true, env: { ...process.env, [SKIP_LOG_ENV]: SKIP_LOG } });
  trackChild(child, what);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/** A vitest run, its results also written as JSON for the summary. */
async function vitest(what: string, name: string, extra: string[]): Promise<Counts> {
  const report = join(RESULTS_DIR, `${name}.json`);
  const code = await step(what, [VITEST, 'run', ...extra, '--reporter=default', '--reporter=json', `--outputFile.json=${relative(REPO_ROOT, report)}`]);
  if (!existsSync(report)) return { passed: 0, failed: 1, skipped: 0 }; // it stopped before reporting
  const results = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
  };
  // A file that failed to load, or an error outside any test, fails the run without failing a test.
  const brokenFiles = results.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')).length;
  const failed = results.numFailedTests + brokenFiles;
  return {
    passed: results.numPassedTests,
    failed: failed === 0 && code !== 0 ? 1 : failed,
    skipped: results.numPendingTests + results.numTodoTests,
  };
}

function skippedParts(): string[] {
  return readSkips(SKIP_LOG).map((part) => `  - ${part.part} (${part.why}): not tested: ${part.skipped.join('; ')}.\n    Install: ${part.install}`);
}

async function main(): Promise<number> {
  stopOnSignals('npm test');
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const started = performance.now();

  const only = process.argv.slice(2);
  const unit = await vitest('vitest', 'vitest', only);
  const none: Counts = { passed: 0, failed: 0, skipped: 0 };
  const siteBuilt = only.length > 0 || (await step('the site build', ['--import', 'tsx', join(REPO_ROOT, 'tools', 'site.ts'), '--no-execute'])) === 0;
  const browser = only.length > 0 ? none : await vitest('the browser tests', 'browser', ['--config', 'tests/site/vitest.config.ts']);

  const total: Counts = {
    passed: unit.passed + browser.passed,
    failed: unit.failed + browser.failed + (siteBuilt ? 0 : 1),
    skipped: unit.skipped + browser.skipped,
  };
  const minutes = Math.floor((performance.now() - started) / 60_000);
  const seconds = Math.round(((performance.now() - started) % 60_000) / 1000);
  const skipped = skippedParts();
  console.log('\nnpm test summary');
  if (!siteBuilt) console.log('  The site did not build (see above), so its browser tests ran on an old build or none.');
  if (skipped.length) console.log(['  This machine lacks parts of the course, so some tests did not run:', ...skipped, '  (npm run setup -- --test installs them where it can.)'].join('\n'));
  console.log(`  vitest: ${unit.passed} passed, ${unit.failed} failed, ${unit.skipped} skipped; browser tests: ${browser.passed} passed, ${browser.failed} failed, ${browser.skipped} skipped; ${minutes} min ${seconds} s`);
  console.log(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  return total.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
