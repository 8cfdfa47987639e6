/**
 * Grades one student notebook.
 *
 * The judge (a process of its own, ./judge.ts) draws each check's hidden inputs while the student's
 * notebook starts in its sandbox (./notebook-run.ts): the lesson's setup cell (the teacher's
 * copy), the student's cells, then the teacher's probes, which call the student's code on those
 * inputs and print what it returned. The answers go to the judge, which passes or fails each check
 * with the teacher's reference. Nothing the student's process says is a verdict: a missing, late,
 * malformed or duplicated answer fails its check, with the reason.
 *
 * A cell that hangs, kills the kernel or hits a limit is skipped and the notebook replayed without
 * it, so one broken exercise costs only the points that depend on it; the whole notebook has a time
 * limit, after which the checks not yet answered score zero.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write';
import { describeFailure } from '../../src/homework/checks';
import { findLesson, LessonFile, Notebook, readNotebook } from '../notebooks';
import { checkCellsOf, gradingCells, notebookOf, type Origin, type StudentOrigin } from './grading-notebook';
import { JudgeFailed, startJudge, type JudgedCheck, type Verdict } from './judge-client';
import { Cell, CheckMeta } from './markers';
import { INPUTS_FILE, runGradingNotebook, type CellOutcome, type RunResult } from './notebook-run';
import { describeStudentFailure, reasonFrom } from './reasons';
import type { SandboxLimits } from './sandbox';
import { stoppingEverything } from './stoppable';
import { NotebookProblem, readSubmission } from './submissions';

export interface GradeOptions {
  /** Seconds one cell may run (default: the lesson's own cell limit). */
  cellTimeoutSeconds?: number;
  /** Seconds the whole notebook may take, replays included. */
  timeLimitSeconds: number;
  /** Run every cell of the student's notebook, not just the setup and the exercises. */
  wholeNotebook?: boolean;
  /** Where the grading notebook, the inputs and the executed notebook of this submission go. */
  workDir: string;
  /** The sandbox's slot and limits; undefined grades without a sandbox (--no-sandbox). */
  sandbox?: { slot: number; limits: SandboxLimits };
  /** Without a sandbox, as root: the limits of the user id of its own the notebook runs as. */
  studentUser?: SandboxLimits;
  /** Without a sandbox: the kernel and the executor's environment (tests use kernels of their own). */
  kernelName?: string;
  env?: NodeJS.ProcessEnv;
  /** Follow a link at the end of the submission's path (for a path the teacher named). */
  followLinks?: boolean;
  /** Why the notebook cannot be graded at all, found before reading it (a link, a device). */
  problem?: string;
  /** Why the grader will not grade this notebook (a duplicate, a lesson mismatch): the rest of "this notebook …". */
  notGraded?: { why: string; lesson?: LessonFile };
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
  /** What happened to the notebook as a whole: failing cells, skipped cells, limits, the time limit. */
  notes: string[];
  seconds: number;
  executedPath?: string;
  /** What the last run of the notebook used, from its control group (sandboxed runs only). */
  usage?: { peak_memory_mib?: number; cpu_seconds?: number };
  /** False when the grader, not the submission, kept a check from being judged: a rerun grades it again. */
  complete: boolean;
}

const JUDGE_SECONDS = 300;

export async function gradeSubmission(file: string, student: string, options: GradeOptions): Promise<SubmissionGrade> {
  const started = performance.now();
  const grade: SubmissionGrade = { student, file, checks: [], notes: [], seconds: 0, complete: true };
  const finish = () => ({ ...grade, seconds: Math.round((performance.now() - started) / 100) / 10 });
  try {
    await gradeInto(grade, file, options, started);
  } catch (error) {
    // Whatever went wrong stays with this notebook: it scores zero, says why, and is graded again next run.
    grade.complete = false;
    grade.notes.push(`the grader could not grade this notebook: ${describeFailure(error)}`);
    for (const check of grade.checks) if (check.earned === 0 && !check.reason) check.reason = 'not graded: the grader failed (see the notes)';
  }
  return finish();
}

