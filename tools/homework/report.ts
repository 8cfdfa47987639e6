/** The grade report: a CSV for the gradebook, a readable summary, and the raw results as JSON. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubmissionGrade } from './grade';

export const CSV_COLUMNS = ['student', 'lesson', 'exercise', 'check', 'points', 'max_points', 'reason', 'file'] as const;

function csvField(value: string | number): string {
  const text = String(value);
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
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}

export function total(g: SubmissionGrade): { earned: number; max: number } {
  return g.checks.reduce((sum, c) => ({ earned: sum.earned + c.earned, max: sum.max + c.points }), { earned: 0, max: 0 });
}

/** Markdown: a table of totals, then each notebook's checks with the reason for every lost point. */
export function gradesSummary(grades: SubmissionGrade[]): string {
  const lines = ['# Homework grades', '', '| student | lesson | points | time |', '| --- | --- | --- | --- |'];
  for (const g of grades) {
    const { earned, max } = total(g);
    lines.push(`| ${g.student} | ${g.lesson?.slug ?? '?'} | ${g.checks.length ? `${earned} / ${max}` : 'not graded'} | ${g.seconds} s |`);
  }
  for (const g of grades) {
    const { earned, max } = total(g);
    lines.push('', `## ${g.student}: ${g.lesson?.slug ?? 'unknown lesson'} (${earned} / ${max})`, '', `File: \`${g.file}\``, '');
    for (const c of g.checks) {
      const mark = c.earned === c.points ? '✓' : '✗';
      lines.push(`- ${mark} ${c.exercise}: ${c.description} (${c.earned}/${c.points})${c.reason ? `: ${c.reason}` : ''}`);
    }
    if (g.notes.length) lines.push('', ...g.notes.map((note) => `- note: ${note}`));
  }
  return `${lines.join('\n')}\n`;
}

export function writeReports(outDir: string, grades: SubmissionGrade[]): { csv: string; summary: string; json: string } {
  const paths = { csv: join(outDir, 'grades.csv'), summary: join(outDir, 'summary.md'), json: join(outDir, 'grades.json') };
  writeFileSync(paths.csv, gradesCsv(grades));
  writeFileSync(paths.summary, gradesSummary(grades));
  writeFileSync(paths.json, `${JSON.stringify(grades, null, 2)}\n`);
  return paths;
}
