/**
 * Stopping everything a command started when the command is told to stop.
 *
 * The course's commands start process trees that a signal to the command does not reach: the notebook
 * executor (Python) runs in its own session, and Jupyter starts each kernel in a session of its own. So
 * a Ctrl+C, `timeout`'s SIGTERM or a CI runner's reaches the command alone, and npm passes on SIGTERM
 * and SIGINT to its script but not SIGHUP. A command that calls `stopOnSignals` ends, on SIGINT,
 * SIGTERM or SIGHUP or when its parent dies (npm killed under it), every child it tracks with all their
 * descendants, says so in one line, and exits with 128 + the signal's number.
 *
 *   const child = spawn(python, args, { detached: true });   // its own process group
 *   trackChild(child, 'the notebook executor');
 *   stopOnSignals('npm run lesson', { onStopped: () => writeReports() });
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

const tracked = new Map<ChildProcess, string>();

/** Tracks `child` (spawned with `detached: true`) until it exits; `what` names it in the stop message. */
export function trackChild(child: ChildProcess, what: string): void {
  if (child.pid === undefined) return;
  tracked.set(child, what);
  child.once('exit', () => tracked.delete(child));
}

/** Each running process's parent, from /proc (Linux); empty elsewhere. */
function parentsOfAll(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (command) state ppid …": the command may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(entry), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}

/** Every living descendant of `pid`, in sessions of their own included (a Jupyter kernel). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parentsOfAll()) children.set(parent, [...(children.get(parent) ?? []), child]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function alive(pids: number[]): number[] {
  const living = parentsOfAll();
  if (living.size === 0) return pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
  return pids.filter((pid) => living.has(pid));
}

/**
 * Ends `root` (a process group leader) and all its descendants: SIGTERM to root's group, so that root can
 * end what it started in its own way (the executor kills its kernel at once), then, after `graceMs`,
 * SIGKILL for everything still running. Returns the pids it ended.
 */
export async function stopTree(root: number, graceMs = 3000): Promise<number[]> {
  const pids = [root, ...descendants(root)]; // now: once root dies its children move to init
  signal(-root, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pids).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of alive(pids)) signal(pid, 'SIGKILL');
  signal(-root, 'SIGKILL');
  return pids;
}

/** Ends every tracked child with its descendants; returns what each was and how many processes ended. */
export async function stopTrackedChildren(): Promise<Array<{ what: string; processes: number }>> {
  const running = [...tracked].filter(([child]) => child.exitCode === null && child.signalCode === null);
  return Promise.all(running.map(async ([child, what]) => ({ what, processes: (await stopTree(child.pid!)).length })));
}

let installed = false;
let stopping = false;

/** True once a stop has begun: the command is about to exit, and what its children report no longer counts. */
export function stopRequested(): boolean {
  return stopping;
}

/** Waits for the exit a stop ends with; awaited where a killed child's results would otherwise be reported. */
export function untilStopped(): Promise<never> {
  return new Promise(() => {});
}

/**
 * On SIGINT, SIGTERM or SIGHUP, or when the parent process dies: ends every tracked child and its
 * descendants, then runs `onStopped` (e.g. to write what was done so far), prints one line and exits.
 */
export function stopOnSignals(command: string, options: { onStopped?: (reason: string) => void | Promise<void> } = {}): void {
  if (installed) return;
  installed = true;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return; // a second signal (npm passes Ctrl+C on too): the first stop is under way
    stopping = true;
    const ended = await stopTrackedChildren();
    await options.onStopped?.(reason);
    const processes = ended.reduce((sum, e) => sum + e.processes, 0);
    const what = ended.length ? `ended ${ended.map((e) => e.what).join(' and ')} (${processes} process${processes === 1 ? '' : 'es'})` : 'nothing else was running';
    process.stderr.write(`\n${command} stopped (${reason}): ${what}.\n`);
    process.exit(exitCode);
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => void stop(name, 128 + constants.signals[name]));
  }
  // npm does not pass SIGHUP on: it dies and leaves its script running under init.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('its parent process ended', 128 + constants.signals.SIGHUP);
  }, 500).unref();
}
