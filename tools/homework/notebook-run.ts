/**
 * One run of a grading notebook: tools/execute_notebook.py and the tslab kernel, in the student's
 * sandbox (or, with --no-sandbox, as plain processes: as root, of a user id of their own), watched from outside.
 *
 * Everything that comes out of the sandbox is the student's to forge: a process in there can write
 * into the executor's output. So the events only say what the submission did and what it answered;
 * they never pass a check (the judge does that). What this side enforces does not depend on them
 * being honest: the output is capped, a cell that runs past its limit is stopped by this side's own
 * clock, the whole run has a deadline, and the control group's counters say which limit was hit.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ANSWER_MIME, GRADING_INPUTS_ENV } from '../../src/homework/grading';
import type { ExecutorEvent } from '../executor';
import { jupyterEnv, KERNEL_NAME, REPO_ROOT } from '../jupyter.mjs';
import type { CgroupUsage } from './cgroup';
import { formatBytes, readEvents } from './event-stream';
import { courseSettings, sandboxPython, startSandbox, type Sandbox, type SandboxLimits } from './sandbox';
import { track } from './stoppable';
import { asStudent, studentFolder } from './student-user';

/** How long past its own limit a cell may run before this side stops the run (the executor should have). */
const CELL_GRACE_SECONDS = 30;

export type StopKind = 'timeout' | 'kernel_died' | 'memory' | 'cpu' | 'processes' | 'output' | 'deadline' | 'ended';

export type CellOutcome =
  | { status: 'done' }
  | { status: 'failed' | 'aborted'; message: string }
  | { status: 'stopped'; kind: StopKind; message: string };

export interface RunRequest {
  /** The grading notebook, and the folder where the grader writes inputs.json (while the run starts). */
  notebookPath: string;
  inputsDir: string;
  cellTimeoutSeconds: number;
  /** Wall-clock seconds for the whole run. */
  deadlineSeconds: number;
  /** The sandbox's slot and limits; undefined runs the notebook without a sandbox (--no-sandbox). */
  sandbox?: { slot: number; limits: SandboxLimits };
  /** Without a sandbox, as root: the limits of the user id of its own the notebook then runs as (./student-user.ts). */
  studentUser?: SandboxLimits;
  /** Without a sandbox: the kernel and the executor's environment (tests use kernels of their own). */
  kernelName?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  outcomes: Map<number, CellOutcome>;
  /** Answers found in the output, with the cell that printed each. */
  answers: Array<{ cell: number; reply: unknown }>;
  /** The executed notebook, as the executor sent it. */
  notebook?: unknown;
  /** What stopped the run before the executor finished, and in which cell. */
  stopped?: { cell?: number; kind: StopKind; message: string };
  /** The kernel could not run the notebook at all. */
  fatal?: string;
  /** Whether the executor got as far as a kernel (false: the sandbox or the executor did not start). */
  started: boolean;
  damagedEvents: number;
  stderr: string;
  usage?: CgroupUsage;
}

/** The file in `inputsDir` that holds every check's hidden inputs, by id. */
export const INPUTS_FILE = 'inputs.json';

/** The grading notebook's folder inside the sandbox (the kernel runs there; `./src` links to the course's). */
export const SANDBOX_WORK_DIR = join(REPO_ROOT, 'grading');

