/**
 * Grades one student notebook: runs the teacher's setup cells, the student's
 * exercises and the teacher's hidden checks in a fresh tslab kernel (its own
 * process), and turns what happened into points and reasons.
 *
 * A cell that hangs or kills the kernel is skipped and the notebook replayed
 * without it, so one broken exercise costs only the points that depend on it;
 * the whole notebook has a time limit, after which the checks not yet run score
 * zero. Students' code runs with the grader's rights: see the teacher's guide.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { executeNotebook, withoutStack } from '../executor';
import { REPO_ROOT } from '../jupyter.mjs';
import { findLesson, LessonFile, Notebook, readNotebook } from '../notebooks';
import { Cell, CheckMeta, checkMetaOf, exercisesStart, hasTag, sourceOf, TAG, toSourceLines } from './markers';

export interface GradeOptions {
  /** Seconds one cell may run (default: the lesson's own cell limit). */
  cellTimeoutSeconds?: number;
  /** Seconds the whole notebook may take, replays included. */
  timeLimitSeconds: number;
  /** Run every cell of the student's notebook, not just the setup and the exercises. */
  wholeNotebook?: boolean;
  /** Where the grading and executed notebooks of this submission go. */
  workDir: string;
  kernelName?: string;
  /** The executor's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface CheckResult extends CheckMeta {
  earned: number;
  /** Why points were lost (absent for full marks). */
  reason?: string;
}

export interface SubmissionGrade {
  student: string;
  file: string;
  lesson?: { number: number; slug: string };
  checks: CheckResult[];
  /** What happened to the notebook as a whole: failing cells, skipped cells, the time limit. */
  notes: string[];
  seconds: number;
  executedPath?: string;
}

/** Where a cell of the grading notebook came from. */
type StudentOrigin = { kind: 'student'; codeCell: number; firstLine: string };
type Origin = { kind: 'setup' } | StudentOrigin | { kind: 'check'; meta: CheckMeta };

type CellOutcome = { status: 'done' } | { status: 'failed' | 'timeout' | 'kernel_died'; message: string };

