/**
 * Puts a bench run's tables into docs/performance.md. `npm run bench` does it after measuring;
 * `npx tsx tools/bench/write-doc.ts` does it again from build/bench.json (e.g. after editing the doc's prose).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { firstLine } from '../../src/errors';
import { REPO_ROOT } from '../jupyter.mjs';
import { benchSection, type BenchReport, withBenchSection } from './report';

export const BENCH_JSON = join(REPO_ROOT, 'build', 'bench.json');
export const PERFORMANCE_DOC = join(REPO_ROOT, 'docs', 'performance.md');

/** The checkout's short commit, with `+` when the working tree has changes; undefined outside git. */
export function currentCommit(): string | undefined {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+` : commit;
  } catch {
    return undefined;
  }
}

/** Rewrites the doc's generated section from `run`; returns the doc's path, relative to the checkout. */
export function writePerformanceDoc(run: BenchReport): string {
  writeFileSync(PERFORMANCE_DOC, withBenchSection(readFileSync(PERFORMANCE_DOC, 'utf8'), benchSection(run)));
  return relative(REPO_ROOT, PERFORMANCE_DOC);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let run: BenchReport;
  try {
    run = JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as BenchReport;
  } catch (error) {
    console.error(`Cannot read ${relative(REPO_ROOT, BENCH_JSON)} (${firstLine(error)}).\n  Fix: run \`npm run bench\`, which measures and writes it.`);
    process.exit(1);
  }
  console.log(`Written: ${writePerformanceDoc(run)}, from ${relative(REPO_ROOT, BENCH_JSON)}`);
}
