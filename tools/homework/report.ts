/**
 * The grade report: a CSV for the gradebook, a readable summary, and the raw results as JSON,
 * written together and atomically (src/atomic-write.ts) after every notebook, so that whoever opens
 * them, whenever the run stops, finds whole files with a row for every submission.
 *
 * Names and reasons come from submissions: in the CSV a text that a spreadsheet would take for a
 * formula (=, +, -, @ first) is quoted with a leading apostrophe, and in the summary a name cannot
 * break the table or the layout.
 */
import { writeFileAtomic } from '../../src/atomic-write';
import type { SubmissionGrade } from './grade';

export const CSV_COLUMNS = ['student', 'lesson', 'exercise', 'check', 'points', 'max_points', 'reason', 'file'] as const;

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per check; a notebook that could not be graded at all gets one row saying why. */
export function gradesCsv(grades: SubmissionGrade[]): string {
  const rows: Array<Array<string | number>> = [[...CSV_COLUMNS]];
  for (const g of grades) {
    const lesson = g.lesson?.number ?? '';
    if (g.checks.length === 0) rows.push([g.student, lesson, '', '', 0, '', g.notes.join('; ') || 'not graded', g.file]);
    for (const c of g.checks) rows.push([g.student, lesson, c.exercise, c.description, c.earned, c.points, c.reason ?? '', g.file]);
  }
  return csvRows(rows);
}

export function csvRows(rows: Array<Array<string | number>>): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

export function total(g: SubmissionGrade): { earned: number; max: number } {
  return g.checks.reduce((sum, c) => ({ earned: sum.earned + c.earned, max: sum.max + c.points }), { earned: 0, max: 0 });
}

/** A name or reason as one line of markdown: no line breaks or control characters, no table cells of its own. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : ' ')).replace(/\|/g, '\\|');
}

/** Markdown: a table of totals, then each notebook's checks with the reason for every lost point. */
export function gradesSummary(grades: SubmissionGrade[]): string {
  const lines = ['# Homework grades', '', '| student | lesson | points | time |', '| --- | --- | --- | --- |'];
  for (const g of grades) {
    const { earned, max } = total(g);
    lines.push(`| ${oneLine(g.student)} | ${g.lesson?.slug ?? '?'} | ${g.checks.length ? `${earned} / ${max}` : 'not graded'} | ${g.seconds} s |`);
  }
  for (const g of grades) {
    const { earned, max } = total(g);
    lines.push('', `## ${oneLine(g.student)}: ${g.lesson?.slug ?? 'unknown lesson'} (${earned} / ${max})`, '', `File: \`${oneLine(g.file).replace(/`/g, "'")}\``, '');
    for (const c of g.checks) {
      const mark = c.earned === c.points ? '✓' : '✗';
      const trust = c.self_reported ? ` (relies on ${c.self_reported})` : '';
      lines.push(`- ${mark} ${c.exercise}: ${c.description} (${c.earned}/${c.points})${c.reason ? `: ${oneLine(c.reason)}` : ''}${trust}`);
    }
    if (g.notes.length) lines.push('', ...g.notes.map((note) => `- note: ${oneLine(note)}`));
  }
  return `${lines.join('\n')}\n`;
}

export interface ReportPaths {
  csv: string;
  summary: string;
  json: string;
}

export function reportPaths(outDir: string): ReportPaths {
  return { csv: `${outDir}/grades.csv`, summary: `${outDir}/summary.md`, json: `${outDir}/grades.json` };
}

/** Writes the three reports, each atomically; fields beyond a grade's (a rerun's key) go into the JSON only. */
export function writeReports(outDir: string, grades: SubmissionGrade[]): ReportPaths {
  const paths = reportPaths(outDir);
  writeFileAtomic(paths.csv, gradesCsv(grades));
  writeFileAtomic(paths.summary, gradesSummary(grades));
  writeFileAtomic(paths.json, `${JSON.stringify(grades, null, 2)}\n`);
  return paths;
}
