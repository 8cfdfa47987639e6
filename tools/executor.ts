/**
 * Starts tools/execute_notebook.py (nbclient driving a Jupyter kernel) and
 * hands its events, one JSON object per line, to the caller. The lesson runner
 * and the homework grader both execute notebooks through this.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { findJupyterPython, jupyterEnv, JUPYTER_INSTALL_HINT, KERNEL_NAME, kernelIsRegistered, REPO_ROOT } from './jupyter.mjs';
import { stopRequested, stopTree, trackChild, untilStopped } from './stop-on-signals';

/** What tools/execute_notebook.py reports. */
export type ExecutorEvent =
  | { event: 'kernel_ready'; code_cells: number; kernel_pid: number | null }
  | { event: 'cell_start'; cell: number; number: number; source: string }
  | { event: 'cell_done'; cell: number; number: number; seconds: number }
  /** `aborted`: the kernel replied "abort" (or any status but ok and error): the cell did not run. */
  | { event: 'cell_failed'; cell: number; number: number; kind: 'error' | 'aborted' | 'timeout' | 'kernel_died'; message: string }
  | { event: 'output'; cell: number; type: string; content: OutputContent }
  | { event: 'fatal'; kind: string; message: string }
  /** Sent before the kernel shuts down: its peak resident memory (null where /proc cannot tell). */
  | { event: 'kernel_memory'; peak_rss_mib: number | null }
  | { event: 'written'; path: string }
  /** Instead of `written` when the output path is "-": the executed notebook itself. */
  | { event: 'notebook'; notebook: unknown };

export interface OutputContent {
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  transient?: { display_id?: string };
}

export class SetupError extends Error {}

export interface ExecuteOptions {
  cellTimeoutSeconds: number;
  /** Report a failing cell and go on (the grader); by default the first failure stops the run (lessons). */
  keepGoing?: boolean;
  kernelName?: string;
  env?: NodeJS.ProcessEnv;
  /** Stop the whole run after this many seconds, kernel included. */
  deadlineSeconds?: number;
  onEvent(event: ExecutorEvent): void;
}

export interface ExecuteOutcome {
  exitCode: number;
  /** The executor's own stderr (Python tracebacks), for when it stops unexpectedly. */
  stderr: string;
  /** True when `deadlineSeconds` passed and the run was killed. */
  killedAtDeadline: boolean;
  /** Lines that began as one of our events but were not valid JSON: events lost, results incomplete. */
  unreadableEvents: number;
}

/** Throws a SetupError naming the fix when Jupyter or this checkout's tslab kernel is missing. */
export function requireJupyter(): string {
  const python = findJupyterPython();
  if (!python) throw new SetupError(`Jupyter is not installed, so notebooks cannot run.\n  Fix: run \`npm run setup\`, or ${JUPYTER_INSTALL_HINT}`);
  if (!kernelIsRegistered(python)) {
    throw new SetupError(`Jupyter has no tslab kernel for this checkout.\n  Fix: run \`npm run setup\` (it registers node_modules/.bin/tslab).`);
  }
  return python;
}

/** Executes `notebookPath` and writes the executed copy to `outputPath`, reporting events as they come. */
export async function executeNotebook(notebookPath: string, outputPath: string, options: ExecuteOptions): Promise<ExecuteOutcome> {
  const python = requireJupyter();
  const args = [
    join(REPO_ROOT, 'tools', 'execute_notebook.py'),
    notebookPath,
    outputPath,
    `--kernel=${options.kernelName ?? KERNEL_NAME}`,
    `--timeout=${Math.max(1, Math.round(options.cellTimeoutSeconds))}`,
    ...(options.keepGoing ? ['--keep-going'] : []),
  ];
  // In a session of its own, so that only the command decides when it stops (tools/stop-on-signals.ts): a
  // terminal's Ctrl+C must not kill it half-way, leaving its kernel (in a session of its own) running.
  const child = spawn(python, args, { cwd: REPO_ROOT, env: jupyterEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(child, 'the notebook executor with its kernel');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  let killedAtDeadline = false;
  const deadline =
    options.deadlineSeconds === undefined
      ? undefined
      : setTimeout(() => {
          killedAtDeadline = true;
          void stopTree(child.pid!, 0);
        }, options.deadlineSeconds * 1000);

  let unreadableEvents = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    let event: ExecutorEvent;
    try {
      event = JSON.parse(line) as ExecutorEvent;
    } catch {
      if (line.startsWith('{"event"')) unreadableEvents++; // ours, damaged: never lose one silently
      continue; // otherwise a stray print from a library
    }
    if (!stopRequested()) options.onEvent(event);
  }
  const exitCode: number = await new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('close', (code) => resolve(code ?? 1));
  });
  if (deadline) clearTimeout(deadline);
  if (stopRequested()) await untilStopped(); // killed by the command's stop: its results mean nothing
  return { exitCode, stderr: stderr.trim(), killedAtDeadline, unreadableEvents };
}

/** An error message without its stack trace. */
export function withoutStack(message: string): string {
  const lines = message.split('\n');
  const stackStart = lines.findIndex((line) => /^\s+at /.test(line));
  return (stackStart > 0 ? lines.slice(0, stackStart) : lines).join('\n').trim();
}
