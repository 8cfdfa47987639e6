/**
 * Student notebooks from the lessons: each solution replaced by its stub,
 * every check removed, outputs cleared. `npm run homework -- build`.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LessonFile, listLessons, Notebook, readNotebook } from '../notebooks';
import { REPO_ROOT } from '../jupyter.mjs';
import { BEGIN_SOLUTION, Cell, END_SOLUTION, hasTag, sourceOf, STUB_LINE, TAG, tagsOf, toSourceLines } from './markers';

export const HOMEWORK_DIR = join(REPO_ROOT, 'build', 'homework');

/** A lesson whose markers do not make sense; the message names the cell. */
export class MarkerError extends Error {}

/**
 * The student's version of a solution cell's source: each region between
 * BEGIN SOLUTION and END SOLUTION becomes its STUB lines, at their own indent.
 */
export function stubbedSource(source: string, where: string): string {
  const out: string[] = [];
  let region: { stubs: string[] } | undefined;
  let regions = 0;
  for (const line of source.split('\n')) {
    if (BEGIN_SOLUTION.test(line)) {
      if (region) throw new MarkerError(`${where}: BEGIN SOLUTION inside another solution region.`);
      region = { stubs: [] };
      continue;
    }
    if (END_SOLUTION.test(line)) {
      if (!region) throw new MarkerError(`${where}: END SOLUTION without BEGIN SOLUTION.`);
      if (region.stubs.length === 0) throw new MarkerError(`${where}: a solution region has no "// STUB:" line for the student.`);
      out.push(...region.stubs);
      region = undefined;
      regions += 1;
      continue;
    }
    if (!region) {
      out.push(line);
      continue;
    }
    const stub = STUB_LINE.exec(line);
    if (stub) region.stubs.push(`${stub[1]}${stub[2]}`);
  }
  if (region) throw new MarkerError(`${where}: BEGIN SOLUTION without END SOLUTION.`);
  if (regions === 0) throw new MarkerError(`${where}: a cell tagged "solution" has no BEGIN SOLUTION ... END SOLUTION region.`);
  return out.join('\n');
}

function clearedCode(cell: Cell, source: string, tags: string[]): Cell {
  return { cell_type: 'code', metadata: tags.length ? { tags } : {}, source: toSourceLines(source), outputs: [], execution_count: null } as Cell;
}

/** The student notebook for one lesson. */
export function studentNotebook(lesson: LessonFile, teacher: Notebook = readNotebook(lesson.path)): Notebook {
  const cells: Cell[] = [];
  teacher.cells.forEach((cell, index) => {
    if (hasTag(cell, TAG.check)) return;
    const where = `${lesson.slug}, cell ${index + 1}`;
    const tags = tagsOf(cell).filter((t) => t !== TAG.solution);
    if (cell.cell_type !== 'code') {
      cells.push({ ...cell, metadata: tags.length ? { tags } : {} });
      return;
    }
    const source = hasTag(cell, TAG.solution) ? stubbedSource(sourceOf(cell), where) : sourceOf(cell);
    cells.push(clearedCode(cell, source, tags));
  });
  const { lesson: number, title, cell_timeout_seconds } = teacher.metadata.course!;
  return {
    ...teacher,
    cells: cells.map((cell, i) => ({ ...cell, id: `cell-${String(i).padStart(2, '0')}` }) as Cell),
    metadata: { ...teacher.metadata, course: { lesson: number, title, cell_timeout_seconds, thresholds: {}, homework: true } },
  };
}

/** Writes every lesson's student notebook to `outDir`, with the `src` link the notebooks import through. */
export function buildHomework(outDir: string = HOMEWORK_DIR): string[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  symlinkSync(relative(outDir, join(REPO_ROOT, 'src')), join(outDir, 'src'));
  return listLessons().map((lesson) => {
    const path = join(outDir, `${lesson.slug}.ipynb`);
    writeFileSync(path, `${JSON.stringify(studentNotebook(lesson), null, 1)}\n`);
    return path;
  });
}