async function gradeInto(grade: SubmissionGrade, file: string, options: GradeOptions, started: number): Promise<void> {
  if (options.notGraded) {
    const { why, lesson } = options.notGraded;
    grade.notes.push(`not graded: this notebook ${why}`);
    grade.complete = false; // a rerun looks again: the other notebook may be gone
    if (lesson) grade.checks = checkCellsOf(readNotebook(lesson.path)).map(({ meta }) => ({ ...meta, earned: 0, reason: `not graded: this notebook ${why}` }));
    grade.lesson = lesson && { number: lesson.number, slug: lesson.slug };
    return;
  }
  let submission: Notebook;
  try {
    if (options.problem) throw new NotebookProblem(`it ${options.problem}`);
    submission = readSubmission(file, options.followLinks);
  } catch (error) {
    const problem = unreadable(error);
    grade.notes.push(`not a readable notebook: ${problem}`);
    const lesson = lessonFromName(file);
    if (lesson) grade.checks = checkCellsOf(readNotebook(lesson.path)).map(({ meta }) => ({ ...meta, earned: 0, reason: `the notebook could not be read: ${problem}` }));
    grade.lesson = lesson && { number: lesson.number, slug: lesson.slug };
    return;
  }
  const lesson = lessonOf(submission, file);
  if (!lesson) {
    grade.notes.push('cannot tell which lesson this notebook is: its metadata has no course.lesson and its name does not start with a lesson number');
    return;
  }
  grade.lesson = { number: lesson.number, slug: lesson.slug };
  const teacher = readNotebook(lesson.path);
  const checkCells = checkCellsOf(teacher);
  // Until the judge has spoken, every check is at zero: an interruption or a crash leaves it so, with a reason.
  grade.checks = checkCells.map(({ meta }) => ({ ...meta, earned: 0, reason: 'not graded' }));

  mkdirSync(options.workDir, { recursive: true });
  // The judge draws the inputs while the notebook starts; the probes wait for the file, which comes long before them.
  const inputsDir = join(options.workDir, 'inputs');
  rmSync(inputsDir, { recursive: true, force: true });
  mkdirSync(inputsDir);
  const inputsFile = join(inputsDir, INPUTS_FILE);
  const judging = startJudge(
    checkCells.map(({ index, source }) => ({ cell: index, source })),
    { sandbox: options.sandbox && { slot: options.sandbox.slot, limits: options.sandbox.limits }, timeoutSeconds: JUDGE_SECONDS },
  ).then(
    (judge) => {
      writeFileAtomic(inputsFile, JSON.stringify(Object.fromEntries(judge.checks.flatMap((c) => ('id' in c ? [[c.id, c.inputs]] : [])))));
      return { judge };
    },
    (error: unknown) => {
      // No inputs: the probes answer at once that there are none, and the run ends.
      writeFileAtomic(inputsFile, '{}');
      return { error };
    },
  );

  try {
    const { cells, origins, note } = gradingCells(teacher, submission, options.wholeNotebook ?? false);
    if (note) grade.notes.push(note);
    const replay = await runWithReplays(lesson, cells, origins, inputsDir, options, started, grade);
    const ready = await judging;
    if ('error' in ready) {
      if (!(ready.error instanceof JudgeFailed)) throw ready.error;
      const why = ready.error.message;
      grade.complete = false;
      grade.checks = grade.checks.map((c) => ({ ...c, reason: `not graded: the judge could not start (${why})` }));
      return;
    }
    const { judge } = ready;
    const judged = new Map(judge.checks.map((c) => [c.cell, c]));
    const answers = collectAnswers(replay.run, origins);
    const values = Object.fromEntries([...answers].flatMap(([id, a]) => ('value' in a ? [[id, a.value]] : [])));
    const verdicts = Object.keys(values).length ? await judge.verdicts(values) : new Map<string, Verdict>();
    grade.checks = checkCells.map(({ index, meta }) => {
      const check = judged.get(index);
      if (!check || 'broken' in check) {
        grade.complete = false;
        return { ...meta, earned: 0, reason: `not graded: the teacher's check does not work (${check && 'broken' in check ? check.broken : 'the judge did not load it'})` };
      }
      const verdict = verdicts.get(check.id);
      if (verdict?.passed) return { ...meta, earned: meta.points };
      if (verdict) return { ...meta, earned: 0, reason: verdict.reason ?? 'the answer is wrong' };
      const answer = answers.get(check.id);
      if (answer && 'value' in answer) {
        grade.complete = false;
        return { ...meta, earned: 0, reason: 'not graded: the judge gave no verdict' };
      }
      return { ...meta, earned: 0, reason: reasonWithoutVerdict(check, answer, replay, origins) };
    });
  } catch (error) {
    if (!(error instanceof JudgeFailed)) throw error;
    const why = error.message;
    grade.complete = false;
    grade.checks = grade.checks.map((c) => (c.earned ? c : { ...c, reason: `not graded: the judge failed (${why})` }));
  } finally {
    const ready = await judging;
    if ('judge' in ready) await ready.judge.stop();
  }
}

