/**
 * The grader's side of the judge (./judge.ts): starts it in a sandbox of its own (or, with
 * --no-sandbox, as a plain process), hands it the lesson's check cells, collects the hidden inputs,
 * and later hands it the answers and collects the verdicts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../jupyter.mjs';
import { courseSettings, startSandbox, type Sandbox, type SandboxLimits } from './sandbox';
import { track } from './stoppable';

export type JudgedCheck = { cell: number; id: string; inputs: unknown } | { cell: number; broken: string };

export interface Verdict {
  passed: boolean;
  reason?: string;
}

export interface Judge {
  /** Each check cell's id and hidden inputs, in the lesson's order, or why the teacher's check does not load. */
  checks: JudgedCheck[];
  /** Judges the answers (by check id); a check missing from the result was not judged. */
  verdicts(answers: Record<string, unknown>): Promise<Map<string, Verdict>>;
  stop(): Promise<void>;
}

/** The judge could not do its work (it crashed or took too long): the grader's problem, not the student's. */
export class JudgeFailed extends Error {}

export interface JudgeOptions {
  sandbox?: { slot: number; limits: SandboxLimits };
  /** Seconds each phase (inputs, verdicts) may take. */
  timeoutSeconds: number;
}

const JUDGE_FOLDER = join(REPO_ROOT, 'judge');

export async function startJudge(checkCells: Array<{ cell: number; source: string }>, options: JudgeOptions): Promise<Judge> {
  const started = launch(options);
  const { child } = started;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
  const events = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = (what: string) => {
    const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    const error = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1);
    return new JudgeFailed(error ? `${what}: ${error.slice(0, 300)}` : what);
  };

  /** Reads events until `until` says stop, within the time limit. */
  const readUntil = async (until: string, onEvent: (event: Record<string, unknown>) => void) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(failed(`the judge took longer than ${options.timeoutSeconds} s`)), options.timeoutSeconds * 1000);
    });
    try {
      for (;;) {
        const next = await Promise.race([events.next(), timeout]);
        if (next.done) throw failed('the judge stopped before it finished');
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(next.value) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (event.event === until) return;
        onEvent(event);
      }
    } finally {
      clearTimeout(timer);
    }
  };

  const stop = () => started.stop();
  try {
    child.stdin.write(`${JSON.stringify({ folder: started.folder, checks: checkCells })}\n`);
    const checks: JudgedCheck[] = [];
    await readUntil('ready', (event) => {
      if (event.event === 'inputs') checks.push({ cell: Number(event.cell), id: String(event.id), inputs: event.inputs });
      if (event.event === 'broken') checks.push({ cell: Number(event.cell), broken: String(event.message) });
    });
    return {
      checks,
      stop,
      async verdicts(answers) {
        const verdicts = new Map<string, Verdict>();
        try {
          child.stdin.write(`${JSON.stringify({ answers })}\n`);
          await readUntil('done', (event) => {
            if (event.event === 'verdict') verdicts.set(String(event.id), { passed: event.passed === true, reason: typeof event.reason === 'string' ? event.reason : undefined });
          });
        } finally {
          await stop();
        }
        return verdicts;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Launched {
  child: ChildProcessWithoutNullStreams;
  /** Where the judge writes the check cells, with a `src` link next to them. */
  folder: string;
  stop(): Promise<void>;
}

function launch(options: JudgeOptions): Launched {
  const command = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'tools', 'homework', 'judge.ts')];
  if (options.sandbox) {
    const sandbox: Sandbox = startSandbox({
      role: 'judge',
      slot: options.sandbox.slot,
      limits: options.sandbox.limits,
      files: [],
      writableDirs: [JUDGE_FOLDER, join(REPO_ROOT, 'build')],
      symlinks: [{ target: '../src', at: join(JUDGE_FOLDER, 'src') }],
      command,
      env: { PATH: `${join(process.execPath, '..')}:/usr/bin:/bin`, HOME: '/tmp', LANG: 'C.UTF-8', ...courseSettings() },
      cwd: REPO_ROOT,
    });
    return { child: sandbox.child, folder: JUDGE_FOLDER, stop: () => sandbox.stop() };
  }
  // Without a sandbox the judge still runs apart from the student's kernel, in a folder of its own.
  const folder = mkdtempSync(join(REPO_ROOT, 'build', 'judge-'));
  symlinkSync(join(REPO_ROOT, 'src'), join(folder, 'src'));
  const child = spawn(command[0], command.slice(1), { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
    }
    rmSync(folder, { recursive: true, force: true });
    untrack();
  };
  const untrack = track(stop);
  return { child, folder, stop };
}