export async function gradeSubmission(file: string, student: string, options: GradeOptions): Promise<SubmissionGrade> {
  const started = performance.now();
  const grade: SubmissionGrade = { student, file, checks: [], notes: [], seconds: 0 };
  const finish = () => ({ ...grade, seconds: Math.round((performance.now() - started) / 100) / 10 });

  let submission: Notebook;
  try {
    submission = readNotebook(file);
    if (!Array.isArray(submission.cells)) throw new Error('it has no list of cells');
  } catch (error) {
    grade.notes.push(`not a readable notebook: ${firstLine(error)}`);
    const lesson = lessonFromName(file);
    if (lesson) grade.checks = zeroChecks(lesson, 'the notebook could not be read');
    grade.lesson = lesson && { number: lesson.number, slug: lesson.slug };
    return finish();
  }
  const lesson = lessonOf(submission, file);
  if (!lesson) {
    grade.notes.push('cannot tell which lesson this notebook is: its metadata has no course.lesson and its name does not start with a lesson number');
    return finish();
  }
  grade.lesson = { number: lesson.number, slug: lesson.slug };

  const { cells, origins, note } = gradingCells(readNotebook(lesson.path), submission, options.wholeNotebook ?? false);
  if (note) grade.notes.push(note);
  const cellTimeout = options.cellTimeoutSeconds ?? lesson.meta.cell_timeout_seconds ?? 600;

  linkCourseInto(options.workDir);
  const gradingPath = join(options.workDir, `${lesson.slug}.grading.ipynb`);
  const executedPath = join(options.workDir, `${lesson.slug}.executed.ipynb`);
  grade.executedPath = executedPath;

  // Cells skipped after hanging or killing the kernel, with what the check results should say about them.
  const skipped = new Map<number, CellOutcome>();
  let outcomes = new Map<number, CellOutcome>();
  const stoppedStudentCells: string[] = [];
  // Why checks that never ran did not run: said in each of their reasons, so a zero always explains itself.
  let notRunBecause: string | undefined;
  const overTime = () => (notRunBecause = `the notebook took longer than its time limit of ${options.timeLimitSeconds} s`);
  for (;;) {
    const remaining = options.timeLimitSeconds - (performance.now() - started) / 1000;
    if (remaining <= 1) {
      overTime();
      break;
    }
    writeFileSync(gradingPath, `${JSON.stringify(notebookOf(lesson, cells, skipped), null, 1)}\n`);
    outcomes = new Map();
    let fatal: string | undefined;
    const outcome = await executeNotebook(gradingPath, executedPath, {
      cellTimeoutSeconds: Math.min(cellTimeout, remaining),
      deadlineSeconds: remaining + 30,
      keepGoing: true,
      kernelName: options.kernelName,
      env: options.env,
      onEvent(event) {
        if (event.event === 'cell_done') outcomes.set(event.cell, { status: 'done' });
        if (event.event === 'cell_failed') {
          outcomes.set(event.cell, { status: event.kind === 'error' ? 'failed' : event.kind, message: event.message });
        }
        if (event.event === 'fatal') fatal = event.message;
      },
    });
    if (fatal) {
      grade.notes.push(`the kernel could not run the notebook: ${fatal}`);
      notRunBecause = `the kernel could not run the notebook (${fatal})`;
      break;
    }
    if (outcome.killedAtDeadline) {
      overTime();
      break;
    }
    const stopped = [...outcomes].find(([, o]) => o.status === 'timeout' || o.status === 'kernel_died');
    if (!stopped) {
      if (outcome.exitCode !== 0) {
        grade.notes.push(`the notebook executor stopped unexpectedly: ${outcome.stderr.split('\n').pop()}`);
        notRunBecause = 'the notebook executor stopped unexpectedly';
      }
      if (outcome.unreadableEvents > 0) {
        grade.notes.push(`${outcome.unreadableEvents} reports from the notebook executor arrived damaged; check this notebook's grades by hand`);
        notRunBecause = "the notebook executor's reports arrived damaged";
      }
      break;
    }
    const [index, result] = stopped;
    skipped.set(index, result);
    const origin = origins[index];
    const what = result.status === 'timeout' ? `ran longer than ${Math.round(Math.min(cellTimeout, remaining))} s` : 'stopped the kernel';
    if (origin.kind === 'student') stoppedStudentCells.push(`your code cell ${origin.codeCell} (\`${origin.firstLine}\`) ${what} and was skipped`);
    if (origin.kind === 'setup') grade.notes.push(`the lesson's setup cell ${what}`);
  }

  for (const [index, o] of outcomes) {
    if (origins[index].kind === 'setup' && o.status === 'failed') grade.notes.push(`the lesson's setup cell failed: ${reasonFrom(o.message)}`);
  }
  const studentFailures = [...outcomes]
    .filter(([index, o]) => origins[index].kind === 'student' && o.status === 'failed')
    .map(([index, o]) => describeStudentFailure(origins[index] as StudentOrigin, o.status === 'done' ? '' : o.message));
  studentFailures.unshift(...stoppedStudentCells);
  grade.notes.push(...studentFailures);

  origins.forEach((origin, index) => {
    if (origin.kind !== 'check') return;
    const result = skipped.get(index) ?? outcomes.get(index);
    grade.checks.push(scoreCheck(origin.meta, result, notRunBecause, studentFailures[0]));
  });
  return finish();
}

/** The notebook imports `./src/...` and the packages: link both next to it, wherever the work folder is. */
function linkCourseInto(workDir: string): void {
  mkdirSync(workDir, { recursive: true });
  for (const name of ['src', 'node_modules']) {
    rmSync(join(workDir, name), { force: true });
    symlinkSync(join(REPO_ROOT, name), join(workDir, name));
  }
}

function scoreCheck(meta: CheckMeta, result: CellOutcome | undefined, notRunBecause: string | undefined, studentFailure?: string): CheckResult {
  if (result?.status === 'done') return { ...meta, earned: meta.points };
  let reason: string;
  if (!result) reason = notRunBecause ? `not run: ${notRunBecause}` : 'not run';
  else if (result.status === 'timeout') reason = 'the check did not finish in time (does your code loop forever or train for too long?)';
  else if (result.status === 'kernel_died') reason = 'the kernel stopped during the check (does your code call process.exit?)';
  else {
    reason = reasonFrom(result.message);
    // A check that could not even call the student's code usually follows a student cell that failed: lead with that.
    const fromCheckHelpers = /^CheckFailed: /.test(result.message.trim());
    if (!fromCheckHelpers && studentFailure) reason = `${studentFailure} (so the check failed: ${reason})`;
  }
  return { ...meta, earned: 0, reason };
}

/** A failing student cell, in the words of the report; an untouched stub says so. */
function describeStudentFailure(origin: StudentOrigin, message: string): string {
  const cell = `your code cell ${origin.codeCell} (\`${origin.firstLine}\`)`;
  if (/^Exercise: /.test(message.trim())) return `${cell} is not done yet: ${reasonFrom(message)}`;
  return `${cell} failed: ${reasonFrom(message)}`;
}