export async function runGradingNotebook(request: RunRequest): Promise<RunResult> {
  const result: RunResult = { outcomes: new Map(), answers: [], damagedEvents: 0, stderr: '', started: false };
  const launched = launch(request);
  const { child } = launched;

  let current: number | undefined;
  let finished = false;
  const stop = (kind: StopKind, message: string, cell = current) => {
    if (finished || result.stopped) return;
    result.stopped = { cell, kind, message };
    launched.kill();
  };
  const deadline = setTimeout(() => stop('deadline', `the notebook ran past its time limit`), request.deadlineSeconds * 1000);
  let cellTimer: NodeJS.Timeout | undefined;
  const limits = request.sandbox?.limits;
  const poll = limits
    ? setInterval(() => {
        const usage = launched.usage?.();
        if (usage?.cpuSeconds !== undefined && usage.cpuSeconds > limits.cpuSeconds) stop('cpu', `used more than the ${limits.cpuSeconds} s CPU-time limit`);
        if (usage?.processLimitHits) stop('processes', `tried to run more than the ${limits.processes} processes and threads the sandbox allows`);
      }, 500)
    : undefined;

  const onEvent = (event: ExecutorEvent) => {
    switch (event.event) {
      case 'kernel_ready':
        result.started = true;
        if (typeof event.kernel_pid === 'number') launched.onKernelReady?.(event.kernel_pid);
        break;
      case 'cell_start':
        current = event.cell;
        clearTimeout(cellTimer);
        cellTimer = setTimeout(() => stop('timeout', `ran longer than ${request.cellTimeoutSeconds} s`), (request.cellTimeoutSeconds + CELL_GRACE_SECONDS) * 1000);
        break;
      case 'cell_done':
        clearTimeout(cellTimer);
        result.outcomes.set(event.cell, { status: 'done' });
        break;
      case 'cell_failed':
        clearTimeout(cellTimer);
        if (event.kind === 'error' || event.kind === 'aborted') result.outcomes.set(event.cell, { status: event.kind === 'error' ? 'failed' : 'aborted', message: String(event.message) });
        else if (event.kind === 'timeout') stopCell(event.cell, 'timeout', `ran longer than ${request.cellTimeoutSeconds} s`);
        else stopCell(event.cell, 'kernel_died', 'stopped the kernel');
        break;
      case 'output': {
        const reply = event.content?.data?.[ANSWER_MIME];
        if (reply !== undefined) result.answers.push({ cell: event.cell, reply });
        break;
      }
      case 'fatal':
        result.started = true;
        result.fatal = String(event.message);
        break;
      case 'notebook':
        result.notebook = event.notebook;
        break;
    }
  };
  const stopCell = (cell: number, kind: StopKind, message: string) => {
    result.outcomes.set(cell, { status: 'stopped', kind, message });
    if (!result.stopped) result.stopped = { cell, kind, message };
  };

  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-16_384)));
  // A process the executor left behind may still hold its output open: once the executor has gone, stop reading.
  child.once('exit', () => setTimeout(() => child.stdout.destroy(), 2000).unref());
  await readEvents(child, onEvent, (what) => stop('output', what), () => result.damagedEvents++);
  finished = true;
  clearTimeout(deadline);
  clearTimeout(cellTimer);
  clearInterval(poll);
  await launched.finish();
  result.usage = launched.usage?.();
  result.stderr = stderr.trim();

  // The counters of the control group say what the kernel's death, or the executor's, came from.
  const running = result.stopped?.cell ?? current;
  const ended = running !== undefined && !result.outcomes.has(running);
  if (limits && result.usage?.oomKills) {
    const died = [...result.outcomes].find(([, o]) => o.status === 'stopped' && o.kind === 'kernel_died')?.[0];
    const cell = died ?? (ended ? running : undefined);
    const message = `used more than the ${formatBytes(limits.memoryBytes)} memory limit`;
    if (cell !== undefined) {
      result.outcomes.set(cell, { status: 'stopped', kind: 'memory', message });
      result.stopped = { cell, kind: 'memory', message };
    }
  } else if (ended && !result.stopped && !result.notebook) {
    result.stopped = { cell: running, kind: 'ended', message: 'stopped the notebook run' };
  }
  if (result.stopped?.cell !== undefined && !result.outcomes.has(result.stopped.cell)) {
    result.outcomes.set(result.stopped.cell, { status: 'stopped', kind: result.stopped.kind, message: result.stopped.message });
  }
  return result;
}

interface Launched {
  child: ChildProcessWithoutNullStreams;
  usage?: () => CgroupUsage;
  kill(): void;
  /** Without a sandbox: the kernel's pid, as the executor reports it. */
  onKernelReady?(pid: number): void;
  /** Makes sure nothing of the run is left (the sandbox's whole group, or the kernel). */
  finish(): Promise<void>;
}

