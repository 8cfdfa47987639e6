/**
 * Where the site finds the course: the clean notebooks in lessons/, their executed copies in
 * build/lessons/ (written by tools/run-lesson.ts with results in metadata.course.results), and
 * the models lessons save under build/models/. Everything is read at build time; the site is static.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lessonFileNames, type Cell, type MultilineString, type Notebook as NotebookFormat, type Output } from '../../../tools/notebook-format';
import type { LessonResults, Threshold, ThresholdCheck } from '../../../tools/lesson-results';
import type { LessonSpread, SeedsReport } from '../../../tools/seed-spread';

export type { LessonResults, Threshold, ThresholdCheck };

/** What `npm run seeds` measured for a lesson (build/seeds.json). */
export interface SeedSpread extends LessonSpread {
  /** False when the notebook changed since: the spread belongs to an earlier version of the lesson. */
  current: boolean;
  finished_at: string;
}

/** Set by astro.config.mjs (the folder above site/); COURSE_ROOT overrides it, e.g. for tests. */
export function courseRoot(): string {
  return resolve(process.env.COURSE_ROOT ?? join(process.cwd(), '..'));
}

export interface CourseMeta {
  lesson: number;
  title: string;
  thresholds: Record<string, Threshold>;
  results?: LessonResults;
}

export type { Cell, MultilineString, Output };

/** A notebook as the site reads it: the lesson's metadata, and a run's results once executed. */
export type Notebook = NotebookFormat<CourseMeta>;

export interface Lesson {
  number: number;
  /** The notebook's file name without .ipynb, e.g. 01-linear-regression; also the page's slug. */
  slug: string;
  title: string;
  cleanPath: string;
  /** The executed copy, or undefined when the lesson has not been run yet. */
  executedPath?: string;
  /** The executed notebook if there is one, else the clean one (the page then says so). */
  notebook: Notebook;
  meta: CourseMeta;
  seeds?: SeedSpread;
}

export const joinText = (text: MultilineString | undefined): string => (Array.isArray(text) ? text.join('') : text ?? '');

function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, 'utf8')) as Notebook;
}

let cache: Lesson[] | undefined;

function readSeedsReport(root: string): SeedsReport | undefined {
  const path = join(root, 'build', 'seeds.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SeedsReport) : undefined;
}

function seedSpreadOf(report: SeedsReport | undefined, lesson: number, cleanPath: string): SeedSpread | undefined {
  const spread = report?.lessons[String(lesson)];
  if (!spread || spread.runs.length === 0) return undefined;
  const hash = createHash('sha256').update(readFileSync(cleanPath)).digest('hex');
  return { ...spread, current: spread.notebook_sha256 === hash, finished_at: report!.finished_at };
}

export function listLessons(): Lesson[] {
  if (cache) return cache;
  const root = courseRoot();
  const dir = join(root, 'lessons');
  const seedsReport = readSeedsReport(root);
  cache = lessonFileNames(dir).map((name) => {
      const slug = name.replace(/\.ipynb$/, '');
      const cleanPath = join(dir, name);
      const executed = join(root, 'build', 'lessons', name);
      const executedPath = existsSync(executed) ? executed : undefined;
      const notebook = readNotebook(executedPath ?? cleanPath);
      const clean = readNotebook(cleanPath).metadata.course;
      // Thresholds and title come from the clean notebook (the source of truth), results from the run.
      const meta: CourseMeta = { ...(clean ?? { lesson: Number(name.slice(0, 2)), title: slug, thresholds: {} }), results: notebook.metadata.course?.results };
      const seeds = seedSpreadOf(seedsReport, meta.lesson, cleanPath);
      return { number: meta.lesson, slug, title: meta.title, cleanPath, executedPath, notebook, meta, seeds };
    });
  return cache;
}

export interface DemoModel {
  /** lenet or mlp: the folder under build/models/. */
  name: string;
  dir: string;
  files: string[];
}

/** Lesson 7's LeNet if it was saved, else lesson 6's MLP; COURSE_MODELS_DIR overrides build/models. */
export function demoModel(): DemoModel | undefined {
  const modelsDir = resolve(process.env.COURSE_MODELS_DIR ?? join(courseRoot(), 'build', 'models'));
  for (const name of ['lenet', 'mlp']) {
    const dir = join(modelsDir, name);
    if (!existsSync(join(dir, 'model.json'))) continue;
    // model.json and the weight files its manifest names; anything else in the folder (a half-written
    // checkpoint's temporary file) stays out of the site.
    const manifest = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
    const weights = (manifest.weightsManifest ?? []).flatMap((group) => group.paths);
    const files = ['model.json', ...weights].filter((file) => existsSync(join(dir, file)) && statSync(join(dir, file)).isFile());
    return { name, dir, files };
  }
  return undefined;
}
