/**
 * How a lesson marks its graded exercises, in standard Jupyter cell tags plus
 * a `course` object in the cell's metadata:
 *
 *   setup      the lesson's first code cell (imports, seed). The grader runs the
 *              teacher's copy before the student's exercises.
 *   exercises  the "## Exercises" markdown cell. Graded exercises come after it
 *              and use only what the setup cell defines, so grading does not have
 *              to replay the whole lesson.
 *   solution   a cell whose code between `// BEGIN SOLUTION` and `// END SOLUTION`
 *              is the teacher's answer. Lines in that region that start with
 *              `// STUB:` are what the student gets instead, e.g.
 *                  // STUB: return todo('Exercise 6: return the mean Huber loss.');
 *   check      a teacher's check, `check(id, { inputs, judge })` (src/homework/grading.ts),
 *              with `course.check = { exercise, description, points }` and, when part
 *              of its evidence comes from the student's own process, `self_reported`
 *              saying which. Only the judge runs it; students never see it.
 *   probe      (with "check") the check's probe, `await probe(id, (inputs) => answer)`:
 *              the grader runs it in the student's sandbox after their cells.
 *   self-check the exercise's public checks, `await selfCheck('Exercise 6', 'huberLoss', [...])`
 *              (src/homework/self-check.ts) on visible examples, judged by the same code as the
 *              hidden checks. Students get it; the grader leaves it out.
 */
import type { Notebook } from '../notebooks';

export type Cell = Notebook['cells'][number];

export const TAG = { setup: 'setup', exercises: 'exercises', solution: 'solution', check: 'check', probe: 'probe', selfCheck: 'self-check' } as const;

export interface CheckMeta {
  /** The exercise's name in reports, e.g. "Exercise 6: Huber loss". */
  exercise: string;
  /** What this check verifies, e.g. "matches the reference on hidden inputs". */
  description: string;
  points: number;
  /** What of the evidence comes from the student's own process (which a hostile submission could fake). */
  self_reported?: string;
}

export const BEGIN_SOLUTION = /^(\s*)\/\/ BEGIN SOLUTION\s*$/;
export const END_SOLUTION = /^\s*\/\/ END SOLUTION\s*$/;
export const STUB_LINE = /^(\s*)\/\/ STUB: ?(.*)$/;

export function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** Jupyter's on-disk form: one string per line, each but the last ending in a newline. */
export function toSourceLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line)).filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

export function tagsOf(cell: Cell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

export function hasTag(cell: Cell, tag: string): boolean {
  return tagsOf(cell).includes(tag);
}

/** A check cell's metadata; undefined for any other cell, probes included. */
export function checkMetaOf(cell: Cell): CheckMeta | undefined {
  const course = cell.metadata?.course as { check?: Partial<CheckMeta> } | undefined;
  const check = course?.check;
  if (!hasTag(cell, TAG.check) || hasTag(cell, TAG.probe)) return undefined;
  if (!check || typeof check.exercise !== 'string' || typeof check.description !== 'string' || !(Number(check.points) > 0)) {
    throw new Error(`A cell tagged "check" needs metadata course.check = { exercise, description, points > 0 }; found ${JSON.stringify(check)}.`);
  }
  const meta: CheckMeta = { exercise: check.exercise, description: check.description, points: Number(check.points) };
  if (typeof check.self_reported === 'string') meta.self_reported = check.self_reported;
  return meta;
}

/** The index of the cell tagged "exercises", or -1. */
export function exercisesStart(cells: Cell[]): number {
  return cells.findIndex((cell) => hasTag(cell, TAG.exercises));
}
