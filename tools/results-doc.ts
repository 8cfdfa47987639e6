/**
 * Writes docs/results.md from the executed lessons in build/lessons/ (their recorded results), so the
 * figures in the docs always come from one run and say which:
 *
 *   npx tsx tools/results-doc.ts "<which run, e.g. .ci/run on a clean clone of 1a2b3c4>"
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/atomic-write';
import { formatNumber } from '../src/training/progress';
import { REPO_ROOT } from './jupyter.mjs';
import { describeThreshold, listLessons, readNotebook } from './notebooks';
import { executedPathOf } from './run-lesson';
import { notebookHash, SEEDS_REPORT, type SeedsReport } from './seed-spread';

const DOC = join(REPO_ROOT, 'docs', 'results.md');

function commit(): string {
  return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
}

/** The spread `npm run seeds` measured, for the lessons whose notebook it ran is the one here now. */
function seedSection(): string {
  if (!existsSync(SEEDS_REPORT)) return '';
  const report = JSON.parse(readFileSync(SEEDS_REPORT, 'utf8')) as SeedsReport;
  const rows: string[] = [];
  for (const lesson of listLessons()) {
    const spread = report.lessons[String(lesson.number)];
    if (!spread || spread.notebook_sha256 !== notebookHash(lesson.path)) continue;
    const seeds = spread.runs.map((run) => run.seed ?? '?').join(', ');
    const metrics = Object.entries(spread.metrics)
      .map(([name, m]) => `${name.replace(/_/g, '\\_')} ${m.min === null ? '—' : formatNumber(m.min)} to ${m.max === null ? '—' : formatNumber(m.max)} (${describeThreshold(m.threshold)}: ${m.held}/${m.runs})`)
      .join(', ');
    rows.push(`| ${lesson.number} | ${seeds} | ${metrics} |`);
  }
  if (rows.length === 0) return '';
  return `
## Over seeds

Each metric's smallest and largest value over the seeds \`npm run seeds\` ran on the lesson as it is now
(its notebook unchanged since, by its hash in \`build/seeds.json\`), beside its threshold and on how many
of the runs it held.

| lesson | seeds | metric: smallest to largest (threshold: held) |
| --- | --- | --- |
${rows.join('\n')}
`;
}

function main(): void {
  const run = process.argv[2];
  if (!run) throw new Error('Say which run the results come from: npx tsx tools/results-doc.ts "<which run>"');
  const rows: string[] = [];
  for (const lesson of listLessons()) {
    const path = executedPathOf(lesson);
    if (!existsSync(path)) throw new Error(`Lesson ${lesson.number} has no executed copy (${path}): run npm test first.`);
    const results = readNotebook(path).metadata.course?.results;
    if (!results) throw new Error(`${path} has no recorded results.`);
    if (!results.passed) throw new Error(`Lesson ${lesson.number} did not pass in that run; the doc records passing runs only.`);
    const metrics = Object.keys(lesson.meta.thresholds)
      .map((name) => `${name.replace(/_/g, '\\_')} ${formatNumber(results.metrics[name])}`)
      .join(', ');
    const memory = results.peak_rss_mib === undefined ? '—' : `${Math.round(results.peak_rss_mib)} MiB`;
    rows.push(`| ${lesson.number} | ${metrics} | ${results.seconds} s | ${lesson.meta.expected_seconds ?? '—'} s | ${memory} | ${results.backend ?? '—'} |`);
  }
  const doc = `# Results of a full run

What every lesson recorded, how long it took and how much memory its kernel used, in one run of the
test suite. Each lesson's metrics are checked against the thresholds in its notebook; the same seed on
the same backend gives the same numbers again. How they vary with the seed: \`npm run seeds\` and the
site's lesson cards.

The first time is the lesson's under \`npm test\`, which runs two lessons at a time *and* the other test
files beside them; the second is \`expected_seconds\` from the lesson's metadata, its usual time with one
other lesson beside it, which the runner tells students.

Run: ${run}, commit ${commit()}. Written by \`npx tsx tools/results-doc.ts\` from \`build/lessons/\`.

| lesson | recorded metrics | time in \`npm test\` | usual time | peak memory | backend |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
${seedSection()}`;
  writeFileAtomic(DOC, doc);
  console.log(`Written: ${DOC}`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
