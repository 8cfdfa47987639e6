/**
 * The course's grades of one Gradescope submission as Gradescope's results.json: one test per check of
 * each lesson of the bundle, with its points and the reason for lost ones, at the bundle's visibility,
 * and for each lesson a visible test of no points that says at once whether its notebook was found.
 * Checked against results.schema.json (the format, from Gradescope's specification) before it is written.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Ajv from 'ajv';
import { REPO_ROOT } from '../../jupyter.mjs';
import { findLesson, readNotebook } from '../../notebooks';
import type { SubmissionGrade } from '../grade';
import { checkCellsOf } from '../grading-notebook';
import type { GradescopeSettings, Visibility } from './settings';

export interface GradescopeTest {
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  name: string;
  number: string;
  output: string;
  visibility: Visibility;
}

export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  stdout_visibility: Visibility;
  tests: GradescopeTest[];
}

const SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, 'tools', 'homework', 'gradescope', 'results.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(SCHEMA);

/** What is wrong with a results.json, in ajv's words, or nothing. */
export function resultsProblems(results: unknown): string[] {
  return validate(results) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim());
}

export function gradescopeResults(grades: SubmissionGrade[], settings: GradescopeSettings, seconds: number, preface: string[]): GradescopeResults {
  const tests: GradescopeTest[] = [];
  const output = [...preface];
  for (const number of settings.lessons) {
    const lesson = findLesson(String(number));
    const own = grades.filter((g) => g.lesson?.number === number);
    const found = own.map((g) => basename(g.file)).join(', ');
    tests.push({
      score: 0,
      max_score: 0,
      status: own.length === 1 ? 'passed' : 'failed',
      name: `Lesson ${number}: notebook handed in`,
      number: `${number}.0`,
      output: own.length === 0 ? `No notebook of lesson ${number} (${lesson.slug}.ipynb) was found in your submission.` : `Found: ${found}`,
      visibility: 'visible',
    });
    // Two notebooks of one lesson are both at zero, each saying why: the first one's reasons say it.
    const grade = own[0];
    checkCellsOf(readNotebook(lesson.path)).forEach(({ meta }, index) => {
      const check = grade?.checks[index];
      const score = check?.earned ?? 0;
      tests.push({
        score,
        max_score: meta.points,
        status: score === meta.points ? 'passed' : 'failed',
        name: `Lesson ${number}, ${meta.exercise}: ${meta.description}`,
        number: `${number}.${index + 1}`,
        output: check ? (check.reason ?? 'Passed.') : `No notebook of lesson ${number} was found in your submission.`,
        visibility: settings.visibility,
      });
    });
    for (const g of own) output.push(...g.notes.map((n) => `${basename(g.file)}: ${n}`));
  }
  for (const g of grades.filter((g) => !g.lesson || !settings.lessons.includes(g.lesson.number))) {
    output.push(`${basename(g.file)} was not graded: it is not a notebook of lesson ${settings.lessons.join(' or ')}${g.notes.length ? ` (${g.notes.join('; ')})` : ''}.`);
  }
  return {
    score: tests.reduce((sum, t) => sum + t.score, 0),
    execution_time: Math.round(seconds),
    output: output.join('\n'),
    stdout_visibility: 'hidden',
    tests,
  };
}
