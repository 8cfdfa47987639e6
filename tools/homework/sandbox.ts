/**
 * The sandbox a submission (or a judge) runs in: bubblewrap for the namespaces, a control group for
 * the memory and process limits, prlimit for CPU time and core dumps.
 *
 * Inside: /usr and a few files of /etc; the course's package.json, src/, node_modules/ and Jupyter
 * kernel spec, read-only, at their usual paths; a private tmpfs over the rest of the checkout and
 * /tmp (its files count against the memory limit); its own PID, network (loopback only), IPC and
 * UTS namespaces. Not inside: lessons/, the grades, other submissions, the teacher's files, the
 * network, and (for a student) the test sets' labels, which only the judge sees.
 *
 * bubblewrap runs as root, so it can show the checkout wherever it lives; the command inside then
 * runs as a user id of its own (`SANDBOX_UID_BASE` plus a slot number) with no capabilities and
 * `no_new_privs`. When the sandbox's first process ends, or the grader dies, the PID namespace and
 * everything in it go with it; the control group catches anything else.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHECKOUT_JUPYTER_DIR, findJupyterPython, KERNEL_NAME, REPO_ROOT } from '../jupyter.mjs';
import { installHint, SYSTEM_PARTS } from '../system-parts.mjs';
import { openCgroupRoot, type Cgroup, type CgroupRoot, type CgroupUsage } from './cgroup';
import { track } from './stoppable';
import { testLabelDecoys } from './test-label-decoys';

/** Sandboxed processes run as this user id plus twice their slot (plus one for a judge): ids no account uses. */
export const SANDBOX_UID_BASE = 1_900_000_000;
const CGROUP_PREFIX = 'course-grader-';

export interface SandboxLimits {
  memoryBytes: number;
  processes: number;
  cpuSeconds: number;
}

export type SandboxRole = 'student' | 'judge';

export interface SandboxRequest {
  role: SandboxRole;
  /** Which of the concurrent sandboxes this is (0, 1, ...): it picks the user id. */
  slot: number;
  limits: SandboxLimits;
  /** Files (or folders) the grader wrote, shown read-only inside at `to`. */
  files: Array<{ from: string; to: string }>;
  /** Folders made inside, writable by the sandbox (its files live in memory). */
  writableDirs: string[];
  symlinks?: Array<{ target: string; at: string }>;
  command: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface Sandbox {
  child: ChildProcessWithoutNullStreams;
  /** The control group's counters, now (or as they were when the sandbox was stopped). */
  usage(): CgroupUsage;
  /** Kills every process of the sandbox and removes its control group. */
  stop(): Promise<void>;
}

/** What each kind of sandbox sees of the checkout, read-only. */
const COURSE_PARTS: Record<SandboxRole, string[]> = {
  student: ['package.json', 'src', 'node_modules', 'build/jupyter', 'tools/execute_notebook.py'],
  judge: ['package.json', 'src', 'node_modules', 'tools/homework'],
};

/** /etc files the dynamic linker, Python and Node read (and Python's own folders); nothing else of /etc is shown. */
const ETC_FILES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime', 'nsswitch.conf', 'hosts', 'mime.types', 'ssl/openssl.cnf'];
const ETC_FOLDERS = /^python3(\.\d+)?$/;

function realPathOr(path: string, fallback: string): string {
  try {
    return realpathSync(path);
  } catch {
    return fallback;
  }
}

/** Why grading cannot be sandboxed here, with the fix, or undefined when it can. */
export interface SandboxProblem {
  problem: string;
  fix: string;
}

let availability: SandboxProblem | null | undefined;
let cgroups: CgroupRoot | undefined;


/** Checks, once, that bubblewrap, util-linux's setpriv and prlimit, root and control groups are all there. */
export function sandboxProblem(): SandboxProblem | undefined {
  if (availability !== undefined) return availability ?? undefined;
  availability = findProblem() ?? null;
  return availability ?? undefined;
}

function findProblem(): SandboxProblem | undefined {
  if (process.platform !== 'linux') return { problem: 'the grader\'s sandbox (bubblewrap) needs Linux', fix: 'grade on a Linux machine' };
  for (const [tool, fix] of [
    ['bwrap', `run \`npm run setup\` as root, or ${installHint(SYSTEM_PARTS.bubblewrap)}`],
    ['setpriv', 'install util-linux: `sudo apt-get install util-linux`'],
    ['prlimit', 'install util-linux: `sudo apt-get install util-linux`'],
  ]) {
    const probe = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (probe.error) return { problem: `${tool} is not installed`, fix };
  }
  const root = openCgroupRoot();
  if (typeof root === 'string') {
    return { problem: `the sandbox cannot set its limits: ${root}`, fix: 'grade as root (`sudo npm run homework -- grade …`), on a machine with cgroup v1 or v2' };
  }
  const smoke = spawnSync('bwrap', [...namespaceArgs(), ...systemArgs(), '--', '/bin/true'], { encoding: 'utf8' });
  if (smoke.status !== 0) {
    return {
      problem: `bubblewrap cannot make a sandbox here: ${(smoke.stderr || smoke.error?.message || `exit ${smoke.status}`).trim()}`,
      fix: 'grade on a machine (or a privileged container) where root may create namespaces',
    };
  }
  cgroups = root;
  root.removeStale(CGROUP_PREFIX);
  return undefined;
}

function namespaceArgs(): string[] {
  return [
    '--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try',
    '--die-with-parent', '--new-session', '--hostname', 'sandbox',
    // Enough to become the sandbox's user (setpriv below drops these too), nothing more.
    '--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP',
  ];
}

/** /usr, the top-level links into it (or the folders, where they are folders), /proc, /dev, /etc's few files. */
function systemArgs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let stat;
    try {
      stat = lstatSync(top);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else if (stat.isDirectory()) args.push('--ro-bind', top, top);
  }
  const pythonFolders = existsSync('/etc') ? readdirSync('/etc').filter((name) => ETC_FOLDERS.test(name)) : [];
  // Folders bubblewrap makes for a mount point on its own are private to root: make /etc's readable first.
  args.push('--perms', '0755', '--dir', '/etc', '--perms', '0755', '--dir', '/etc/ssl');
  for (const name of [...ETC_FILES, ...pythonFolders]) args.push('--ro-bind-try', join('/etc', name), join('/etc', name));
  args.push('--proc', '/proc', '--dev', '/dev');
  return args;
}

