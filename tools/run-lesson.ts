/**
 * Runs one lesson headless through the real tslab kernel (via tools/execute_notebook.py),
 * narrates it on the terminal, and checks the metrics it records against the
 * thresholds in its metadata. The executed notebook, with the results added to
 * its metadata, goes to build/lessons/ whether the run passed or not.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../src/atomic-write';
import { LESSON_INFO_MIME, METRIC_MIME } from '../src/notebook/mime-types';
import { BUILD_DIR_ENV } from '../src/paths';
import { executeNotebook, ExecutorEvent, SetupError, withoutStack } from './executor';
import { REPO_ROOT } from './jupyter.mjs';
import { checkThresholds, EXECUTED_DIR, LessonFile, LessonResults, readNotebook } from './notebooks';

export { SetupError };
export type { ExecutorEvent };

export const DEFAULT_CELL_TIMEOUT_SECONDS = 600;

/** Receives the run as it happens; the terminal reporter prints it. */
export interface RunObserver {
  event(event: ExecutorEvent): void;
}

export interface LessonRun {
  lesson: LessonFile;
  executedPath: string;
  results: LessonResults;
}

export function executedPathOf(lesson: LessonFile, executedDir = EXECUTED_DIR): string {
  return join(executedDir, `${lesson.slug}.ipynb`);
}

/**
 * A run on another seed (`seed`; undefined: the lesson's own, in a seeds run) keeps everything it
 * writes in a folder of its own, build/seeds/seed-<n>/ (or own/): its executed notebook beside its logs,
 * checkpoints and models. So it never replaces what the site publishes, and runs side by side never
 * share a file.
 */
export function seedRunOptions(seed: number | undefined): { env: NodeJS.ProcessEnv; executedDir: string } {
  const folder = join(REPO_ROOT, 'build', 'seeds', seed === undefined ? 'own' : `seed-${seed}`);
  const env: NodeJS.ProcessEnv = { [BUILD_DIR_ENV]: folder };
  if (seed !== undefined) env.COURSE_SEED = String(seed);
  return { env, executedDir: folder };
}

export async function runLesson(
  lesson: LessonFile,
  options: {
    cellTimeoutSeconds?: number;
    observer?: RunObserver;
    env?: NodeJS.ProcessEnv;
    kernelName?: string;
    /** Where the executed notebook goes (build/lessons/, which the site publishes, unless told otherwise). */
    executedDir?: string;
  } = {},
): Promise<LessonRun> {
  const timeout = options.cellTimeoutSeconds ?? lesson.meta.cell_timeout_seconds ?? DEFAULT_CELL_TIMEOUT_SECONDS;
  const executedPath = executedPathOf(lesson, options.executedDir);
  mkdirSync(dirname(executedPath), { recursive: true });

  const metrics: Record<string, number> = {};
  let backend: string | undefined;
  let seed: number | undefined;
  let peakRssMib: number | undefined;
  let failure: string | undefined;
  const started = performance.now();

  let sources: Record<number, string> = {};
  const outcome = await executeNotebook(lesson.path, executedPath, {
    cellTimeoutSeconds: timeout,
    kernelName: options.kernelName,
    env: options.env,
    onEvent(event) {
      options.observer?.event(event);
      if (event.event === 'cell_start') sources = { ...sources, [event.cell]: event.source };
      if (event.event === 'output' && event.content.data) {
        const metric = event.content.data[METRIC_MIME] as { name: string; value: number | string } | undefined;
        if (metric) metrics[metric.name] = Number(metric.value);
        const info = event.content.data[LESSON_INFO_MIME] as { backend?: string; seed?: number } | undefined;
        if (info?.backend) backend = info.backend;
        if (typeof info?.seed === 'number') seed = info.seed;
      }
      if (event.event === 'kernel_memory' && event.peak_rss_mib !== null) peakRssMib = event.peak_rss_mib;
      if (event.event === 'cell_failed') failure = describeCellFailure(event, sources[event.cell] ?? '', timeout);
      if (event.event === 'fatal') failure = `The kernel could not run the lesson: ${event.message}\n  Fix: ${fixFor(event.kind)}`;
    },
  });
  if (outcome.exitCode !== 0 && !failure) failure = `The notebook executor stopped unexpectedly (exit ${outcome.exitCode}).\n${outcome.stderr}`;
  if (outcome.unreadableEvents > 0 && !failure) {
    failure = `${outcome.unreadableEvents} of the notebook executor's reports arrived damaged, so metrics may be missing; ` +
      'the executed notebook has every output. This is a bug in tools/execute_notebook.py: please report it.';
  }

  const checks = checkThresholds(lesson.meta.thresholds, metrics);
  const results: LessonResults = {
    passed: !failure && checks.every((c) => c.passed),
    backend,
    seed,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    peak_rss_mib: peakRssMib,
    finished_at: new Date().toISOString(),
    metrics,
    checks,
    failure,
  };
  recordResults(executedPath, results);
  return { lesson, executedPath, results };
}

function fixFor(fatalKind: string): string {
  const setup = 'run `npm run setup`, which installs Jupyter and registers the tslab kernel.';
  return fatalKind === 'kernel_start' ? `run the lesson again; if the kernel still does not start, ${setup}` : setup;
}

function describeCellFailure(event: Extract<ExecutorEvent, { event: 'cell_failed' }>, source: string, timeout: number): string {
  const firstLine = source.split('\n').find((l) => l.trim()) ?? '';
  const where = `code cell ${event.number} (\`${firstLine.trim().slice(0, 80)}\`)`;
  if (event.kind === 'timeout') return `${where} ran longer than ${timeout} s and was stopped.`;
  if (event.kind === 'kernel_died') return `the kernel died in ${where}: ${event.message}`;
  return `${where} failed:\n${withoutStack(event.message)}`;
}

/** Stores the results in the executed notebook's metadata, where the site and tests read them. */
function recordResults(executedPath: string, results: LessonResults): void {
  try {
    const notebook = readNotebook(executedPath);
    notebook.metadata.course = { ...notebook.metadata.course!, results };
    writeFileAtomic(executedPath, `${JSON.stringify(notebook, null, 1)}\n`);
  } catch {
    // The executor could not even write the notebook; the failure message says why.
  }
}
