// A lesson stopped half-way, the way `timeout`, a CI runner or a closed terminal stop it (a signal to npm
// alone), leaves nothing running: not the runner, not the notebook executor, not the Jupyter kernel.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { descendants } from '../tools/stop-on-signals';

interface Run {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

/**
 * `npm run lesson -- 4` in a process group of its own, as `timeout` starts its command; on its own seed,
 * but given explicitly, so that anything it writes goes to build/seeds/, not where npm test's run of the
 * lesson goes.
 */
function startLesson(): Run {
  const npm = spawn('npm', ['run', 'lesson', '--', '4', '--seed', '4'], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  return { npm, output: () => output, exited };
}

async function waitFor(condition: () => boolean, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function running(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

describe.concurrent('npm run lesson stopped by a signal to npm', () => {
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal}: everything it started ends within seconds, and it says so in one line`, async () => {
      const run = startLesson();
      let started: number[] = [];
      try {
        // The second cell starts once the kernel is up and has run the first.
        await waitFor(() => run.output().includes('[2/'), 120, `lesson 4's second cell\n${run.output()}`);
        started = descendants(run.npm.pid!);
        const cmdlines = started.map(commandLine);
        expect(cmdlines.some((c) => c.includes('tools/lesson.ts'))).toBe(true);
        expect(cmdlines.some((c) => c.includes('execute_notebook.py'))).toBe(true);
        expect(cmdlines.some((c) => c.includes('tslab kernel'))).toBe(true);

        process.kill(run.npm.pid!, signal);
        await waitFor(() => running(started).length === 0, 20, `the run's processes to end: ${running(started).join(', ')}`);
        await run.exited;
        const reason = signal === 'SIGHUP' ? /stopped \((SIGHUP|its parent process ended)\)/ : new RegExp(`stopped \\(${signal}\\)`);
        const lines = run.output().trim().split('\n').filter((line) => line.includes('npm run lesson stopped'));
        expect(lines, run.output()).toHaveLength(1);
        expect(lines[0]).toMatch(reason);
        expect(lines[0]).toMatch(/ended the notebook executor with its kernel \(\d+ processes\)\.$/);
        expect(run.output()).not.toMatch(/FAILED lesson|PASSED lesson/);
      } finally {
        for (const pid of [run.npm.pid!, ...started]) {
          try {
            process.kill(pid, 'SIGKILL'); // whatever a failed test left behind
          } catch {
            // gone, as it should be
          }
        }
      }
    }, 180_000);
  }
});
