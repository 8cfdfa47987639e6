/**
 * A Jupyter notebook as the course reads and writes it, and where its lessons are: one copy for the
 * tools and for the site (site/src/lib/course.ts), which read the same files. `course` metadata is
 * typed by each reader (tools/notebooks.ts: LessonMeta; the site: CourseMeta).
 */
import { readdirSync } from 'node:fs';

/** Lessons are lessons/NN-*.ipynb; build/lessons also holds test fixtures with other names. */
export const LESSON_FILE = /^\d\d-.+\.ipynb$/;

/** The lesson notebooks in dir, in lesson order. */
export function lessonFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => LESSON_FILE.test(name))
    .sort();
}

export type MultilineString = string | string[];

export interface Output {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error' | 'update_display_data';
  name?: 'stdout' | 'stderr';
  text?: MultilineString;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  execution_count?: number | null;
}

export interface Cell {
  /** markdown, code or raw */
  cell_type: string;
  id?: string;
  source: MultilineString;
  outputs?: Output[];
  execution_count?: number | null;
  attachments?: Record<string, Record<string, string>>;
  metadata?: Record<string, unknown>;
}

export interface Notebook<Course = unknown> {
  cells: Cell[];
  metadata: Record<string, unknown> & { course?: Course };
  nbformat: number;
  nbformat_minor: number;
}
