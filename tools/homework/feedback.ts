/**
 * A feedback file per student, to hand back: each lesson's checks with their points and the reason for
 * every lost point, in Markdown and in HTML. Everything in it that came from a submission (names,
 * reasons) is escaped, and the file name is the student's id only when that is a plain name.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write';
import { escapeHtml } from '../../src/notebook/escape-html';
import type { SubmissionGrade } from './grade';
import { gradebookStudents, NO_SUBMISSION } from './gradebook';
import { oneLine, total } from './report';
import { PLAIN_ID, type RosterStudent } from './roster';

/** The student's file name: the id if it is plain, else a readable part and a hash (never a path, never a dot file). */
export function feedbackFileName(student: string): string {
  if (PLAIN_ID.test(student)) return student;
  const readable = student.replace(/[^\p{L}\p{N}_-]+/gu, '_').replace(/^_+/, '').slice(0, 40);
  return `${readable || 'student'}-${createHash('sha256').update(student).digest('hex').slice(0, 8)}`;
}

interface Section {
  title: string;
  lines: Array<{ passed: boolean; text: string; reason?: string }>;
  notes: string[];
}

function sections(grades: SubmissionGrade[]): Section[] {
  return [...grades]
    .sort((a, b) => (a.lesson?.number ?? 99) - (b.lesson?.number ?? 99))
    .map((g) => {
      const { earned, max } = total(g);
      const title = `${g.lesson ? `Lesson ${g.lesson.number} (${g.lesson.slug})` : 'A notebook of no known lesson'}: ${g.notes[0] === NO_SUBMISSION ? NO_SUBMISSION : `${earned} / ${max} points`}`;
      const lines = g.checks.map((c) => ({
        passed: c.earned === c.points,
        text: `${c.exercise}: ${c.description} (${c.earned}/${c.points})`,
        reason: c.reason && c.reason !== NO_SUBMISSION ? c.reason : undefined,
      }));
      return { title, lines, notes: g.notes.filter((n) => n !== NO_SUBMISSION) };
    });
}

export function feedbackMarkdown(student: string, grades: SubmissionGrade[]): string {
  const out = [`# Homework feedback: ${oneLine(student)}`];
  for (const s of sections(grades)) {
    out.push('', `## ${oneLine(s.title)}`, '');
    for (const l of s.lines) out.push(`- ${l.passed ? '✓' : '✗'} ${oneLine(l.text)}${l.reason ? `  \n  Why: ${oneLine(l.reason)}` : ''}`);
    if (s.notes.length) out.push('', ...s.notes.map((n) => `- Note: ${oneLine(n)}`));
  }
  return `${out.join('\n')}\n`;
}

export function feedbackHtml(student: string, grades: SubmissionGrade[]): string {
  const body = sections(grades).map((s) => {
    const items = s.lines.map((l) => `<li>${l.passed ? '✓' : '✗'} ${escapeHtml(l.text)}${l.reason ? `<br>Why: ${escapeHtml(l.reason)}` : ''}</li>`);
    const notes = s.notes.map((n) => `<li>Note: ${escapeHtml(n)}</li>`);
    return `<h2>${escapeHtml(s.title)}</h2>\n<ul>\n${[...items, ...notes].join('\n')}\n</ul>`;
  });
  const title = `Homework feedback: ${escapeHtml(student)}`;
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n${body.join('\n')}\n</body>\n</html>\n`;
}

/** Writes feedback/<student>.md and .html for every student of the gradebook (and anyone else graded). */
export function writeFeedback(outDir: string, grades: SubmissionGrade[], roster?: RosterStudent[]): string {
  const dir = join(outDir, 'feedback');
  mkdirSync(dir, { recursive: true });
  const students = new Set([...gradebookStudents(grades, roster).map((s) => s.id), ...grades.map((g) => g.student)]);
  for (const student of students) {
    const own = grades.filter((g) => g.student === student);
    const name = feedbackFileName(student);
    writeFileAtomic(join(dir, `${name}.md`), feedbackMarkdown(student, own));
    writeFileAtomic(join(dir, `${name}.html`), feedbackHtml(student, own));
  }
  return dir;
}