function launch(request: RunRequest): Launched {
  const slug = basename(request.notebookPath);
  if (request.sandbox) {
    const inside = { notebook: join(SANDBOX_WORK_DIR, slug), inputs: join(SANDBOX_WORK_DIR, 'inputs') };
    const sandbox: Sandbox = startSandbox({
      role: 'student',
      slot: request.sandbox.slot,
      limits: request.sandbox.limits,
      files: [
        { from: request.notebookPath, to: inside.notebook },
        { from: request.inputsDir, to: inside.inputs },
      ],
      writableDirs: [SANDBOX_WORK_DIR, join(REPO_ROOT, 'build')],
      symlinks: [{ target: '../src', at: join(SANDBOX_WORK_DIR, 'src') }],
      // Under a shell that waits for it: the executor takes a parent of pid 1 (which the sandbox's init is) for one that died.
      command: ['/bin/sh', '-c', '"$@"; exit $?', 'sh', sandboxPython(), join(REPO_ROOT, 'tools', 'execute_notebook.py'), inside.notebook, '-', `--kernel=${KERNEL_NAME}`, `--timeout=${Math.max(1, Math.round(request.cellTimeoutSeconds))}`, '--keep-going'],
      env: sandboxEnv(join(inside.inputs, INPUTS_FILE)),
      cwd: SANDBOX_WORK_DIR,
    });
    return { child: sandbox.child, usage: () => sandbox.usage(), kill: () => void sandbox.stop(), finish: () => sandbox.stop() };
  }
  if (request.studentUser) return launchAsStudent(request, request.studentUser);
  // Without a sandbox the kernel runs next to the grading notebook, which imports ./src and the packages from there.
  const folder = dirname(request.notebookPath);
  for (const name of ['src', 'node_modules']) {
    rmSync(join(folder, name), { force: true });
    symlinkSync(join(REPO_ROOT, name), join(folder, name));
  }
  const child = spawn(sandboxPython(), executorArgs(request, request.notebookPath), {
    cwd: dirname(request.notebookPath),
    env: { ...jupyterEnv(request.env), [GRADING_INPUTS_ENV]: join(request.inputsDir, INPUTS_FILE) },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  return watchPlainRun(child);
}

function executorArgs(request: RunRequest, notebook: string): string[] {
  return [join(REPO_ROOT, 'tools', 'execute_notebook.py'), notebook, '-', `--kernel=${request.kernelName ?? KERNEL_NAME}`, `--timeout=${Math.max(1, Math.round(request.cellTimeoutSeconds))}`, '--keep-going'];
}

/**
 * As root without a sandbox: the executor and the kernel run as a user id of their own, in a folder
 * of that user's with a copy of the notebook; the inputs are copied in once the judge has drawn them.
 */
function launchAsStudent(request: RunRequest, limits: SandboxLimits): Launched {
  const student = studentFolder();
  const notebook = student.give(request.notebookPath);
  const inputsFile = join(request.inputsDir, INPUTS_FILE);
  const inputsInside = join(student.dir, INPUTS_FILE);
  const copyInputs = setInterval(() => {
    if (!existsSync(inputsFile)) return;
    clearInterval(copyInputs);
    student.give(inputsFile);
  }, 100);
  const env = {
    ...sandboxEnv(inputsInside),
    HOME: student.home,
    TMPDIR: student.tmp,
    JUPYTER_PATH: jupyterEnv(request.env).JUPYTER_PATH,
    JUPYTER_RUNTIME_DIR: join(student.home, 'jupyter-runtime'),
    JUPYTER_CONFIG_DIR: join(student.home, 'jupyter-config'),
    JUPYTER_DATA_DIR: join(student.home, 'jupyter-data'),
  };
  const [command, ...args] = asStudent(student.uid, limits, [sandboxPython(), ...executorArgs(request, notebook)]);
  const child = spawn(command, args, { cwd: student.dir, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const launched = watchPlainRun(child);
  const remove = async () => {
    clearInterval(copyInputs);
    student.remove();
  };
  // Stopped by a signal or at the end of the run, the user id's processes and folder go.
  const untrack = track(remove);
  return {
    ...launched,
    async finish() {
      await launched.finish();
      await remove();
      untrack();
    },
  };
}

/** Stops a run of plain processes: the executor's process group and the kernel (which has a session of its own). */
function watchPlainRun(child: ChildProcessWithoutNullStreams): Launched {
  let kernel: number | undefined;
  const kill = () => {
    for (const pid of [kernel, child.pid, child.pid ? -child.pid : undefined]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  const finish = async () => {
    kill();
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    untrack();
  };
  const untrack = track(finish);
  return {
    child,
    kill,
    // The kernel runs in a session of its own; a pid is taken for it only if this executor is its parent.
    onKernelReady(pid) {
      if (child.pid && parentOf(pid) === child.pid) kernel = pid;
    },
    finish,
  };
}

function parentOf(pid: number): number | undefined {
  try {
    return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

/** The environment inside the sandbox: nothing of the grader's but the course's own settings. */
function sandboxEnv(inputsFile: string): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: '/tmp',
    USER: 'student',
    LOGNAME: 'student',
    LANG: 'C.UTF-8',
    JUPYTER_PATH: join(REPO_ROOT, 'build', 'jupyter'),
    JUPYTER_RUNTIME_DIR: '/tmp/jupyter-runtime',
    JUPYTER_CONFIG_DIR: '/tmp/jupyter-config',
    JUPYTER_DATA_DIR: '/tmp/jupyter-data',
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    [GRADING_INPUTS_ENV]: inputsFile,
    ...courseSettings(),
  };
}
