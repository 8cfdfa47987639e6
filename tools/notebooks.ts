/**
 * The lessons as files: where they are, what their metadata declares, and how
 * a run's recorded metrics compare with the declared thresholds.
 *
 * A lesson's notebook metadata carries a `course` object, e.g.
 *   "course": { "lesson": 1, "title": "…", "cell_timeout_seconds": 300, "expected_seconds": 15,
 *               "thresholds": { "scratch_loss": { "max": 1e-4 }, "test_accuracy": { "min": 0.85 } } }
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import type { LessonResults, Threshold, ThresholdCheck } from './lesson-results';
import { lessonFileNames, type Notebook as NotebookFormat } from './notebook-format';

export type { LessonResults, Threshold, ThresholdCheck };

export const LESSONS_DIR = join(REPO_ROOT, 'lessons');
export const EXECUTED_DIR = join(REPO_ROOT, 'build', 'lessons');

export interface LessonMeta {
  lesson: number;
  title: string;
  cell_timeout_seconds?: number;
  /**
   * About how long the whole lesson runs on the 2-core reference machine (docs/results.md), two
   * lessons at a time. The runner tells the student; npm test starts the longest lessons first.
   */
  expected_seconds?: number;
  thresholds: Record<string, Threshold>;
  /** Set on the student notebooks `npm run homework -- build` writes. */
  homework?: boolean;
}

export interface LessonFile {
  number: number;
  /** e.g. 01-linear-regression */
  slug: string;
  path: string;
  meta: LessonMeta;
}

/** A notebook as the tools read it: the lesson's metadata, and a run's results once executed. */
export type Notebook = NotebookFormat<LessonMeta & { results?: LessonResults }>;

export function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, 'utf8')) as Notebook;
}

export function listLessons(): LessonFile[] {
  return lessonFileNames(LESSONS_DIR).map((name) => {
    const path = join(LESSONS_DIR, name);
    const meta = readNotebook(path).metadata.course;
    if (!meta) throw new Error(`${path} has no "course" metadata (lesson number, title, thresholds).`);
    return { number: meta.lesson, slug: name.replace(/\.ipynb$/, ''), path, meta };
  });
}

/**
 * The lessons, longest first: run two at a time in this order, the two lanes finish close
 * together (in lesson order the longest lesson started last and ran alone for minutes).
 */
export function lessonsLongestFirst(): LessonFile[] {
  return listLessons().sort((a, b) => (b.meta.expected_seconds ?? 0) - (a.meta.expected_seconds ?? 0) || a.number - b.number);
}

/** Finds a lesson by number ("1", "01") or slug. */
export function findLesson(id: string): LessonFile {
  const lessons = listLessons();
  const found = lessons.find((l) => String(l.number) === id.replace(/^0+(?=\d)/, '') || l.slug === id || l.slug.startsWith(`${id}-`));
  if (!found) {
    const known = lessons.map((l) => `${l.number} (${l.slug})`).join(', ');
    throw new Error(`There is no lesson "${id}". Lessons: ${known}.`);
  }
  return found;
}

export function describeThreshold(t: Threshold): string {
  return [t.min !== undefined ? `≥ ${t.min}` : '', t.max !== undefined ? `≤ ${t.max}` : ''].filter(Boolean).join(' and ');
}

/** Compares recorded metrics with the thresholds; a missing or non-finite metric fails. */
export function checkThresholds(thresholds: Record<string, Threshold>, metrics: Record<string, number>): ThresholdCheck[] {
  return Object.entries(thresholds).map(([metric, threshold]) => {
    const value = metrics[metric];
    let problem: string | undefined;
    if (value === undefined) problem = 'was not recorded';
    else if (!Number.isFinite(value)) problem = `is ${value}: training diverged`;
    else if (threshold.min !== undefined && value < threshold.min) problem = `is ${value}, below the minimum ${threshold.min}`;
    else if (threshold.max !== undefined && value > threshold.max) problem = `is ${value}, above the maximum ${threshold.max}`;
    return { metric, value, threshold, passed: problem === undefined, problem };
  });
}