/** Why a submission could not be read, in the report's words; a grader's own error is thrown on. */
function unreadable(error: unknown): string {
  if (error instanceof NotebookProblem) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'it is a symbolic link, which the grader does not follow: hand in the notebook itself';
  if (code) return `it cannot be opened (${code})`;
  throw error;
}

interface Replay {
  run: RunResult;
  /** Cells skipped after hanging, killing the kernel or hitting a limit, with what happened. */
  skipped: Map<number, CellOutcome & { status: 'stopped' }>;
  /** Why the probes that never ran did not run, said in each of their reasons. */
  notRunBecause?: string;
  /** The first student cell that failed or was skipped, in the report's words. */
  studentFailure?: string;
}

async function runWithReplays(
  lesson: LessonFile,
  cells: Cell[],
  origins: Origin[],
  inputsDir: string,
  options: GradeOptions,
  started: number,
  grade: SubmissionGrade,
): Promise<Replay> {
  const cellTimeout = options.cellTimeoutSeconds ?? lesson.meta.cell_timeout_seconds ?? 600;
  const notebookPath = join(options.workDir, `${lesson.slug}.ipynb`);
  grade.executedPath = join(options.workDir, `${lesson.slug}.executed.ipynb`);

  const skipped = new Map<number, CellOutcome & { status: 'stopped' }>();
  const stoppedStudentCells: string[] = [];
  const replay: Replay = { run: { outcomes: new Map(), answers: [], damagedEvents: 0, stderr: '', started: false }, skipped };
  const overTime = () => (replay.notRunBecause = `the notebook took longer than its time limit of ${options.timeLimitSeconds} s`);
  const runNotes = new Set<string>();
  for (;;) {
    if (stoppingEverything()) throw new Error('the grading run was interrupted');
    const remaining = options.timeLimitSeconds - (performance.now() - started) / 1000;
    if (remaining <= 1) {
      overTime();
      break;
    }
    writeFileSync(notebookPath, `${JSON.stringify(notebookOf(lesson, cells, skipped), null, 1)}\n`);
    const run = await runGradingNotebook({
      notebookPath,
      inputsDir,
      cellTimeoutSeconds: Math.min(cellTimeout, remaining),
      deadlineSeconds: remaining,
      sandbox: options.sandbox,
      studentUser: options.studentUser,
      kernelName: options.kernelName,
      env: options.env,
    });
    replay.run = run;
    if (run.usage) {
      const peak = run.usage.peakMemoryBytes;
      grade.usage = { peak_memory_mib: peak === undefined ? undefined : Math.round(peak / 2 ** 20), cpu_seconds: run.usage.cpuSeconds === undefined ? undefined : Math.round(run.usage.cpuSeconds * 10) / 10 };
    }
    if (run.notebook !== undefined) writeFileAtomic(grade.executedPath, `${JSON.stringify(run.notebook, null, 1)}\n`);
    if (run.damagedEvents > 0) runNotes.add(`${run.damagedEvents} reports from the notebook's run arrived damaged (did the notebook write into the grader's output?)`);
    if (!run.started && !run.stopped) {
      // The grader's machinery failed, not the notebook: say what it printed, and grade again next run.
      const said = run.stderr.split('\n').filter(Boolean).pop() ?? 'no message';
      grade.notes.push(`the notebook's run did not start: ${said}`);
      grade.complete = false;
      replay.notRunBecause = `the notebook's run did not start (${said})`;
      break;
    }
    if (run.fatal) {
      grade.notes.push(`the kernel could not run the notebook: ${run.fatal}`);
      replay.notRunBecause = `the kernel could not run the notebook (${run.fatal})`;
      break;
    }
    const stop = run.stopped;
    if (!stop) break;
    if (stop.kind === 'deadline' || stop.cell === undefined || skipped.has(stop.cell) || !origins[stop.cell]) {
      if (stop.kind === 'deadline') overTime();
      else replay.notRunBecause = `the notebook's run stopped: ${stop.message}`;
      break;
    }
    skipped.set(stop.cell, { status: 'stopped', kind: stop.kind, message: stop.message });
    const origin = origins[stop.cell];
    if (origin.kind === 'student') stoppedStudentCells.push(`your code cell ${origin.codeCell} (\`${origin.firstLine}\`) ${stop.message} and was skipped`);
    if (origin.kind === 'setup') grade.notes.push(`the lesson's setup cell ${stop.message}`);
  }
  grade.notes.push(...runNotes);

  for (const [index, o] of replay.run.outcomes) {
    if (origins[index]?.kind === 'setup' && o.status !== 'done' && o.status !== 'stopped') grade.notes.push(`the lesson's setup cell failed: ${reasonFrom(o.message)}`);
  }
  const studentFailures = [...replay.run.outcomes]
    .filter(([index, o]) => origins[index]?.kind === 'student' && (o.status === 'failed' || o.status === 'aborted'))
    .map(([index, o]) => describeStudentFailure(origins[index] as StudentOrigin, o.status === 'done' ? '' : o.message));
  studentFailures.unshift(...stoppedStudentCells);
  grade.notes.push(...studentFailures);
  replay.studentFailure = studentFailures[0];
  return replay;
}

