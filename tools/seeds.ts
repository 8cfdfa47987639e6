/**
 * `npm run seeds`: runs every lesson (or the ones named) on its own seed and on others, and writes each
 * metric's min/mean/max beside its threshold to build/seeds.json. Too slow for `npm test`; run it before
 * moving a threshold, and the site's lesson cards show what it measured.
 *
 *   npm run seeds                          every lesson on its own seed and on seeds 1, 2 and 3
 *   npm run seeds -- --lessons 3,5 --seeds 1,2,3,4,5 [--jobs 2]
 *
 * Exits 1 when a threshold failed on any seed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/atomic-write';
import { formatNumber } from '../src/training/progress';
import { REPO_ROOT } from './jupyter.mjs';
import { describeThreshold, findLesson, lessonsLongestFirst, type LessonFile } from './notebooks';
import { runLesson, seedRunOptions } from './run-lesson';
import { notebookHash, type SeedRun, SEEDS_REPORT, type SeedsReport, spreadOf } from './seed-spread';
import { stopOnSignals } from './stop-on-signals';

const DEFAULT_EXTRA_SEEDS = [1, 2, 3];

function parseList(text: string, what: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${what} needs a comma-separated list, e.g. --${what} 1,2,3`);
  return items;
}

function parseSeeds(text: string | undefined): number[] {
  if (text === undefined) return DEFAULT_EXTRA_SEEDS;
  return parseList(text, 'seeds').map((item) => {
    if (!/^\d{1,9}$/.test(item)) throw new Error(`--seeds takes whole numbers from 0 to 999999999, not "${item}".`);
    return Number(item);
  });
}

function currentCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Runs `jobs` tasks at a time, in order. */
async function inLanes<T>(tasks: Array<() => Promise<T>>, jobs: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, lane));
}

function earlierReport(): SeedsReport | undefined {
  try {
    return JSON.parse(readFileSync(SEEDS_REPORT, 'utf8')) as SeedsReport;
  } catch {
    return undefined; // none yet, or unreadable: start afresh
  }
}

async function main(): Promise<number> {
  stopOnSignals('npm run seeds');
  const { values } = parseArgs({
    options: { lessons: { type: 'string' }, seeds: { type: 'string' }, jobs: { type: 'string', default: '2' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log('usage: npm run seeds -- [--lessons 1,3] [--seeds 1,2,3] [--jobs 2]');
    return 0;
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a whole number of at least 1, not "${values.jobs}".`);
  const lessons: LessonFile[] = values.lessons ? parseList(values.lessons, 'lessons').map(findLesson) : lessonsLongestFirst();
  const extraSeeds = parseSeeds(values.seeds);

  // Lessons not run this time keep their earlier spread (the site and the results doc show it only while the notebook is unchanged).
  const report: SeedsReport = { finished_at: new Date().toISOString(), commit: currentCommit(), lessons: earlierReport()?.lessons ?? {} };
  const runs = new Map<number, SeedRun[]>(lessons.map((l) => [l.number, []]));
  const save = () => {
    for (const lesson of lessons) {
      const lessonRuns = [...(runs.get(lesson.number) ?? [])].sort((a, b) => (a.seed ?? -1) - (b.seed ?? -1));
      report.lessons[String(lesson.number)] = {
        lesson: lesson.number,
        slug: lesson.slug,
        notebook_sha256: notebookHash(lesson.path),
        runs: lessonRuns,
        metrics: spreadOf(lesson.meta.thresholds, lessonRuns),
      };
    }
    report.finished_at = new Date().toISOString();
    mkdirSync(join(REPO_ROOT, 'build'), { recursive: true });
    writeFileAtomic(SEEDS_REPORT, `${JSON.stringify(report, null, 1)}\n`);
  };

  // undefined: the lesson's own seed.
  const seeds: Array<number | undefined> = [undefined, ...extraSeeds];
  const tasks = lessons.flatMap((lesson) =>
    seeds.map((seed) => async () => {
      const label = `lesson ${lesson.number}, ${seed === undefined ? 'its own seed' : `seed ${seed}`}`;
      const run = await runLesson(lesson, seedRunOptions(seed));
      const { results } = run;
      report.backend ??= results.backend;
      runs.get(lesson.number)!.push({
        seed: results.seed ?? seed ?? null,
        passed: results.passed,
        seconds: results.seconds,
        metrics: results.metrics,
        failure: results.failure,
      });
      save();
      console.log(`${results.passed ? 'passed' : 'FAILED'}  ${label} (${results.seconds} s)${results.failure ? `: ${results.failure.split('\n')[0]}` : ''}`);
    }),
  );
  console.log(`Running ${lessons.length} lesson(s) on ${seeds.length} seeds each (own, ${extraSeeds.join(', ')}), ${jobs} at a time…`);
  await inLanes(tasks, jobs);
  save();

  let allHeld = true;
  for (const lesson of lessons) {
    const spread = report.lessons[String(lesson.number)];
    console.log(`\nLesson ${lesson.number}: ${lesson.meta.title} (seeds ${spread.runs.map((r) => r.seed).join(', ')})`);
    for (const [name, m] of Object.entries(spread.metrics)) {
      const ok = m.held === m.runs;
      allHeld &&= ok;
      const range = m.min === null ? 'not recorded' : `min ${formatNumber(m.min)}  mean ${formatNumber(m.mean!)}  max ${formatNumber(m.max!)}`;
      console.log(`  ${ok ? 'ok  ' : 'MISS'} ${name.padEnd(28)} ${describeThreshold(m.threshold).padEnd(12)} ${range}  (held on ${m.held}/${m.runs})`);
    }
  }
  console.log(`\nWritten: ${SEEDS_REPORT}`);
  return allHeld ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
