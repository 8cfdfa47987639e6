/**
 * What is wrong with a class's hand-in as a whole, found before grading: two notebooks for one lesson
 * from one student (neither is graded: the grader will not pick one), a notebook whose lesson metadata
 * and file name disagree (not graded: which lesson was meant is a question for the student), and files
 * of students the roster does not list (graded, and flagged, since a misnamed folder is the usual cause).
 */
import { basename } from 'node:path';
import { findLesson, type LessonFile } from '../notebooks';
import { lessonFromName, type SubmissionGrade } from './grade';
import type { RosterStudent } from './roster';
import { readSubmission, type Submission } from './submissions';

export interface CheckedSubmission extends Submission {
  /** The lesson the notebook says it is (its metadata, else its name), when that can be told. */
  lesson?: LessonFile;
  /** Why this notebook is not graded (the rest of a sentence that starts "this notebook"). */
  notGraded?: string;
  /** Graded, but the teacher should look: said in the notes, the summary and on the console. */
  flags: string[];
}

function lessonNumberInMetadata(file: string, followLinks: boolean): number | undefined {
  try {
    const lesson = (readSubmission(file, followLinks).metadata?.course as { lesson?: unknown } | undefined)?.lesson;
    return typeof lesson === 'number' ? lesson : undefined;
  } catch {
    return undefined; // unreadable: grading says why
  }
}

function lessonNumbered(number: number): LessonFile | undefined {
  try {
    return findLesson(String(number));
  } catch {
    return undefined;
  }
}

export function checkSubmissions(submissions: Submission[], options: { roster?: RosterStudent[]; named: Set<string> }): CheckedSubmission[] {
  const enrolled = options.roster && new Set(options.roster.map((s) => s.id));
  const checked: CheckedSubmission[] = submissions.map((submission) => {
    const flags = enrolled && !enrolled.has(submission.student) ? [`"${submission.student}" is not on the roster: is the folder (or file) named after the student's id?`] : [];
    if (submission.problem) return { ...submission, lesson: lessonFromName(submission.file), flags };
    const byName = lessonFromName(submission.file);
    const metadataNumber = lessonNumberInMetadata(submission.file, options.named.has(submission.file));
    const byMetadata = metadataNumber === undefined ? undefined : lessonNumbered(metadataNumber);
    if (byName && metadataNumber !== undefined && metadataNumber !== byName.number) {
      const notGraded = `says in its metadata that it is lesson ${metadataNumber}, but its name says lesson ${byName.number}: hand in the lesson's own notebook under its own name`;
      return { ...submission, lesson: byName, notGraded, flags };
    }
    return { ...submission, lesson: byMetadata ?? byName, flags };
  });

  const byStudentAndLesson = new Map<string, CheckedSubmission[]>();
  for (const submission of checked) {
    if (!submission.lesson || submission.problem || submission.notGraded) continue;
    const key = JSON.stringify([submission.student, submission.lesson.number]);
    byStudentAndLesson.set(key, [...(byStudentAndLesson.get(key) ?? []), submission]);
  }
  for (const group of byStudentAndLesson.values()) {
    for (const submission of group) submission.notGraded = duplicateReason(group.map((s) => s.file), submission.lesson!.number);
  }
  return checked;
}

function duplicateReason(files: string[], lesson: number): string | undefined {
  if (files.length < 2) return undefined;
  return `is one of ${files.length} notebooks for lesson ${lesson} from this student (${files.map((f) => basename(f)).join(', ')}), so none of them is graded: keep only the one to grade`;
}

/** Grades made apart (one container or machine per notebook): two for one lesson from one student go to zero, as one run would have them. */
export function withoutDuplicates(grades: SubmissionGrade[]): SubmissionGrade[] {
  const files = new Map<string, string[]>();
  const keyOf = (g: SubmissionGrade) => JSON.stringify([g.student, g.lesson?.number]);
  for (const g of grades) if (g.lesson) files.set(keyOf(g), [...(files.get(keyOf(g)) ?? []), g.file]);
  return grades.map((g) => {
    const why = g.lesson && duplicateReason(files.get(keyOf(g))!, g.lesson.number);
    if (!why || g.notes.includes(`not graded: this notebook ${why}`)) return g;
    const reason = `not graded: this notebook ${why}`;
    return { ...g, checks: g.checks.map((c) => ({ ...c, earned: 0, reason })), notes: [reason, ...g.notes], complete: false };
  });
}