type Answer = { value: unknown } | { failed: string; byCheck: boolean } | { problem: string };

/**
 * Each check's answer from the final run: printed by its own probe cell, which the kernel ran to the
 * end ("ok"), exactly once, in the shape a probe sends. Anything else is a problem with a reason.
 */
function collectAnswers(run: RunResult, origins: Origin[]): Map<string, Answer> {
  const answers = new Map<string, Answer>();
  const byId = new Map<string, unknown[]>();
  for (const { cell, reply } of run.answers) {
    const origin = origins[cell];
    if (origin?.kind !== 'probe') continue;
    const replies = byId.get(origin.id) ?? [];
    replies.push(reply);
    byId.set(origin.id, replies);
  }
  origins.forEach((origin, cell) => {
    if (origin.kind !== 'probe') return;
    const replies = byId.get(origin.id) ?? [];
    if (run.outcomes.get(cell)?.status !== 'done' || replies.length === 0) return;
    if (replies.length > 1) return answers.set(origin.id, { problem: `the check got ${replies.length} answers instead of one (did your code print answers of its own?)` });
    const reply = replies[0] as { id?: unknown; value?: unknown; failed?: unknown; byCheck?: unknown } | null;
    if (typeof reply !== 'object' || reply === null || reply.id !== origin.id) return answers.set(origin.id, { problem: 'the check got an answer it cannot read' });
    if (typeof reply.failed === 'string') return answers.set(origin.id, { failed: reply.failed.slice(0, 300), byCheck: reply.byCheck === true });
    if (!('value' in reply)) return answers.set(origin.id, { problem: 'the check got an answer it cannot read' });
    answers.set(origin.id, { value: reply.value });
  });
  return answers;
}

/** Why a check got no verdict: its probe failed, hung, never ran, or sent nothing usable. */
function reasonWithoutVerdict(check: Extract<JudgedCheck, { id: string }>, answer: Answer | undefined, replay: Replay, origins: Origin[]): string {
  const lead = (reason: string) => (replay.studentFailure ? `${replay.studentFailure} (so the check failed: ${reason})` : reason);
  if (answer && 'failed' in answer) return answer.byCheck ? answer.failed : lead(answer.failed);
  if (answer && 'problem' in answer) return answer.problem;
  const cell = origins.findIndex((o) => o.kind === 'probe' && o.id === check.id);
  const outcome = replay.skipped.get(cell) ?? replay.run.outcomes.get(cell);
  if (cell < 0) return "not graded: the lesson has no probe for this check (the teacher's notebook needs one)";
  if (!outcome) return replay.notRunBecause ? `not run: ${replay.notRunBecause}` : 'not run';
  switch (outcome.status) {
    case 'done':
      return 'the check got no answer from your notebook (did your code change how the notebook prints?)';
    case 'aborted':
      return lead(`the kernel did not run the check (${outcome.message})`);
    case 'failed':
      return lead(reasonFrom(outcome.message));
    case 'stopped':
      if (outcome.kind === 'timeout') return 'the check did not finish in time (does your code loop forever or train for too long?)';
      if (outcome.kind === 'kernel_died') return 'the kernel stopped during the check (does your code call process.exit?)';
      return `the check ${outcome.message}`;
  }
}

export function lessonOf(notebook: Notebook, file: string): LessonFile | undefined {
  const number = (notebook.metadata?.course as { lesson?: unknown } | undefined)?.lesson;
  if (typeof number === 'number') {
    try {
      return findLesson(String(number));
    } catch {
      return undefined;
    }
  }
  return lessonFromName(file);
}

export function lessonFromName(file: string): LessonFile | undefined {
  const match = /^(\d\d)-/.exec(basename(file));
  if (!match) return undefined;
  try {
    return findLesson(match[1]);
  } catch {
    return undefined;
  }
}
