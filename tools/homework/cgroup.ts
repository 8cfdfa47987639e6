/**
 * Control groups for the grader's sandboxes: one per sandbox run, with a memory and a process
 * limit that cover every process of the run together (a file written to the sandbox's tmpfs
 * counts as memory too), and the counters that say afterwards which limit stopped it.
 *
 * Works on cgroup v1 (a hierarchy per controller, memory and pids needed, cpuacct used when
 * mounted) and v2 (one unified hierarchy). A new group is made inside the grader's own group where
 * the kernel allows it, so that limits set around the grader still hold for its sandboxes.
 * Creating groups needs root; without it `openCgroupRoot` says why.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Limits {
  memoryBytes: number;
  processes: number;
}

export interface CgroupUsage {
  /** Times the kernel killed a process because the group reached its memory limit. */
  oomKills: number;
  /** Times a fork failed because the group reached its process limit. */
  processLimitHits: number;
  /** CPU time of every process the group ever held, in seconds (undefined where the kernel keeps no count). */
  cpuSeconds?: number;
  /** The most memory the group used, in bytes (undefined where the kernel keeps no peak). */
  peakMemoryBytes?: number;
}

/** One sandbox run's group. */
export interface Cgroup {
  /** The `cgroup.procs` files a process writes its pid to, to enter the group (one per v1 hierarchy). */
  procsFiles: string[];
  usage(): CgroupUsage;
  /** Every process in the group, now. */
  pids(): number[];
  /** SIGKILLs every process in the group, repeatedly until it is empty (or `timeoutMs` passed). */
  killAll(timeoutMs?: number): Promise<boolean>;
  /** Removes the (empty) group; false if a process is still inside. */
  remove(): boolean;
}

export interface CgroupRoot {
  version: 1 | 2;
  /** Where new groups are made, for messages. */
  where: string;
  create(name: string, limits: Limits): Cgroup;
  /** Removes empty groups a killed grader left behind. */
  removeStale(prefix: string): void;
}

interface Mount {
  root: string;
  point: string;
  fstype: string;
  options: string[];
}

function readMounts(): Mount[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [left, right] = line.split(' - ');
      const fields = left.split(' ');
      const [fstype, , superOptions] = right.split(' ');
      return { root: unescape(fields[3]), point: unescape(fields[4]), fstype, options: superOptions.split(',') };
    });
}

/** mountinfo writes spaces and other special bytes in paths as octal escapes. */
function unescape(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The grader's own group in each hierarchy: "memory" → "/a/b", "" (v2) → "/c". */
function ownGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const [, controllers, path] = line.split(/:(.*?):/);
    for (const controller of controllers.split(',')) groups.set(controller, path);
  }
  return groups;
}

/** The folder of `groupPath` under a mount whose root may itself be a group (inside containers). */
function folderOf(mount: Mount, groupPath: string): string {
  const relative = mount.root !== '/' && groupPath.startsWith(mount.root) ? groupPath.slice(mount.root.length) : groupPath;
  return join(mount.point, relative);
}

const read = (file: string) => readFileSync(file, 'utf8');
const counter = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
const tryRead = (file: string): string | undefined => {
  try {
    return read(file);
  } catch {
    return undefined;
  }
};

/** A place to make groups, or a sentence saying why there is none. */
export function openCgroupRoot(): CgroupRoot | string {
  if (process.getuid?.() !== 0) return 'making control groups (for the memory and process limits) needs root';
  let mounts: Mount[];
  try {
    mounts = readMounts();
  } catch (error) {
    return `cannot read /proc/self/mountinfo (${(error as Error).message})`;
  }
  const own = ownGroups();
  const unified = mounts.find((m) => m.fstype === 'cgroup2');
  const v1 = (controller: string) => mounts.find((m) => m.fstype === 'cgroup' && m.options.includes(controller));
  const [memory, pids] = [v1('memory'), v1('pids')];
  if (memory && pids) return cgroupV1(memory, pids, v1('cpuacct'), own);
  if (unified) return cgroupV2(unified, own.get('') ?? '/');
  return 'this kernel has no memory and pids control groups mounted (cgroup v1 or v2)';
}