/** Python's and Node's own folders when they live outside /usr (a virtualenv, nvm). */
let outsideUsrCache: string[] | undefined;
function toolFoldersOutsideUsr(): string[] {
  if (outsideUsrCache) return outsideUsrCache;
  const folders = new Set<string>();
  const python = findJupyterPython();
  if (python) {
    const probe = spawnSync(python, ['-c', 'import sys, json; print(json.dumps([sys.executable, sys.prefix, *sys.path]))'], { encoding: 'utf8' });
    const paths = probe.status === 0 ? (JSON.parse(probe.stdout) as string[]) : [];
    for (const path of paths.filter(Boolean)) folders.add(existsSync(path) && lstatSync(path).isDirectory() ? path : dirname(path));
  }
  folders.add(dirname(dirname(realPathOr(process.execPath, process.execPath))));
  outsideUsrCache = [...folders]
    .map((f) => realPathOr(f, f))
    .filter((f) => existsSync(f) && !/^\/usr(\/|$)/.test(f) && f !== '/' && !f.startsWith(`${REPO_ROOT}/`))
    .filter((f, _, all) => !all.some((other) => other !== f && f.startsWith(`${other}/`)));
  return outsideUsrCache;
}

/** The course's own settings from the grader's environment (which backend, BLAS threads): the only variables passed in. */
export function courseSettings(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => /^COURSE_(BACKEND|NATIVE_BLAS|BLAS_THREADS)$/.test(entry[0]) && entry[1] !== undefined));
}

/** The absolute path of the Python that has Jupyter, as it is inside the sandbox too. */
export function sandboxPython(): string {
  const python = findJupyterPython();
  if (!python) throw new Error('Jupyter is not installed.');
  const probe = spawnSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return probe.stdout.trim() || python;
}

/** The files of the checkout that this checkout's kernel spec runs. */
function kernelFiles(): string[] {
  try {
    const spec = JSON.parse(readFileSync(join(CHECKOUT_JUPYTER_DIR, 'kernels', KERNEL_NAME, 'kernel.json'), 'utf8')) as { argv?: unknown[] };
    return (spec.argv ?? []).filter((arg): arg is string => typeof arg === 'string' && arg.startsWith(`${REPO_ROOT}/`) && existsSync(arg));
  } catch {
    return [];
  }
}

/**
 * The course's read-only view. A package linked from elsewhere in the checkout (the BLAS addon in
 * native/) is shown too, or it would not load.
 */
