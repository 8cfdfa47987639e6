/**
 * The notebook a submission is graded with: the lesson's setup cell (the teacher's copy), the
 * student's cells after the "Exercises" heading (or all of them), then the lesson's probes, each
 * cell with where it came from, so that what happens to it can be told in the report's words.
 */
import type { LessonFile, Notebook } from '../notebooks';
import { readNotebook } from '../notebooks';
import { Cell, CheckMeta, checkMetaOf, exercisesStart, hasTag, sourceOf, TAG, toSourceLines } from './markers';

/** Where a cell of the grading notebook came from. */
export type StudentOrigin = { kind: 'student'; codeCell: number; firstLine: string };
export type Origin = { kind: 'setup' } | StudentOrigin | { kind: 'probe'; id: string };

/** The teacher's check cells (never the probes), with their place in the lesson. */
export function checkCellsOf(teacher: Notebook): Array<{ index: number; meta: CheckMeta; source: string }> {
  return teacher.cells.flatMap((cell, index) => {
    const meta = checkMetaOf(cell);
    return meta ? [{ index, meta, source: sourceOf(cell) }] : [];
  });
}

const PROBE_ID = /\bprobe\(\s*['"`]([^'"`]+)['"`]/;

/** Setup cells from the teacher, then the student's exercises (or whole notebook), then the teacher's probes. */
export function gradingCells(teacher: Notebook, submission: Notebook, wholeNotebook: boolean): { cells: Cell[]; origins: Origin[]; note?: string } {
  const cells: Cell[] = [];
  const origins: Origin[] = [];
  let note: string | undefined;

  const studentCode = submission.cells
    .map((cell, index) => ({ cell, index }))
    .filter(({ cell }) => cell.cell_type === 'code')
    .map(({ cell, index }, i) => ({ cell, index, codeCell: i + 1 }));
  // Checks and probes come from the teacher's lesson, below; any in the submission (a teacher's own notebook) are left out,
  // and so are the self-checks, which only tell the student what the judge decides anyway.
  let fromStudent = studentCode.filter(({ cell }) => !hasTag(cell, TAG.check) && !hasTag(cell, TAG.selfCheck));
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
    if (!hasTag(cell, TAG.probe)) continue;
    const id = PROBE_ID.exec(sourceOf(cell))?.[1];
    if (!id) throw new Error(`a probe cell of the lesson names no check: it must call probe('<check id>', ...)`);
    cells.push(cell);
    origins.push({ kind: 'probe', id });
  }
  return { cells, origins, note };
}

export function notebookOf(lesson: LessonFile, cells: Cell[], skipped: Map<number, unknown>): Notebook {
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
      source: skipped.has(i) ? `// skipped by the grader: this cell hung, stopped the kernel or hit a limit on an earlier run` : toSourceLines(sourceOf(cell)),
    })),
  };
}
