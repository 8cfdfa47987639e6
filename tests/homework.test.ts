// Homework: student notebooks built from the lessons, and the grader run on real submissions through the
// real tslab kernel: the teacher's solutions (full marks), untouched student notebooks (zero, with the
// stub's instruction as the reason), and broken copies of lesson 1's exercise, each scored and explained.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson, listLessons, Notebook, readNotebook } from '../tools/notebooks';
import { buildHomework, MarkerError, stubbedSource } from '../tools/homework/build';
import type { SubmissionGrade } from '../tools/homework/grade';
import { gradeSubmission, reasonFrom } from '../tools/homework/grade';
import { gradesCsv } from '../tools/homework/report';
import { BEGIN_SOLUTION, END_SOLUTION, hasTag, sourceOf, STUB_LINE, TAG } from '../tools/homework/markers';
import { kernelFailingToStart } from './helpers/failing-kernel';

const MINUTES = 60_000;
const scratch = join(REPO_ROOT, 'build', 'test-homework');

/** The teacher's code inside a cell's solution regions (lines long enough to be telling). */
function solutionLines(source: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const line of source.split('\n')) {
    if (BEGIN_SOLUTION.test(line)) inside = true;
    else if (END_SOLUTION.test(line)) inside = false;
    else if (inside && !STUB_LINE.test(line) && line.trim().length > 12) lines.push(line.trim());
  }
  return lines;
}