function cgroupV1(memory: Mount, pids: Mount, cpuacct: Mount | undefined, own: Map<string, string>): CgroupRoot {
  const parents = [memory, pids, ...(cpuacct ? [cpuacct] : [])].map((mount) =>
    folderOf(mount, own.get(mount.options.find((o) => ['memory', 'pids', 'cpuacct'].includes(o))!) ?? '/'),
  );
  const [memoryParent, pidsParent, cpuParent] = parents;
  return {
    version: 1,
    where: parents.join(', '),
    create(name, limits) {
      const [memoryDir, pidsDir, cpuDir] = parents.map((parent) => join(parent, name));
      for (const dir of [memoryDir, pidsDir, cpuDir].filter(Boolean)) mkdirSync(dir);
      writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // With swap accounting, the limit must cover memory plus swap, or the group swaps instead of stopping.
      if (existsSync(join(memoryDir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(memoryDir, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      writeFileSync(join(pidsDir, 'pids.max'), String(limits.processes));
      const dirs = [memoryDir, pidsDir, cpuDir].filter(Boolean);
      return group(dirs, () => {
        const cpu = cpuDir ? tryRead(join(cpuDir, 'cpuacct.usage')) : undefined;
        return {
          oomKills: counter(read(join(memoryDir, 'memory.oom_control')), 'oom_kill'),
          processLimitHits: counter(tryRead(join(pidsDir, 'pids.events')) ?? '', 'max'),
          cpuSeconds: cpu === undefined ? undefined : Number(cpu) / 1e9,
          peakMemoryBytes: Number(read(join(memoryDir, 'memory.max_usage_in_bytes'))),
        };
      });
    },
    removeStale(prefix) {
      for (const parent of [memoryParent, pidsParent, cpuParent].filter(Boolean)) removeEmptyChildren(parent, prefix);
    },
  };
}

function cgroupV2(mount: Mount, ownPath: string): CgroupRoot | string {
  // A v2 group with processes cannot have children with controllers ("no internal processes"), so the
  // sandboxes' groups go next to the grader's own, under the nearest ancestor that hands memory and
  // pids down. Every group above still limits them.
  let parentPath = ownPath === '/' ? '/' : ownPath.replace(/\/[^/]*$/, '') || '/';
  for (;;) {
    const dir = folderOf(mount, parentPath);
    const delegated = (tryRead(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/);
    if (delegated.includes('memory') && delegated.includes('pids')) return v2At(dir);
    if (parentPath === '/') break;
    parentPath = parentPath.replace(/\/[^/]*$/, '') || '/';
  }
  return 'no control group above the grader hands down the memory and pids controllers (cgroup v2)';
}

function v2At(parent: string): CgroupRoot {
  return {
    version: 2,
    where: parent,
    create(name, limits) {
      const dir = join(parent, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      writeFileSync(join(dir, 'pids.max'), String(limits.processes));
      return group([dir], () => {
        const peak = tryRead(join(dir, 'memory.peak'));
        return {
          oomKills: counter(read(join(dir, 'memory.events')), 'oom_kill'),
          processLimitHits: counter(read(join(dir, 'pids.events')), 'max'),
          cpuSeconds: counter(read(join(dir, 'cpu.stat')), 'usage_usec') / 1e6,
          peakMemoryBytes: peak === undefined ? undefined : Number(peak),
        };
      });
    },
    removeStale(prefix) {
      removeEmptyChildren(parent, prefix);
    },
  };
}

function group(dirs: string[], usage: () => CgroupUsage): Cgroup {
  const pids = () => [...new Set(dirs.flatMap((dir) => (tryRead(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number)))];
  return {
    procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
    usage,
    pids,
    async killAll(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const alive = pids();
        if (alive.length === 0) return true;
        if (Date.now() > until) return false;
        // v2 can kill the whole group at once, forks in flight included; elsewhere, kill what is there, again.
        const killFile = join(dirs[0], 'cgroup.kill');
        if (existsSync(killFile)) writeFileSync(killFile, '1');
        else for (const pid of alive) killQuietly(pid);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    remove() {
      let removed = true;
      for (const dir of dirs) {
        try {
          rmdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') removed = false;
        }
      }
      return removed;
    },
  };
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

function removeEmptyChildren(parent: string, prefix: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (owner && existsSync(`/proc/${owner}`)) continue; // a grader still running
    try {
      rmdirSync(join(parent, name));
    } catch {
      // not empty: its processes are still being killed, or someone else's
    }
  }
}
