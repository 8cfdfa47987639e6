/**
 * Runs one lesson headless through the real tslab kernel (via tools/execute_notebook.py),
 * narrates it on the terminal, and checks the metrics it records against the
 * thresholds in its metadata. The executed notebook, with the results added to
 * its metadata, goes to build/lessons/ whether the run passed or not.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LESSON_INFO_MIME, METRIC_MIME } from '../src/lesson';
import { findJupyterPython, JUPYTER_INSTALL_HINT, KERNEL_NAME, kernelIsRegistered, QUIET_PYTHON_ENV, REPO_ROOT } from './jupyter.mjs';
import { checkThresholds, EXECUTED_DIR, LessonFile, LessonResults, readNotebook } from './notebooks';

export const DEFAULT_CELL_TIMEOUT_SECONDS = 600;

/** What tools/execute_notebook.py reports, one JSON object per line. */
type ExecutorEvent =
  | { event: 'kernel_ready'; code_cells: number }
  | { event: 'cell_start'; cell: number; number: number; source: string }
  | { event: 'cell_done'; cell: number; number: number; seconds: number }
  | { event: 'cell_failed'; cell: number; number: number; kind: 'error' | 'timeout' | 'kernel_died'; message: string }
  | { event: 'output'; cell: number; type: string; content: OutputContent }
  | { event: 'fatal'; kind: string; message: string }
  | { event: 'written'; path: string };

interface OutputContent {
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  transient?: { display_id?: string };
}

/** Receives the run as it happens; the terminal reporter prints it. */
export interface RunObserver {
  event(event: ExecutorEvent): void;
}

export interface LessonRun {
  lesson: LessonFile;
  executedPath: string;
  results: LessonResults;
}

export class SetupError extends Error {}

export function executedPathOf(lesson: LessonFile, executedDir = EXECUTED_DIR): string {
  return join(executedDir, `${lesson.slug}.ipynb`);
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
  const python = findJupyterPython();
  if (!python) throw new SetupError(`Jupyter is not installed, so lessons cannot run.\n  Fix: run \`npm run setup\`, or ${JUPYTER_INSTALL_HINT}`);
  if (!kernelIsRegistered(python)) {
    throw new SetupError(`Jupyter has no tslab kernel for this checkout.\n  Fix: run \`npm run setup\` (it registers node_modules/.bin/tslab).`);
  }
  const timeout = options.cellTimeoutSeconds ?? lesson.meta.cell_timeout_seconds ?? DEFAULT_CELL_TIMEOUT_SECONDS;
  const executedPath = executedPathOf(lesson, options.executedDir);
  mkdirSync(dirname(executedPath), { recursive: true });

  const metrics: Record<string, number> = {};
  let backend: string | undefined;
  let failure: string | undefined;
  const started = performance.now();

  const child = spawn(
    python,
    [join(REPO_ROOT, 'tools', 'execute_notebook.py'), lesson.path, executedPath, `--kernel=${options.kernelName ?? KERNEL_NAME}`, `--timeout=${timeout}`],
    { cwd: REPO_ROOT, env: { ...QUIET_PYTHON_ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let executorStderr = '';
  child.stderr.on('data', (chunk: Buffer) => (executorStderr += chunk.toString()));
  let sources: Record<number, string> = {};

  for await (const line of createInterface({ input: child.stdout })) {
    let event: ExecutorEvent;
    try {
      event = JSON.parse(line) as ExecutorEvent;
    } catch {
      continue; // a stray print from a library, not one of ours
    }
    options.observer?.event(event);
    if (event.event === 'cell_start') sources = { ...sources, [event.cell]: event.source };
    if (event.event === 'output' && event.content.data) {
      const metric = event.content.data[METRIC_MIME] as { name: string; value: number | string } | undefined;
      if (metric) metrics[metric.name] = Number(metric.value);
      const info = event.content.data[LESSON_INFO_MIME] as { backend?: string } | undefined;
      if (info?.backend) backend = info.backend;
    }
    if (event.event === 'cell_failed') failure = describeCellFailure(event, sources[event.cell] ?? '', timeout);
    if (event.event === 'fatal') failure = `The kernel could not run the lesson: ${event.message}\n  Fix: run \`npm run setup\`, which installs Jupyter and registers the tslab kernel.`;
  }
  const exitCode: number = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  if (exitCode !== 0 && !failure) failure = `The notebook executor stopped unexpectedly (exit ${exitCode}).\n${executorStderr.trim()}`;

  const checks = checkThresholds(lesson.meta.thresholds, metrics);
  const results: LessonResults = {
    passed: !failure && checks.every((c) => c.passed),
    backend,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    finished_at: new Date().toISOString(),
    metrics,
    checks,
    failure,
  };
  recordResults(executedPath, results);
  return { lesson, executedPath, results };
}

function describeCellFailure(event: Extract<ExecutorEvent, { event: 'cell_failed' }>, source: string, timeout: number): string {
  const firstLine = source.split('\n').find((l) => l.trim()) ?? '';
  const where = `code cell ${event.number} (\`${firstLine.trim().slice(0, 80)}\`)`;
  if (event.kind === 'timeout') return `${where} ran longer than ${timeout} s and was stopped.`;
  if (event.kind === 'kernel_died') return `the kernel died in ${where}: ${event.message}`;
  return `${where} failed:\n${withoutStack(event.message)}`;
}

/** The error without its stack trace (the terminal and the executed notebook keep the full text). */
function withoutStack(message: string): string {
  const lines = message.split('\n');
  const stackStart = lines.findIndex((line) => /^\s+at /.test(line));
  return (stackStart > 0 ? lines.slice(0, stackStart) : lines).join('\n').trim();
}

/** Stores the results in the executed notebook's metadata, where the site and tests read them. */
function recordResults(executedPath: string, results: LessonResults): void {
  try {
    const notebook = readNotebook(executedPath);
    notebook.metadata.course = { ...notebook.metadata.course!, results };
    writeFileSync(executedPath, `${JSON.stringify(notebook, null, 1)}\n`);
  } catch {
    // The executor could not even write the notebook; the failure message says why.
  }
}