export function coursePaths(role: SandboxRole): string[] {
  const paths = COURSE_PARTS[role].map((part) => join(REPO_ROOT, part)).filter((path) => existsSync(path));
  // And whatever of the checkout the kernel's command line names (a preload in tools/, say).
  if (role === 'student') for (const path of kernelFiles()) if (!paths.some((p) => path === p || path.startsWith(`${p}/`))) paths.push(path);
  const modules = join(REPO_ROOT, 'node_modules');
  const entries = readdirSync(modules).flatMap((name) => (name.startsWith('@') ? readdirSync(join(modules, name)).map((sub) => join(name, sub)) : [name]));
  for (const entry of entries) {
    const path = join(modules, entry);
    if (!lstatSync(path).isSymbolicLink()) continue;
    const target = realPathOr(path, '');
    if (target.startsWith(`${REPO_ROOT}/`) && !target.startsWith(`${modules}/`) && !paths.includes(target)) paths.push(target);
  }
  return paths;
}

function bwrapArgs(request: SandboxRequest, uid: number): string[] {
  // Files live in memory: each tmpfs holds at most half the memory limit, so that filling one ends in
  // "no space left on device", not in the memory limit's kill.
  const tmpfsBytes = String(Math.floor(request.limits.memoryBytes / 2));
  const args = [...namespaceArgs(), ...systemArgs()];
  args.push('--perms', '1777', '--size', tmpfsBytes, '--tmpfs', '/tmp');
  const made = new Set(['/', '/tmp', REPO_ROOT]);
  // Folders bubblewrap makes for a mount point on its own are private to root: make them readable first.
  const parents = (path: string) => {
    const missing = [];
    for (let dir = dirname(path); !made.has(dir) && dir !== dirname(dir); dir = dirname(dir)) missing.unshift(dir);
    for (const dir of missing) {
      args.push('--perms', '0755', '--dir', dir);
      made.add(dir);
    }
  };
  for (const folder of toolFoldersOutsideUsr()) {
    parents(folder);
    args.push('--ro-bind', folder, folder);
  }
  args.push('--size', tmpfsBytes, '--tmpfs', REPO_ROOT);
  for (const dir of request.writableDirs) {
    parents(dir);
    args.push('--perms', '1777', '--dir', dir);
    made.add(dir);
  }
  for (const path of coursePaths(request.role)) {
    parents(path);
    args.push('--ro-bind', path, path);
  }
  if (request.role === 'student') for (const { from, to } of testLabelDecoys()) args.push('--ro-bind', from, to);
  for (const { from, to } of request.files) args.push('--ro-bind', from, to);
  for (const { target, at } of request.symlinks ?? []) args.push('--symlink', target, at);
  args.push('--clearenv');
  for (const [name, value] of Object.entries(request.env)) args.push('--setenv', name, value);
  args.push('--chdir', request.cwd, '--');
  args.push('setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--');
  return [...args, ...request.command];
}

// Enters the control group before anything else runs, so that every process of the sandbox is in it.
const ENTER_CGROUP = 'IFS="\n"; for f in $CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; exec "$@"';

let groupsMade = 0;

/** Starts a command in a sandbox; its stdin, stdout and stderr are pipes to the grader. */
export function startSandbox(request: SandboxRequest): Sandbox {
  const problem = sandboxProblem();
  if (problem) throw new Error(`${problem.problem}; ${problem.fix}`);
  const uid = SANDBOX_UID_BASE + 2 * request.slot + (request.role === 'judge' ? 1 : 0);
  const group: Cgroup = cgroups!.create(`${CGROUP_PREFIX}${process.pid}-${++groupsMade}`, request.limits);
  const cpu = Math.ceil(request.limits.cpuSeconds);
  const child = spawn('/bin/sh', ['-c', ENTER_CGROUP, 'sh', 'prlimit', '--core=0', `--cpu=${cpu}:${cpu + 5}`, '--', 'bwrap', ...bwrapArgs(request, uid)], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CGROUP_PROCS: group.procsFiles.join('\n') },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C reaches the grader, which stops its sandboxes in order.
    detached: true,
  });
  let finalUsage: CgroupUsage | undefined;
  let stopping: Promise<void> | undefined;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = () => {
    stopping ??= (async () => {
      // A sandbox whose command has ended closes itself at once (and its CPU time reaches the grader's); anything else is killed.
      if (child.stdout.readableEnded) await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
      killQuietly(child.pid);
      await group.killAll();
      finalUsage = group.usage();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
      group.remove();
      untrack();
    })();
    return stopping;
  };
  const untrack = track(stop);
  return { child, usage: () => finalUsage ?? group.usage(), stop };
}

function killQuietly(pid: number | undefined): void {
  try {
    if (pid) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