describe('homework build', () => {
  const out = join(scratch, 'built');
  let written: string[] = [];
  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    written = buildHomework(out);
  });

  it('writes one student notebook per lesson, next to a working src link', () => {
    expect(written.map((p) => p.split('/').pop())).toEqual(listLessons().map((l) => `${l.slug}.ipynb`));
    expect(realpathSync(join(out, 'src'))).toBe(realpathSync(join(REPO_ROOT, 'src')));
  });

  for (const lesson of listLessons()) {
    it(`lesson ${lesson.number}: graded exercises become stubs; no solution or check reaches the student`, () => {
      const teacher = readNotebook(lesson.path);
      const student = readNotebook(join(out, `${lesson.slug}.ipynb`));
      const solutions = teacher.cells.filter((c) => hasTag(c, TAG.solution));
      expect(solutions.length, 'every lesson has a graded exercise').toBeGreaterThan(0);
      expect(teacher.cells.filter((c) => hasTag(c, TAG.check)).length).toBeGreaterThan(0);

      const studentText = student.cells.map(sourceOf).join('\n');
      // Lines the lesson also uses outside its solutions (`optimizer.dispose();`, ...) tell nothing away.
      const elsewhere = new Set(teacher.cells.filter((c) => !hasTag(c, TAG.solution)).flatMap((c) => sourceOf(c).split('\n').map((l) => l.trim())));
      expect(student.cells.some((c) => hasTag(c, TAG.check))).toBe(false);
      expect(studentText).not.toMatch(/BEGIN SOLUTION|END SOLUTION|STUB:|src\/homework\/checks/);
      const answers = solutions.flatMap((c) => solutionLines(sourceOf(c))).filter((line) => !elsewhere.has(line));
      expect(answers.length).toBeGreaterThan(0);
      for (const line of answers) expect(studentText).not.toContain(line);
      const stubs = student.cells.filter((c) => /todo\('Exercise \d+: /.test(sourceOf(c)));
      expect(stubs.length).toBe(solutions.length);
      expect(student.cells.every((c) => c.cell_type !== 'code' || (c.outputs?.length === 0 && c.execution_count === null))).toBe(true);
      expect(student.metadata.course).toMatchObject({ lesson: lesson.number, homework: true, thresholds: {} });
    });
  }

  it('the student notebooks are valid nbformat 4', () => {
    const check = spawnSync('/usr/bin/python3', ['-c', 'import sys, nbformat\nfor p in sys.argv[1:]: nbformat.validate(nbformat.read(p, as_version=4))', ...written], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('rejects solution markers that would leak the answer or leave the student nothing', () => {
    expect(() => stubbedSource('// BEGIN SOLUTION\nreturn 1;\n// END SOLUTION', 'cell')).toThrow(MarkerError);
    expect(() => stubbedSource('// BEGIN SOLUTION\n// STUB: return todo("x");\nreturn 1;', 'cell')).toThrow(/without END SOLUTION/);
    expect(() => stubbedSource('return 1;', 'cell')).toThrow(/no BEGIN SOLUTION/);
    expect(stubbedSource('f() {\n  // BEGIN SOLUTION\n  // STUB: return todo("x");\n  return 1;\n  // END SOLUTION\n}', 'cell')).toBe('f() {\n  return todo("x");\n}');
  });
});

describe('grade reports', () => {
  it('reasons carry no stack trace, source excerpt or position into the hidden check', () => {
    expect(reasonFrom('CheckFailed: huberLoss(x, 1): expected 1, got 2\n    at foo (bar.js:1:1)')).toBe('huberLoss(x, 1): expected 1, got 2');
    expect(reasonFrom('/x/tf-core.node.js:4578\n  throw e;\n  ^\n\nError: I give up\n    at f (evalmachine:3:9)')).toBe('Error: I give up');
    expect(reasonFrom("3:5 - Cannot find name 'huberLoss'.\n7:1 - Cannot find name 'huberLoss'.")).toBe("the code does not compile: Cannot find name 'huberLoss'.");
  });

  it('the CSV quotes what needs quoting', () => {
    const grade: SubmissionGrade = {
      student: 'o"brien', file: 'a,b.ipynb', lesson: { number: 1, slug: '01-x' }, notes: [], seconds: 1,
      checks: [{ exercise: 'Exercise 6', description: 'works', points: 2, earned: 0, reason: 'expected 1, got "2"\nsecond line' }],
    };
    expect(gradesCsv([grade]).split('\n')[1]).toBe('"o""brien",1,Exercise 6,works,0,2,"expected 1, got ""2""');
  });
});

/** Lesson 1's student notebook with the stub line replaced by `code`. */
function lesson1With(code: string): Notebook {
  const notebook = readNotebook(join(scratch, 'built', '01-linear-regression.ipynb'));
  const cell = notebook.cells.find((c) => sourceOf(c).includes("todo('Exercise 6"))!;
  cell.source = sourceOf(cell).replace(/^\s*return todo\(.*$/m, code);
  return notebook;
}

const BROKEN: Record<string, string> = {
  'syntax-error': '  return tf.mean(residuals;',
  'type-error': "  return 'a string';",
  'wrong-answer': '  return tf.tidy(() => tf.mean(tf.mul(0.5, tf.square(residuals)))) as tf.Scalar;',
  'leaks-tensors': '  const inside = tf.minimum(tf.abs(residuals), delta);\n  return tf.mean(tf.add(tf.mul(0.5, tf.square(inside)), tf.mul(delta, tf.sub(tf.abs(residuals), inside)))) as tf.Scalar;',
  'infinite-loop': '  while (true) {}',
  throws: "  throw new Error('I give up');",
  'exits-the-kernel': '  process.exit(1);',
};

describe('homework grade', () => {
  const submissions = join(scratch, 'submissions');
  const out = join(scratch, 'grades');
  let grades: SubmissionGrade[] = [];
  let run: ReturnType<typeof spawnSync>;
  let hangRun: ReturnType<typeof spawnSync>;
  const gradeOf = (student: string, slug = '01-linear-regression') => {
    const found = grades.find((g) => g.student === student && g.lesson?.slug === slug);
    if (!found) throw new Error(`no grade for ${student} ${slug}`);
    return found;
  };
  const points = (g: SubmissionGrade) => g.checks.reduce((s, c) => s + c.earned, 0);
  const maxPoints = (g: SubmissionGrade) => g.checks.reduce((s, c) => s + c.points, 0);

  beforeAll(() => {
    rmSync(submissions, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    buildHomework(join(scratch, 'built'));
    mkdirSync(join(submissions, 'reference'), { recursive: true });
    for (const lesson of listLessons()) cpSync(lesson.path, join(submissions, 'reference', `${lesson.slug}.ipynb`));
    cpSync(join(scratch, 'built'), join(submissions, 'untouched'), { recursive: true, filter: (p) => !p.endsWith('/src') });
    for (const [name, code] of Object.entries(BROKEN)) {
      const folder = name === 'infinite-loop' ? join(scratch, 'hanging', name) : join(submissions, name);
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, '01-linear-regression.ipynb'), JSON.stringify(lesson1With(code)));
    }
    mkdirSync(join(submissions, 'not-json'));
    writeFileSync(join(submissions, 'not-json', '01-linear-regression.ipynb'), '{"cells": [');
    const grade = (paths: string[], outDir: string, ...options: string[]) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', 'grade', ...paths, '--out', outDir, ...options], { cwd: REPO_ROOT, encoding: 'utf8' });
      const json = join(outDir, 'grades.json');
      if (existsSync(json)) grades.push(...(JSON.parse(readFileSync(json, 'utf8')) as SubmissionGrade[]));
      return result;
    };
    // The hang gets a short cell limit of its own, so that the lessons' real cells keep theirs.
    const hanging = join(scratch, 'hanging');
    run = grade([submissions], out);
    hangRun = grade([hanging], join(out, 'hang'), '--cell-timeout', '20');
  }, 30 * MINUTES);

  it('grades every notebook and writes the CSV, the summary and the JSON', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(hangRun.status, `${hangRun.stdout}\n${hangRun.stderr}`).toBe(0);
    expect(grades.length).toBe(2 * listLessons().length + Object.keys(BROKEN).length + 1);
    const csv = readFileSync(join(out, 'grades.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('student,lesson,exercise,check,points,max_points,reason,file');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| reference | 01-linear-regression | 3 / 3 |');
  });

  for (const lesson of listLessons()) {
    it(`lesson ${lesson.number}: the teacher's solutions get full marks; the untouched stubs get zero, with the instruction`, () => {
      const reference = gradeOf('reference', lesson.slug);
      expect(reference.checks.filter((c) => c.reason).map((c) => c.reason), reference.notes.join('\n')).toEqual([]);
      expect(points(reference)).toBe(maxPoints(reference));
      expect(maxPoints(reference)).toBeGreaterThan(0);

      const untouched = gradeOf('untouched', lesson.slug);
      expect(points(untouched)).toBe(0);
      for (const check of untouched.checks) expect(check.reason).toMatch(/is not done yet: Exercise \d+: /);
    });

    it(`lesson ${lesson.number}: each stub cell fails with its instruction, not a stack trace`, () => {
      const executed = readNotebook(gradeOf('untouched', lesson.slug).executedPath!);
      const stubs = executed.cells.filter((c) => /todo\('Exercise \d+: /.test(sourceOf(c)));
      expect(stubs.length).toBeGreaterThan(0);
      for (const cell of stubs) {
        const instruction = /todo\('(Exercise \d+: [^']*)'\)/.exec(sourceOf(cell))![1];
        const stderr = (cell.outputs ?? []).map((o) => String(o.text ?? '')).join('');
        expect(stderr).toBe(`Exercise: ${instruction.replace(/\\'/g, "'")}\n`);
      }
    });
  }

  it('a syntax error, a type error, a throw, a hang and a dead kernel each score zero and say why', () => {
    const reasons = (student: string) => gradeOf(student).checks.map((c) => c.reason ?? '').join(' | ');
    expect(points(gradeOf('syntax-error'))).toBe(0);
    expect(reasons('syntax-error')).toMatch(/your code cell \d+ .* failed: the code does not compile: '\)' expected/);
    expect(points(gradeOf('type-error'))).toBe(0);
    expect(reasons('type-error')).toMatch(/Type 'string' is not assignable to type 'Scalar'/);
    expect(points(gradeOf('throws'))).toBe(0);
    expect(reasons('throws')).toMatch(/failed: Error: I give up/);
    expect(points(gradeOf('infinite-loop'))).toBe(0);
    expect(reasons('infinite-loop')).toMatch(/ran longer than 20 s and was skipped/);
    expect(points(gradeOf('exits-the-kernel'))).toBe(0);
    expect(reasons('exits-the-kernel')).toMatch(/stopped the kernel and was skipped/);
  });

  it('a wrong answer loses the points of the checks it fails, with expected and actual values', () => {
    const wrong = gradeOf('wrong-answer');
    expect(points(wrong)).toBe(0);
    expect(wrong.checks[0].reason).toMatch(/^huberLoss\(residuals, 1\) on 200 residuals: expected [\d.]+, got [\d.]+$/);
    const leaky = gradeOf('leaks-tensors');
    expect(leaky.checks.map((c) => c.earned)).toEqual([2, 0]);
    expect(leaky.checks[1].reason).toMatch(/leaves \d+ tensor\(s\) behind on every call/);
  });

  it('a file that is not a notebook scores zero on every check of its lesson', () => {
    const broken = gradeOf('not-json');
    expect(broken.notes[0]).toMatch(/^not a readable notebook: /);
    expect(broken.checks.length).toBeGreaterThan(0);
    expect(broken.checks.every((c) => c.earned === 0 && c.reason === 'the notebook could not be read')).toBe(true);
  });
});

describe('grading without a kernel', () => {
  it('a kernel that will not start scores zero, and every check says why', async () => {
    mkdirSync(scratch, { recursive: true });
    const kernel = kernelFailingToStart(scratch, 99);
    const grade = await gradeSubmission(findLesson('1').path, 'unlucky', {
      workDir: join(scratch, 'no-kernel'),
      timeLimitSeconds: 300,
      kernelName: kernel.name,
      env: kernel.env,
    });
    expect(grade.checks.length).toBeGreaterThan(0);
    for (const check of grade.checks) {
      expect(check.earned).toBe(0);
      expect(check.reason).toMatch(/^not run: the kernel could not run the notebook \(the kernel did not start \(3 tries\); the last try said: RuntimeError: Kernel died before replying to kernel_info\)$/);
    }
    expect(grade.notes).toEqual([expect.stringMatching(/^the kernel could not run the notebook: the kernel did not start/)]);
  }, 2 * MINUTES);
});
