// `npm run homework -- build`: student notebooks in build/homework/.
// `npm run homework -- grade <notebooks or folders>`: grade submissions, write build/grades/{grades.csv,summary.md,grades.json,gradebook.csv,feedback/}.
// `npm run homework -- report <grades.json files or folders>`: the same reports from grades graded elsewhere (containers, machines).
// `npm run homework -- gradescope <lesson...|all>`: an autograder bundle for Gradescope (./gradescope/bundle.ts).
import { availableParallelism } from 'node:os';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../jupyter.mjs';
import { requireJupyter, SetupError } from '../executor';
import { listLessons } from '../notebooks';
import { buildHomework, HOMEWORK_DIR } from './build';
import { formatBytes } from './event-stream';
import { gradeSubmission } from './grade';
import { writeClassReports } from './class-reports';
import { writeGradescopeBundle } from './gradescope/bundle';
import { checkSubmissions, withoutDuplicates, type CheckedSubmission } from './intake';
import { readRoster, type RosterStudent } from './roster';
import { earlierGrades, gradingKey, type KeyedGrade } from './rerun';
import { oneLine, reportPaths, total } from './report';
import { sandboxProblem, type SandboxLimits } from './sandbox';
import { stopEverything } from './stoppable';
import { canDropToStudentUser, prepareStudentView, studentUserProblem } from './student-user';
import { findSubmissions, UsageError, type Submission } from './submissions';
import { removeTestLabelDecoys } from './test-label-decoys';

const usage = `usage:
  npm run homework -- build [--out <folder>]
  npm run homework -- grade <notebooks or folders>... [--out <folder>] [--jobs <n>] [--roster <students.csv>]
                            [--student <name>] [--time-limit <seconds per notebook>] [--cell-timeout <seconds>] [--whole-notebook]
                            [--memory <size, e.g. 3G>] [--processes <n>] [--cpu-time <seconds>] [--no-sandbox]
  npm run homework -- report <grades.json files or folders>... [--out <folder>] [--roster <students.csv>]
  npm run homework -- gradescope <lesson...|all> [--out <folder>] [--visibility <after_published|after_due_date|visible|hidden>]

A folder is searched for .ipynb files; in a folder of folders (submissions/<student>/<lesson>.ipynb)
the first folder name is the student, otherwise the file name is. Each notebook runs in a sandbox
(bubblewrap, as root) with the limits above; docs/teachers.md says what a submission can and cannot do.
--jobs defaults to the number of cores. --roster (a CSV with a "student" column, and optionally "name")
gives every listed student a row and flags the files of students it does not list. --student names the
one student all the notebooks belong to.`;