/**
 * A failure message as a reason: no stack trace, no "CheckFailed:" label, and
 * TypeScript's "line:column - " positions (they point into the hidden check) removed.
 */
export function reasonFrom(message: string): string {
  const lines = withoutSourceExcerpt(withoutStack(message))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.replace(/^CheckFailed: /, '').replace(/^Exercise: /, ''));
  const diagnostics = lines.filter((line) => /^\d+:\d+ - /.test(line)).map((line) => line.replace(/^\d+:\d+ - /, ''));
  if (diagnostics.length > 0) return `the code does not compile: ${[...new Set(diagnostics)].slice(0, 2).join(' ')}`;
  return (lines[0] ?? 'failed without a message').slice(0, 300);
}

/**
 * Node prefixes an error thrown from evaluated code with the line that threw:
 * "file:line", the source line, a "^" marker and a blank line. The error itself follows.
 */
function withoutSourceExcerpt(message: string): string {
  const lines = message.split('\n');
  if (!/:\d+$/.test(lines[0] ?? '')) return message;
  const marker = lines.findIndex((line) => /^\s*\^+\s*$/.test(line));
  return marker > 0 ? lines.slice(marker + 1).join('\n') : message;
}

/** Setup cells from the teacher, then the student's exercises (or whole notebook), then the teacher's checks. */
function gradingCells(teacher: Notebook, submission: Notebook, wholeNotebook: boolean): { cells: Cell[]; origins: Origin[]; note?: string } {
  const cells: Cell[] = [];
  const origins: Origin[] = [];
  let note: string | undefined;

  const studentCode = submission.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.cell_type === 'code')
    .map(({ cell, index }, i) => ({ cell, index, codeCell: i + 1 }));
  // Checks come from the teacher's lesson, below; any in the submission (a teacher's own notebook) are left out.
  let fromStudent = studentCode.filter(({ cell }) => !hasTag(cell, TAG.check));
  if (!wholeNotebook) {
    for (const cell of teacher.cells.filter((c) => c.cell_type === 'code' && hasTag(c, TAG.setup))) {
      cells.push(cell);
      origins.push({ kind: 'setup' });
    }
    const start = exercisesStart(submission.cells);
    if (start >= 0) fromStudent = fromStudent.filter(({ index }) => index > start);
    else {
      note = 'no cell is tagged "exercises" (was the Exercises heading deleted?), so the whole notebook was run';
      fromStudent = fromStudent.filter(({ cell }) => !hasTag(cell, TAG.setup));
    }
  }
  for (const { cell, codeCell } of fromStudent) {
    const source = sourceOf(cell);
    cells.push({ cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null });
    const first = source.split('\n').find((line) => line.trim()) ?? '';
    const firstLine = first.trim();
    origins.push({ kind: 'student', codeCell, firstLine: firstLine.length > 50 ? `${firstLine.slice(0, 49)}…` : firstLine });
  }
  for (const cell of teacher.cells) {
    const meta = checkMetaOf(cell);
    if (!meta) continue;
    cells.push(cell);
    origins.push({ kind: 'check', meta });
  }
  return { cells, origins, note };
}

function notebookOf(lesson: LessonFile, cells: Cell[], skipped: Map<number, CellOutcome>): Notebook {
  const teacher = readNotebook(lesson.path);
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: teacher.metadata.kernelspec, language_info: teacher.metadata.language_info },
    cells: cells.map((cell, i) => ({
      cell_type: 'code',
      id: `grading-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source: skipped.has(i) ? `// skipped by the grader: this cell hung or stopped the kernel on an earlier run` : toSourceLines(sourceOf(cell)),
    })),
  };
}

function lessonOf(notebook: Notebook, file: string): LessonFile | undefined {
  const number = notebook.metadata?.course?.lesson;
  if (typeof number === 'number') {
    try {
      return findLesson(String(number));
    } catch {
      return undefined;
    }
  }
  return lessonFromName(file);
}

function lessonFromName(file: string): LessonFile | undefined {
  const match = /^(\d\d)-/.exec(basename(file));
  if (!match) return undefined;
  try {
    return findLesson(match[1]);
  } catch {
    return undefined;
  }
}

/** Every check of a lesson at zero, for a notebook that could not be run at all. */
function zeroChecks(lesson: LessonFile, reason: string): CheckResult[] {
  return readNotebook(lesson.path)
    .cells.map(checkMetaOf)
    .filter((meta): meta is CheckMeta => meta !== undefined)
    .map((meta) => ({ ...meta, earned: 0, reason }));
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
