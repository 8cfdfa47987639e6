/**
 * What `npm test` and the CI passes after it (tools/test-without-addon.ts, tools/test-node-versions.ts)
 * share: running vitest in a session of its own with results as JSON, counting them, and keeping each
 * pass's counts in build/test-results/ for the total that ends `.ci/run` (tools/test-totals.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import { stopOnSignals, stopRequested, trackChild } from './stop-on-signals';
import { TEST_TIER_ENV } from './test-tiers.mjs';

export const RESULTS_DIR = join(REPO_ROOT, 'build', 'test-results');

/** `env` for a vitest run of the unit tier (tools/test-tiers.mjs): every file but those that run notebooks. */
export function unitTierEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [TEST_TIER_ENV]: 'unit' };
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export const NO_TESTS: Counts = { passed: 0, failed: 0, skipped: 0 };

export function add(...counts: Counts[]): Counts {
  return counts.reduce((sum, c) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed, skipped: sum.skipped + c.skipped }), NO_TESTS);
}

/** "N passed, N failed, N skipped": the closing line CI reads. */
export function countsText(counts: Counts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}

/**
 * Runs `node args` in `cwd`, in a session of its own (so that a stop of the command ends it whole), with
 * its output shown. Resolves with the exit code; never, if the command is stopping.
 */
export function runStep(what: string, node: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const child = spawn(node, args, { cwd: options.cwd ?? REPO_ROOT, stdio: 'inherit', detached: true, env: options.env ?? process.env });
  trackChild(child, what);
  // Ended by the command's stop: its result means nothing, and the stop reports and exits.
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      if (!stopRequested()) resolve(code ?? 1);
    }),
  );
}

/**
 * vitest run in `cwd` (a checkout) with `node`, its results also written as JSON to `report` and counted.
 * A file that failed to load, an error outside any test, or a run that stopped before reporting counts
 * as a failure.
 */
export async function runVitest(
  what: string,
  report: string,
  args: string[],
  options: { node?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Counts> {
  const cwd = options.cwd ?? REPO_ROOT;
  mkdirSync(join(report, '..'), { recursive: true });
  const vitest = join(cwd, 'node_modules', 'vitest', 'vitest.mjs');
  const code = await runStep(what, options.node ?? process.execPath, [vitest, 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
    cwd,
    env: options.env,
  });
  if (!existsSync(report)) return { passed: 0, failed: 1, skipped: 0 };
  const results = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
  };
  const brokenFiles = results.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((a) => a.status === 'failed')).length;
  const failed = results.numFailedTests + brokenFiles;
  return { passed: results.numPassedTests, failed: failed === 0 && code !== 0 ? 1 : failed, skipped: results.numPendingTests + results.numTodoTests };
}

/** Keeps a pass's counts for the total. */
export function recordCounts(pass: string, counts: Counts): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${pass}.counts.json`), `${JSON.stringify(counts)}\n`);
}

/** Every pass's counts since `npm test` began (it clears build/test-results/). */
export function recordedCounts(): Array<{ pass: string; counts: Counts }> {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((file) => file.endsWith('.counts.json'))
    .map((file) => ({ pass: file.replace(/\.counts\.json$/, ''), counts: JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as Counts }));
}

/** Minutes and seconds since `started` (performance.now()). */
export function elapsed(started: number): string {
  const seconds = Math.round((performance.now() - started) / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Runs one pass of tests as the command `command`: ends what it started on a signal, records its counts
 * as `pass`, ends with the closing line CI reads, and exits 0 only if nothing failed.
 */
export function runPass(pass: string, command: string, body: () => Promise<Counts>): void {
  stopOnSignals(command);
  body().then(
    (counts) => {
      recordCounts(pass, counts);
      console.log(`tests: ${countsText(counts)}`);
      process.exit(counts.failed === 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exit(1);
    },
  );
}
