/**
 * What a rerun may skip: a notebook already graded, to the end, from the same submission, the same
 * lesson (its checks and probes), the same grader and the same settings. The key is a hash of all of
 * them, stored with each grade in grades.json; a changed check, limit or submission regrades.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../jupyter.mjs';
import { readNotebook, type LessonFile } from '../notebooks';
import { lessonFromName, lessonOf, type SubmissionGrade } from './grade';
import { hasTag, sourceOf, TAG } from './markers';
import { MAX_NOTEBOOK_BYTES, validNotebook } from './submissions';

/** The grader's own code: changing any of it regrades everything. */
const GRADER_FOLDERS = ['src/homework', 'tools/homework'];
const GRADER_FILES = ['tools/execute_notebook.py'];

let graderHash: string | undefined;
function graderCode(): string {
  if (graderHash) return graderHash;
  const hash = createHash('sha256');
  const files = [
    ...GRADER_FOLDERS.flatMap((folder) =>
      readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
        .sort()
        .map((name) => join(folder, name))
        .filter((file) => statSync(join(REPO_ROOT, file)).isFile()),
    ),
    ...GRADER_FILES,
  ];
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(REPO_ROOT, file))).update('\0');
  graderHash = hash.digest('hex');
  return graderHash;
}

/** The submission's bytes as the grader reads them (a link is not followed), or what kept it from being read. */
function submissionBytes(file: string, followLinks: boolean): Buffer | string {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW));
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_NOTEBOOK_BYTES) return `not read: ${stat.size} bytes, ${stat.mode}`;
    const bytes = Buffer.alloc(stat.size);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return bytes;
  } catch (error) {
    return `not read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What grading reads of a lesson: its setup, checks and probes, and its cell time limit (not its prose). */
function gradedPart(lesson: LessonFile): string {
  const notebook = readNotebook(lesson.path);
  const cells = notebook.cells.filter((cell) => hasTag(cell, TAG.setup) || hasTag(cell, TAG.check));
  return JSON.stringify({ cells: cells.map((cell) => [cell.metadata, sourceOf(cell)]), timeout: lesson.meta.cell_timeout_seconds });
}

export function gradingKey(options: { file: string; student: string; followLinks: boolean; settings: unknown }): string {
  const hash = createHash('sha256');
  hash.update(graderCode()).update('\0').update(JSON.stringify(options.settings)).update('\0').update(options.student).update('\0');
  const bytes = submissionBytes(options.file, options.followLinks);
  hash.update(bytes).update('\0');
  const lesson = typeof bytes === 'string' ? lessonFromName(options.file) : lessonOfBytes(bytes, options.file);
  hash.update(lesson ? gradedPart(lesson) : 'no lesson');
  return hash.digest('hex');
}

function lessonOfBytes(bytes: Buffer, file: string): LessonFile | undefined {
  try {
    return lessonOf(validNotebook(JSON.parse(bytes.toString('utf8'))), file);
  } catch {
    return lessonFromName(file);
  }
}

export type KeyedGrade = SubmissionGrade & { key?: string };

/** The finished grades of an earlier run in `jsonPath`, by key; nothing if there is none or it cannot be read. */
export function earlierGrades(jsonPath: string): Map<string, KeyedGrade> {
  const found = new Map<string, KeyedGrade>();
  if (!existsSync(jsonPath)) return found;
  try {
    const grades = JSON.parse(readFileSync(jsonPath, 'utf8')) as KeyedGrade[];
    for (const grade of Array.isArray(grades) ? grades : []) {
      if (grade && typeof grade.key === 'string' && grade.complete === true && Array.isArray(grade.checks)) found.set(grade.key, grade);
    }
  } catch {
    // an unreadable report is regraded, not trusted
  }
  return found;
}