const DEFAULT_TIME_LIMIT_SECONDS = 900;
/** Sized for lesson 5's exercise, which trains a model: see docs/teachers.md for what it uses. */
const DEFAULT_LIMITS: SandboxLimits = { memoryBytes: 2 * 2 ** 30, processes: 128, cpuSeconds: 900 };
const GRADES_DIR = join(REPO_ROOT, 'build', 'grades');
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, not "${value}".`);
  return n;
}

/** "3G", "3GiB", "2048M", "2048" (MiB) → bytes. */
function memorySize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(G|GiB|GB|M|MiB|MB)?$/i.exec(value.trim());
  if (!match || !(Number(match[1]) > 0)) throw new UsageError(`--memory must be a size such as 3G or 2048M, not "${value}".`);
  return Math.round(Number(match[1]) * (/^g/i.test(match[2] ?? 'M') ? 2 ** 30 : 2 ** 20));
}

/** Runs `work` on every item, at most `jobs` at a time, each worker with its own slot number; stops taking items once `stopped()`. */
async function pool<T>(items: T[], jobs: number, stopped: () => boolean, work: (item: T, index: number, slot: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (slot: number) => {
    while (next < items.length && !stopped()) {
      const index = next++;
      await work(items[index], index, slot);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, (_, slot) => worker(slot)));
}

/** A grade for a notebook not (or not yet) graded: one row that says why. */
function placeholder({ file, student }: Submission, why: string): KeyedGrade {
  return { student, file, checks: [], notes: [why], seconds: 0, complete: false };
}

function rosterOption(values: Record<string, string | boolean | undefined>): RosterStudent[] | undefined {
  return typeof values.roster === 'string' ? readRoster(values.roster) : undefined;
}

/** The flags of intake (./intake.ts) in the notebook's notes, once. */
function withFlags(grade: KeyedGrade, { flags }: CheckedSubmission): KeyedGrade {
  const notes = [...grade.notes, ...flags.filter((f) => !grade.notes.includes(f))];
  return { ...grade, notes };
}

function printFlags(submissions: CheckedSubmission[]): void {
  const flagged = submissions.flatMap((s) => [...(s.notGraded ? [`not graded: ${s.notGraded}`] : []), ...s.flags].map((f) => `  ${oneLine(s.student)} (${oneLine(basename(s.file))}): ${oneLine(f)}`));
  if (flagged.length) console.log(`Flagged (also in the notes of the summary):\n${flagged.join('\n')}`);
}

/** The submission's folder under the work folder: readable, unique, never outside it. */
function workFolderName({ file, student }: Submission): string {
  const readable = `${student}-${basename(file).replace(/\.ipynb$/, '')}`.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_').slice(0, 60);
  return `${readable}-${createHash('sha256').update(`${student}\0${file}`).digest('hex').slice(0, 8)}`;
}

async function grade(paths: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  if (paths.length === 0) throw new UsageError('grade needs at least one notebook or folder.');
  const roster = rosterOption(values);
  requireJupyter();
  const sandboxed = !values['no-sandbox'];
  if (sandboxed) {
    const problem = sandboxProblem();
    if (problem) {
      throw new SetupError(
        `Grading runs each submission in a sandbox, and there is none here: ${problem.problem}.\n  Fix: ${problem.fix}.\n` +
          '  Or pass --no-sandbox to grade without one: as root, each submission then runs as a user id of its own; otherwise it runs with your rights ' +
          '(it can read your files, the lessons\' solutions and checks among them, and forge its own grade: only on a throwaway account).',
      );
    }
  }
  // --student: every notebook is that one student's (a Gradescope submission, ./gradescope/run.ts).
  const found = findSubmissions(paths).map((s) => (typeof values.student === 'string' ? { ...s, student: values.student } : s));
  if (found.length === 0) throw new UsageError(`no .ipynb files under ${paths.join(', ')}.`);
  // Paths the teacher named are taken as given; inside a folder, no link is followed.
  const named = new Set(paths.map((p) => resolve(p)));
  const submissions = checkSubmissions(found, { roster, named });
  const outDir = resolve(String(values.out ?? GRADES_DIR));
  mkdirSync(outDir, { recursive: true });
  // As root without the sandbox, each submission runs as a user id of its own (./student-user.ts).
  const studentUser = !sandboxed && canDropToStudentUser();
  if (studentUser) {
    const problem = studentUserProblem() ?? prepareStudentView([outDir, ...named], listLessons().map((l) => l.path)).problem;
    if (problem) throw new SetupError(`Grading as root without the sandbox runs each submission as a user id of its own, and cannot here: ${problem}.`);
  }
  const jobs = Math.floor(positiveNumber('jobs', values.jobs as string | undefined) ?? availableParallelism());
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit'] as string | undefined) ?? DEFAULT_TIME_LIMIT_SECONDS;
  const cellTimeoutSeconds = positiveNumber('cell-timeout', values['cell-timeout'] as string | undefined);
  const limits: SandboxLimits = {
    memoryBytes: memorySize(values.memory as string | undefined) ?? DEFAULT_LIMITS.memoryBytes,
    processes: Math.floor(positiveNumber('processes', values.processes as string | undefined) ?? DEFAULT_LIMITS.processes),
    cpuSeconds: positiveNumber('cpu-time', values['cpu-time'] as string | undefined) ?? DEFAULT_LIMITS.cpuSeconds,
  };
  const wholeNotebook = Boolean(values['whole-notebook']);
  const settings = { sandboxed, studentUser, limits: sandboxed || studentUser ? limits : null, timeLimitSeconds, cellTimeoutSeconds, wholeNotebook };

  console.log(
    `Grading ${submissions.length} notebook(s), ${jobs} at a time, at most ${timeLimitSeconds} s each, ` +
      (sandboxed
        ? `each in a sandbox with ${formatBytes(limits.memoryBytes)} of memory, ${limits.processes} processes and ${limits.cpuSeconds} s of CPU time.`
        : studentUser
          ? `WITHOUT the sandbox (--no-sandbox), each as a user id of its own with ${formatBytes(limits.memoryBytes)} of memory a process, ${limits.processes} processes and ${limits.cpuSeconds} s of CPU time a process; the course's other files, the submissions and ${outDir} are closed to others (chmod go-rwx).`
          : 'WITHOUT a sandbox (--no-sandbox): submissions run with your rights and no limits, and can read the lessons\' solutions and checks and forge their own grades.'),
  );

  const earlier = earlierGrades(reportPaths(outDir).json);
  const keys = submissions.map((s) => gradingKey({ file: s.file, student: s.student, followLinks: named.has(s.file), settings }));
  const results: KeyedGrade[] = submissions.map((s) => placeholder(s, 'not graded yet: the run stopped before this notebook'));
  let interrupted: string | undefined;
  const save = () => writeClassReports(outDir, results, roster);
  printFlags(submissions);
  save();

  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = signal;
    void (async () => {
      await stopEverything();
      results.forEach((r, i) => {
        if (!r.complete && r.notes[0]?.startsWith('not graded yet')) results[i] = placeholder(submissions[i], `not graded: the grading run was interrupted (${signal})`);
      });
      const done = results.filter((r) => r.checks.length > 0).length;
      save();
      removeTestLabelDecoys();
      console.error(`\nInterrupted by ${signal}: stopped every sandbox; the grades of ${done} of ${submissions.length} notebooks are in ${outDir}.`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    })();
  };
  for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.on(signal, onSignal);

  let reused = 0;
  await pool(submissions, jobs, () => interrupted !== undefined, async (submission, index, slot) => {
    const { file, student, problem } = submission;
    const key = keys[index];
    const before = earlier.get(key);
    let result: KeyedGrade;
    if (before && before.student === student && before.file === file) {
      result = before;
      reused++;
    } else {
      result = await gradeSubmission(file, student, {
        workDir: join(outDir, 'work', workFolderName(submission)),
        timeLimitSeconds,
        cellTimeoutSeconds,
        wholeNotebook,
        sandbox: sandboxed ? { slot, limits } : undefined,
        studentUser: studentUser ? limits : undefined,
        followLinks: named.has(file),
        problem,
        notGraded: submission.notGraded ? { why: submission.notGraded, lesson: submission.lesson } : undefined,
      });
    }
    if (interrupted) return; // a run cut short by the signal is not a grade
    result = withFlags(result, submission);
    results[index] = { ...result, key };
    save();
    const { earned, max } = total(result);
    const notes = result.notes.length ? ` (${result.notes.length} note(s))` : '';
    console.log(`  ${oneLine(student)}: ${result.lesson?.slug ?? '?'} ${earned}/${max} (${result === before ? 'unchanged since the last run' : `${result.seconds} s`})${notes}`);
  });
  if (interrupted) return new Promise<number>(() => undefined); // the signal handler exits
  removeTestLabelDecoys();
  const written = save();
  console.log(`${reused ? `${reused} notebook(s) were unchanged since the last run and kept their grades. ` : ''}${wroteLine(written)}`);
  return 0;
}

