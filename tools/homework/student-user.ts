/**
 * Grading without bubblewrap, as root (Gradescope, the course's grading containers): the student's
 * executor and kernel run as a user id of their own, with util-linux's setpriv (no groups, no
 * capabilities, no_new_privs) and prlimit (memory, CPU time, processes, no core dumps), in a private
 * folder of that user's. That user may not signal, trace or write anything of root's (the grader, the
 * judge, the grades); what it may read is kept to the course's public code by `hideTeacherFiles`.
 *
 * Without namespaces the machine's other files stay as readable as their modes make them, and /tmp
 * and the network are shared: that is the difference from the sandbox (docs/teachers.md).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '../jupyter.mjs';
import { coursePaths, SANDBOX_UID_BASE, type SandboxLimits } from './sandbox';

/**
 * User ids of unprivileged runs: below the sandbox's, one block of 64 per grader process (by pid), so
 * that graders running side by side (GNU parallel in a container) never share one; the block's last
 * id asks what a student can read.
 */
const STUDENT_UID_BASE = 1_600_000_000;
const RUNS_PER_GRADER = 64;
const used = new Set<number>();

/** Whether a grading without bubblewrap drops the student's rights: only root can. */
export function canDropToStudentUser(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/** What is missing for it, with the fix, or undefined. */
export function studentUserProblem(): string | undefined {
  for (const tool of ['setpriv', 'prlimit']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).error) return `${tool} is not installed; install util-linux: \`apt-get install util-linux\``;
  }
  return undefined;
}

/** The command line that runs `command` as `uid`, with the limits. */
export function asStudent(uid: number, limits: SandboxLimits, command: string[]): string[] {
  const cpu = Math.ceil(limits.cpuSeconds);
  return [
    'prlimit', '--core=0', `--cpu=${cpu}:${cpu + 5}`, `--nproc=${limits.processes}`,
    // Writable memory of each process (V8's reserved but untouched address space does not count, as it would with --as).
    `--data=${limits.memoryBytes}`, `--fsize=${Math.floor(limits.memoryBytes / 2)}`, '--',
    'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--',
    ...command,
  ];
}

export interface StudentFolder {
  uid: number;
  /** The folder the kernel runs in (owned by `uid`, mode 0700), with home/ and tmp/ inside. */
  dir: string;
  home: string;
  tmp: string;
  /** Copies a root-owned file in, read-only to the student (the notebook, the inputs once drawn). */
  give(from: string, name?: string): string;
  /** Kills every process of the user id, and removes the folder. */
  remove(): void;
}

/** A user id of its own and a private folder for one run. */
export function studentFolder(): StudentFolder {
  let slot = 0;
  while (used.has(slot)) slot++;
  if (slot >= RUNS_PER_GRADER - 1) throw new Error(`at most ${RUNS_PER_GRADER - 1} notebooks at a time are graded as their own user; pass a smaller --jobs`);
  used.add(slot);
  const uid = STUDENT_UID_BASE + process.pid * RUNS_PER_GRADER + slot;
  if (uid >= SANDBOX_UID_BASE) throw new Error(`the grader's process id ${process.pid} is too large to derive a user id from`);
  // Whatever this user id ran last time (a grader that died) goes first.
  killAllOf(uid);
  const dir = mkdtempSync(join(tmpdir(), 'course-student-'));
  const home = join(dir, 'home');
  const tmp = join(dir, 'tmp');
  for (const folder of [dir, home, tmp]) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chownSync(folder, uid, uid);
  }
  // The kernel imports ./src and the packages from its folder, as a lesson does.
  for (const name of ['src', 'node_modules']) symlinkSync(join(REPO_ROOT, name), join(dir, name));
  return {
    uid,
    dir,
    home,
    tmp,
    give(from, name = basename(from)) {
      const temp = join(dir, `.${name}.${process.pid}`);
      copyFileSync(from, temp);
      chmodSync(temp, 0o444);
      renameSync(temp, join(dir, name));
      return join(dir, name);
    },
    remove() {
      // A user id with a process left is not given to another run.
      if (killAllOf(uid)) used.delete(slot);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Kills every process of `uid`: `kill -1` run as that user reaches exactly its processes. They are
 * stopped first (a stopped process cannot fork), then killed; again until none is left, or a few
 * seconds have gone. Returns whether none is left.
 */
export function killAllOf(uid: number): boolean {
  for (let round = 0; round < 100 && livingProcessesOf(uid) > 0; round++) {
    spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', '/bin/sh', '-c', 'kill -STOP -1; kill -STOP -1; kill -KILL -1'], { stdio: 'ignore' });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return livingProcessesOf(uid) === 0;
}

/** How many processes of `uid` are alive (a zombie is not). */
function livingProcessesOf(uid: number): number {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && !/^State:\s+[ZX]/m.test(status)) count++;
    } catch {
      // gone while we looked
    }
  }
  return count;
}

/**
 * Takes "others" (every user but the owner and its group) off the checkout's files except the
 * sandbox's views (the student's: package.json, src, node_modules, the kernel spec, the executor; the
 * judge's: the grader's code, tools/homework), and off `private` (the grades folder, the submissions).
 * Modes only: the owner's access, and git, see no change. Returns what it changed.
 */
export function hideTeacherFiles(privatePaths: string[]): string[] {
  // The judge's view too: the sandbox, on a later run, shows its sandboxes what "others" may read.
  const visible = [...coursePaths('student'), ...coursePaths('judge')];
  const changed: string[] = [];
  const hide = (path: string) => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    // A link's own mode means nothing, and chmod would follow it.
    if (!stat || stat.isSymbolicLink() || (stat.mode & 0o077) === 0) return;
    chmodSync(path, stat.mode & 0o7700);
    changed.push(path);
  };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (visible.includes(path)) continue;
      if (visible.some((v) => v.startsWith(`${path}/`))) walk(path);
      else hide(path);
    }
  };
  walk(REPO_ROOT);
  for (const path of privatePaths) if (existsSync(path)) hide(path);
  return changed;
}

/** Whether `uid` can read `path` (asked as that user, so the answer is the kernel's own). */
export function readableBy(uid: number, path: string): boolean {
  return spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', 'test', '-r', path], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes the teacher's files private (`hideTeacherFiles`) and asks, as a student's user id, that the
 * course's code is readable and the lessons and `privatePaths` are not. Returns the problem, if any.
 */
export function prepareStudentView(privatePaths: string[], secrets: string[]): { hidden: string[]; problem?: string } {
  const hidden = hideTeacherFiles(privatePaths);
  const probe = STUDENT_UID_BASE + process.pid * RUNS_PER_GRADER + RUNS_PER_GRADER - 1;
  const needed = join(REPO_ROOT, 'package.json');
  if (!readableBy(probe, needed)) {
    return { hidden, problem: `a student's user id cannot read ${needed}: every folder above the checkout needs to be open to others (chmod o+x)` };
  }
  const exposed = [...secrets, ...privatePaths].filter((path) => readableBy(probe, path));
  if (exposed.length) return { hidden, problem: `a student's user id can still read ${exposed.join(', ')} (a file system that ignores file modes?)` };
  return { hidden };
}
