/**
 * The class's grades as an LMS imports them: one row per student, one column per lesson. With a
 * roster, every listed student has a row, a lesson not handed in scores zero and is named in the
 * `flags` column, and students the roster does not list stay out (they are flagged in the summary).
 */
import { findLesson, readNotebook } from '../notebooks';
import type { SubmissionGrade } from './grade';
import { checkCellsOf } from './grading-notebook';
import { csvRows, total } from './report';
import type { RosterStudent } from './roster';

export interface LessonColumn {
  number: number;
  slug: string;
  maxPoints: number;
}

export const NO_SUBMISSION = 'no submission';

function checksOf(number: number) {
  return checkCellsOf(readNotebook(findLesson(String(number)).path)).map(({ meta }) => meta);
}

/** The lessons the class handed something in for, in order, each with its points. */
export function lessonColumns(grades: SubmissionGrade[]): LessonColumn[] {
  const found = new Map<number, string>();
  for (const g of grades) if (g.lesson) found.set(g.lesson.number, g.lesson.slug);
  return [...found]
    .sort(([a], [b]) => a - b)
    .map(([number, slug]) => ({ number, slug, maxPoints: checksOf(number).reduce((sum, c) => sum + c.points, 0) }));
}

/** A zero row, "no submission", for each lesson a listed student handed nothing in for (one row if there are no lessons). */
export function missingSubmissions(grades: SubmissionGrade[], roster: RosterStudent[], lessons: LessonColumn[]): SubmissionGrade[] {
  const handedIn = new Set(grades.map((g) => JSON.stringify([g.student, g.lesson?.number])));
  return roster.flatMap(({ id }): SubmissionGrade[] => {
    const missing = lessons.filter((l) => !handedIn.has(JSON.stringify([id, l.number])));
    if (lessons.length === 0 && !grades.some((g) => g.student === id)) return [{ student: id, file: '', checks: [], notes: [NO_SUBMISSION], seconds: 0, complete: true }];
    return missing.map((l) => ({
      student: id,
      file: '',
      lesson: { number: l.number, slug: l.slug },
      checks: checksOf(l.number).map((meta) => ({ ...meta, earned: 0, reason: NO_SUBMISSION })),
      notes: [NO_SUBMISSION],
      seconds: 0,
      complete: true,
    }));
  });
}

/** The students in the gradebook: the roster's, in its order, or everyone who handed something in, sorted. */
export function gradebookStudents(grades: SubmissionGrade[], roster?: RosterStudent[]): RosterStudent[] {
  if (roster) return roster;
  return [...new Set(grades.map((g) => g.student))].sort().map((id) => ({ id }));
}

/** What the teacher should look at in a student's lesson, or nothing. */
function lessonFlag(grades: SubmissionGrade[]): string | undefined {
  if (grades.length === 0 || grades.every((g) => g.notes[0] === NO_SUBMISSION)) return NO_SUBMISSION;
  if (grades.length > 1 || grades.some((g) => g.notes.some((n) => n.startsWith('not graded')) || !g.complete)) return 'not graded (see the summary)';
  return undefined;
}

export function gradebookCsv(grades: SubmissionGrade[], lessons: LessonColumn[], roster?: RosterStudent[]): string {
  const students = gradebookStudents(grades, roster);
  const withNames = students.some((s) => s.name);
  const header = ['student', ...(withNames ? ['name'] : []), ...lessons.map((l) => `${l.slug} (of ${l.maxPoints})`), 'total', 'max_total', 'flags'];
  const maxTotal = lessons.reduce((sum, l) => sum + l.maxPoints, 0);
  const rows: Array<Array<string | number>> = [header];
  for (const student of students) {
    const own = grades.filter((g) => g.student === student.id);
    const cells = lessons.map((lesson) => {
      const graded = own.filter((g) => g.lesson?.number === lesson.number);
      const flag = lessonFlag(graded);
      // Several notebooks for one lesson are all at zero (none was graded), so the sum is the one grade or zero.
      return { earned: graded.reduce((sum, g) => sum + total(g).earned, 0), flag: flag && `lesson ${lesson.number}: ${flag}` };
    });
    const unknownLesson = own.filter((g) => !g.lesson && g.notes[0] !== NO_SUBMISSION).length;
    const flags = [...cells.flatMap((c) => (c.flag ? [c.flag] : [])), ...(unknownLesson ? [`${unknownLesson} notebook(s) of no known lesson`] : [])];
    const sum = cells.reduce((s, c) => s + c.earned, 0);
    rows.push([student.id, ...(withNames ? [student.name ?? ''] : []), ...cells.map((c) => c.earned), sum, maxTotal, flags.join('; ')]);
  }
  return csvRows(rows);
}