function wroteLine(written: ReturnType<typeof writeClassReports>): string {
  return `Wrote ${written.csv}, ${written.summary}, ${written.json}, ${written.gradebook} and the feedback files in ${written.feedback}.`;
}

/** The grades.json files under the paths (a folder's own, or those of the folders in it). */
function gradeFiles(paths: string[]): string[] {
  return paths.flatMap((given) => {
    const path = resolve(given);
    if (!existsSync(path)) throw new UsageError(`${given} does not exist.`);
    if (statSync(path).isFile()) return [path];
    const own = join(path, 'grades.json');
    if (existsSync(own)) return [own];
    const parts = readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(path, e.name));
    // A job that died before writing its grades would otherwise read as "no submission".
    for (const part of parts.filter((p) => !existsSync(join(p, 'grades.json')))) console.error(`${part} has no grades.json: its notebook was not graded (see the log there) and is missing from the reports.`);
    return parts.filter((p) => existsSync(join(p, 'grades.json'))).map((p) => join(p, 'grades.json'));
  });
}

/** The reports of grades graded elsewhere (one container or machine per notebook), put together. */
function report(paths: string[], values: Record<string, string | boolean | undefined>): number {
  const roster = rosterOption(values);
  const files = gradeFiles(paths);
  if (files.length === 0) throw new UsageError(`no grades.json under ${paths.join(', ')}: give the --out folders of grading runs.`);
  const grades = files.flatMap((file) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`${file} is not the grades.json of a grading run (${(error as Error).message}): grade that notebook again.`);
    }
    if (!Array.isArray(parsed)) throw new UsageError(`${file} is not the grades.json of a grading run (it holds no list of grades).`);
    return (parsed as KeyedGrade[]).filter((g) => g.file !== ''); // rows of missing notebooks are the roster's to make
  });
  const enrolled = roster && new Set(roster.map((s) => s.id));
  const flagged = withoutDuplicates(grades).map((g) => (enrolled && !enrolled.has(g.student) ? withFlags(g, { file: g.file, student: g.student, flags: [`"${g.student}" is not on the roster: is the folder (or file) named after the student's id?`] }) : g));
  const outDir = resolve(String(values.out ?? GRADES_DIR));
  mkdirSync(outDir, { recursive: true });
  console.log(`${wroteLine(writeClassReports(outDir, flagged, roster))} (${grades.length} notebook(s) from ${files.length} file(s))`);
  return 0;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      jobs: { type: 'string' },
      roster: { type: 'string' },
      student: { type: 'string' },
      visibility: { type: 'string' },
      'time-limit': { type: 'string' },
      'cell-timeout': { type: 'string' },
      'whole-notebook': { type: 'boolean' },
      memory: { type: 'string' },
      processes: { type: 'string' },
      'cpu-time': { type: 'string' },
      'no-sandbox': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (command === 'build') {
    const written = buildHomework(values.out ? resolve(values.out) : HOMEWORK_DIR);
    console.log(`Wrote ${written.length} student notebooks:\n${written.map((p) => `  ${relative(process.cwd(), p)}`).join('\n')}`);
    return 0;
  }
  if (command === 'grade') return grade(rest, values);
  if (command === 'report') return report(rest, values);
  if (command === 'gradescope') {
    const written = writeGradescopeBundle(rest, { out: values.out ? resolve(values.out) : undefined, visibility: values.visibility });
    console.log(`Wrote ${written.zip} (lessons ${written.lessons.join(', ')}): upload it as the assignment's autograder; docs/teachers.md says how.`);
    return 0;
  }
  throw new UsageError(command ? `unknown command "${command}".` : 'say build, grade, report or gradescope.');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      process.exit(2);
    }
    console.error(error instanceof SetupError || error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

