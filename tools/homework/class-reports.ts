/**
 * Everything a grading run leaves for the teacher: the per-check reports (./report.ts), the
 * gradebook (./gradebook.ts) and a feedback file per student (./feedback.ts). With a roster, each
 * listed student who handed nothing in for a lesson gets its rows, at zero, "no submission".
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write';
import { writeFeedback } from './feedback';
import type { SubmissionGrade } from './grade';
import { gradebookCsv, lessonColumns, missingSubmissions } from './gradebook';
import { writeReports, type ReportPaths } from './report';
import type { RosterStudent } from './roster';

export interface ClassReportPaths extends ReportPaths {
  gradebook: string;
  feedback: string;
}

export function writeClassReports(outDir: string, grades: SubmissionGrade[], roster?: RosterStudent[]): ClassReportPaths {
  const lessons = lessonColumns(grades);
  const all = roster ? [...grades, ...missingSubmissions(grades, roster, lessons)] : grades;
  const paths = writeReports(outDir, all);
  const gradebook = join(outDir, 'gradebook.csv');
  writeFileAtomic(gradebook, gradebookCsv(all, lessons, roster));
  return { ...paths, gradebook, feedback: writeFeedback(outDir, all, roster) };
}
