// Homework: student notebooks built from the lessons, and the grader run on a class through the real
// tslab kernel, in its sandbox: the teacher's solutions (full marks), untouched student notebooks
// (zero, with the stub's instruction as the reason), broken copies of lesson 1's exercise, and
// submissions that cheat or attack the run (tests/fixtures/homework-attacks.ts), graded together in one run.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson, listLessons, Notebook, readNotebook } from '../tools/notebooks';
import { buildHomework, MarkerError, stubbedSource } from '../tools/homework/build';
import type { SubmissionGrade } from '../tools/homework/grade';
import { gradeSubmission } from '../tools/homework/grade';
import { reasonFrom } from '../tools/homework/reasons';
import { gradesCsv } from '../tools/homework/report';
import { SANDBOX_UID_BASE } from '../tools/homework/sandbox';
import { BEGIN_SOLUTION, END_SOLUTION, hasTag, sourceOf, STUB_LINE, TAG } from '../tools/homework/markers';
import { kernelFailingToStart } from './helpers/failing-kernel';
import { haveGraderSandbox } from './helpers/grader-sandbox';
import { attackNotebook, attacks, FAKE_PASS_THEN_SLEEP, LEFTOVER_MARKERS, RIGHT_HUBER } from './fixtures/homework-attacks';

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
    it(`lesson ${lesson.number}: graded exercises become stubs; no solution, check or probe reaches the student`, () => {
      const teacher = readNotebook(lesson.path);
      const student = readNotebook(join(out, `${lesson.slug}.ipynb`));
      const solutions = teacher.cells.filter((c) => hasTag(c, TAG.solution));
      expect(solutions.length, 'every lesson has a graded exercise').toBeGreaterThan(0);
      const checks = teacher.cells.filter((c) => hasTag(c, TAG.check) && !hasTag(c, TAG.probe));
      const probes = teacher.cells.filter((c) => hasTag(c, TAG.probe));
      expect(checks.length).toBeGreaterThan(0);
      expect(probes.length, 'every check has its probe').toBe(checks.length);

      const studentText = student.cells.map(sourceOf).join('\n');
      // Lines the lesson also uses outside its solutions (`optimizer.dispose();`, ...) tell nothing away.
      const elsewhere = new Set(teacher.cells.filter((c) => !hasTag(c, TAG.solution)).flatMap((c) => sourceOf(c).split('\n').map((l) => l.trim())));
      expect(student.cells.some((c) => hasTag(c, TAG.check) || hasTag(c, TAG.probe))).toBe(false);
      expect(studentText).not.toMatch(/BEGIN SOLUTION|END SOLUTION|STUB:|src\/homework\/checks|src\/homework\/grading/);
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

/** A minimal CSV reader (RFC 4180 quoting), to read the report as a spreadsheet would. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  return rows;
}

describe('grade reports', () => {
  it('reasons carry no stack trace, source excerpt or position into the hidden check', () => {
    expect(reasonFrom('CheckFailed: huberLoss(x, 1): expected 1, got 2\n    at foo (bar.js:1:1)')).toBe('huberLoss(x, 1): expected 1, got 2');
    expect(reasonFrom('/x/tf-core.node.js:4578\n  throw e;\n  ^\n\nError: I give up\n    at f (evalmachine:3:9)')).toBe('Error: I give up');
    expect(reasonFrom("3:5 - Cannot find name 'huberLoss'.\n7:1 - Cannot find name 'huberLoss'.")).toBe("the code does not compile: Cannot find name 'huberLoss'.");
  });

  it('the CSV quotes what needs quoting, and no name or reason becomes a formula', () => {
    const grade: SubmissionGrade = {
      student: 'o"brien', file: 'a,b.ipynb', lesson: { number: 1, slug: '01-x' }, notes: [], seconds: 1, complete: true,
      checks: [{ exercise: 'Exercise 6', description: 'works', points: 2, earned: 0, reason: 'expected 1, got "2"\nsecond line' }],
    };
    expect(gradesCsv([grade]).split('\n')[1]).toBe('"o""brien",1,Exercise 6,works,0,2,"expected 1, got ""2""');
    const formula = { ...grade, student: '=HYPERLINK("http://x")', checks: [{ ...grade.checks[0], reason: '+1' }] };
    expect(parseCsv(gradesCsv([formula]))[1]).toEqual(["'=HYPERLINK(\"http://x\")", '1', 'Exercise 6', 'works', '0', '2', "'+1", 'a,b.ipynb']);
  });
});

/** Lesson 1's student notebook with the stub line replaced by `code`. */
function lesson1With(code: string): Notebook {
  const notebook = readNotebook(join(scratch, 'built', '01-linear-regression.ipynb'));
  const cell = notebook.cells.find((c) => sourceOf(c).includes("todo('Exercise 6"))!;
  cell.source = sourceOf(cell).replace(/^\s*return todo\(.*$/m, code.replace(/\$/g, '$$$$'));
  return notebook;
}

const BROKEN: Record<string, string> = {
  'syntax-error': '  return tf.mean(residuals;',
  'type-error': "  return 'a string';",
  'wrong-answer': '  return tf.tidy(() => tf.mean(tf.mul(0.5, tf.square(residuals)))) as tf.Scalar;',
  'leaks-tensors': '  const inside = tf.minimum(tf.abs(residuals), delta);\n  return tf.mean(tf.add(tf.mul(0.5, tf.square(inside)), tf.mul(delta, tf.sub(tf.abs(residuals), inside)))) as tf.Scalar;',
  throws: "  throw new Error('I give up');",
  'exits-the-kernel': '  process.exit(1);',
};

/** Notebooks the grader cannot read, each for its own reason. */
function malformed(folder: string): void {
  const lesson1 = readFileSync(join(scratch, 'built', '01-linear-regression.ipynb'), 'utf8');
  const put = (student: string, content: string | Buffer) => {
    mkdirSync(join(folder, student), { recursive: true });
    writeFileSync(join(folder, student, '01-linear-regression.ipynb'), content);
  };
  put('not-json', '{"cells": [');
  put('null-cell', JSON.stringify({ ...JSON.parse(lesson1), cells: [null] }));
  const noSource = JSON.parse(lesson1) as Notebook;
  delete (noSource.cells.find((c) => c.cell_type === 'code') as Partial<Notebook['cells'][number]>).source;
  put('no-source', JSON.stringify(noSource));
  put('huge', JSON.stringify({ ...JSON.parse(lesson1), metadata: { padding: 'x'.repeat(21 * 2 ** 20) } }));
  put('binary', createHash('sha512').update('junk').digest().toString('binary').repeat(500));
}

/** Processes of any sandbox, or left by an attack, still alive. */
function leftoverProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      // Another checkout's grading run on the same machine (its tools and packages named by path) is not ours to judge.
      const otherCheckouts = /\/(tools|node_modules)\//.test(command) && !command.includes(`${REPO_ROOT}/`);
      const sandboxed = uid >= SANDBOX_UID_BASE && uid < SANDBOX_UID_BASE + 1000 && !otherCheckouts;
      if (sandboxed || LEFTOVER_MARKERS.some((marker) => command.includes(`sleep ${marker}`))) found.push(`${pid} (uid ${uid}): ${command}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

const gitStatus = () => spawnSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function runGrader(paths: string[], outDir: string, ...options: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', 'grade', ...paths, '--out', outDir, '--jobs', '2', ...options], { cwd: REPO_ROOT, encoding: 'utf8' });
}

const readGrades = (outDir: string) => JSON.parse(readFileSync(join(outDir, 'grades.json'), 'utf8')) as Array<SubmissionGrade & { key?: string }>;

const HAVE_SANDBOX = haveGraderSandbox('the homework grading tests');

describe.runIf(HAVE_SANDBOX)('homework grade', () => {
  const submissions = join(scratch, 'submissions');
  const out = join(scratch, 'grades');
  const builtDir = join(scratch, 'built');
  let grades: SubmissionGrade[] = [];
  let run: ReturnType<typeof spawnSync>;
  let hangRun: ReturnType<typeof spawnSync>;
  let honestBefore = '';
  let statusBefore = '';
  let leftovers: string[] = [];
  const attackList = attacks({ submissions, grades: out });
  const gradeOf = (student: string, slug = '01-linear-regression') => {
    const found = grades.find((g) => g.student === student && g.lesson?.slug === slug);
    if (!found) throw new Error(`no grade for ${student} ${slug}`);
    return found;
  };
  const points = (g: SubmissionGrade) => g.checks.reduce((s, c) => s + c.earned, 0);
  const maxPoints = (g: SubmissionGrade) => g.checks.reduce((s, c) => s + c.points, 0);
  const reasons = (student: string, slug?: string) => gradeOf(student, slug).checks.map((c) => c.reason ?? '').join(' | ');
  const outputsOf = (student: string, slug?: string) => {
    const path = gradeOf(student, slug).executedPath;
    return path && existsSync(path) ? readNotebook(path).cells.flatMap((c) => c.outputs ?? []).map((o) => String(o.text ?? '')).join('') : '';
  };

  beforeAll(() => {
    for (const dir of [submissions, out, join(scratch, 'hanging')]) rmSync(dir, { recursive: true, force: true });
    buildHomework(builtDir);
    mkdirSync(join(submissions, 'reference'), { recursive: true });
    for (const lesson of listLessons()) cpSync(lesson.path, join(submissions, 'reference', `${lesson.slug}.ipynb`));
    cpSync(builtDir, join(submissions, 'untouched'), { recursive: true, filter: (p) => !p.endsWith('/src') });
    const put = (folder: string, notebook: Notebook, name = '01-linear-regression.ipynb') => {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, name), JSON.stringify(notebook));
    };
    for (const [name, code] of Object.entries(BROKEN)) put(join(submissions, name), lesson1With(code));
    put(join(submissions, 'honest-ada'), lesson1With(RIGHT_HUBER));
    for (const [name, attack] of Object.entries(attackList)) put(join(submissions, name), attackNotebook(builtDir, attack), `${attack.lesson}.ipynb`);
    malformed(submissions);
    // A link to the teacher's solution, and a folder linked to a classmate's: neither is followed.
    mkdirSync(join(submissions, 'symlinked'));
    symlinkSync(findLesson('1').path, join(submissions, 'symlinked', '01-linear-regression.ipynb'));
    symlinkSync(join(submissions, 'honest-ada'), join(submissions, 'linked-folder'));
    // Names that try to become formulas, break lines or climb out of the work folder.
    for (const name of ['=HYPERLINK("evil.example","grades")', 'new\nline']) {
      mkdirSync(join(submissions, name));
      writeFileSync(join(submissions, name, '01-linear-regression.ipynb'), '{"cells": [');
    }
    writeFileSync(join(submissions, '...ipynb'), '{"cells": [');

    mkdirSync(join(scratch, 'hanging', 'infinite-loop'), { recursive: true });
    put(join(scratch, 'hanging', 'infinite-loop'), lesson1With('  while (true) {}'));
    put(join(scratch, 'hanging', 'fake-pass-then-sleep'), lesson1With(FAKE_PASS_THEN_SLEEP));

    honestBefore = hashOf(join(submissions, 'honest-ada', '01-linear-regression.ipynb'));
    statusBefore = gitStatus();
    run = runGrader([submissions], out);
    leftovers = leftoverProcesses();
    grades = readGrades(out);
    // The hangs get a short cell limit of their own, so that the lessons' real cells keep theirs.
    hangRun = runGrader([join(scratch, 'hanging')], join(out, 'hang'), '--cell-timeout', '20');
    grades.push(...readGrades(join(out, 'hang')));
  }, 60 * MINUTES);

  it('grades every notebook, each with its rows, and writes the CSV, the summary and the JSON', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(hangRun.status, `${hangRun.stdout}\n${hangRun.stderr}`).toBe(0);
    const everyone = readdirSync(submissions).filter((name) => name !== '...ipynb');
    const expected = 2 * listLessons().length + everyone.length - 2 + 1 + 2;
    expect(grades.length).toBe(expected);
    const csv = parseCsv(readFileSync(join(out, 'grades.csv'), 'utf8'));
    expect(csv[0]).toEqual(['student', 'lesson', 'exercise', 'check', 'points', 'max_points', 'reason', 'file']);
    const json = readGrades(out);
    // The CSV and the JSON tell the same story, row for row, whatever the submissions tried.
    expect(csv.slice(1).map((row) => `${row[0].replace(/^'/, '')}|${row[4]}`)).toEqual(json.flatMap((g) => (g.checks.length ? g.checks.map((c) => `${g.student}|${c.earned}`) : [`${g.student}|0`])));
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

  it('a notebook that cannot be read scores zero on every check of its lesson, saying what is wrong with it', () => {
    const expectations: Record<string, RegExp> = {
      'not-json': /it is not JSON/,
      'null-cell': /cell 1 is null, not a cell/,
      'no-source': /cell \d+ \(code\) has no source/,
      huge: /it is 21 MiB, more than the 20 MiB a notebook may have/,
      binary: /it is not JSON/,
      symlinked: /symbolic link/,
    };
    for (const [student, pattern] of Object.entries(expectations)) {
      const grade = gradeOf(student);
      expect(grade.notes[0], student).toMatch(/^not a readable notebook: /);
      expect(grade.checks.length, student).toBe(2);
      for (const check of grade.checks) {
        expect(check.earned, student).toBe(0);
        expect(check.reason, student).toMatch(/^the notebook could not be read: /);
        expect(check.reason, student).toMatch(pattern);
      }
    }
    expect(grades.find((g) => g.student === 'linked-folder')?.notes[0]).toMatch(/symbolic link to a folder, which the grader does not follow/);
  });

  describe('submissions that cheat or attack the run', () => {
    it('forged checks score zero, each with a reason', () => {
      for (const student of ['abort-queue', 'replaced-checks', 'patched-math', 'reads-solution', 'tampers-with-others', 'detached-rewriter', 'kills-the-executor', 'memory-hog', 'fork-bomb', 'fake-pass-then-sleep']) {
        const grade = gradeOf(student);
        expect(points(grade), `${student}: ${reasons(student)}`).toBe(0);
        for (const check of grade.checks) expect(check.reason, student).toBeTruthy();
      }
      expect(points(gradeOf('patched-tensor-mean', '05-deeper-network'))).toBe(0);
      expect(reasons('patched-tensor-mean', '05-deeper-network')).toMatch(/^myClassifier is right on \d+\.\d+% of the test images; 97% are needed$/);
      expect(reasons('abort-queue')).toMatch(/the kernel did not run the check \(the kernel answered 'abort' instead of running the cell\)/);
      expect(reasons('patched-math')).toMatch(/huberLoss\(residuals, 1\) on 200 residuals: expected [\d.]+, got [\d.]+/);
      // The forged answers reached the judge as answers, and were judged.
      expect(gradeOf('replaced-checks').checks[0].reason).toMatch(/^huberLoss\(residuals, 1\) on 200 residuals: expected [\d.]+, got 1\.5$/);
      expect(reasons('kills-the-executor')).toMatch(/stopped the notebook run and was skipped/);
    });

    it('nothing of the teacher\'s is in reach: no lesson, no solution, no check, and nothing written anywhere', () => {
      for (const student of Object.keys(attackList)) expect(outputsOf(student, attackList[student].lesson), student).not.toContain('ESCAPED');
      const tamperer = outputsOf('tampers-with-others');
      expect(tamperer).toMatch(/could not write \.\/src\/homework\/checks\.ts (EROFS|EACCES)/);
      expect(tamperer).toMatch(/no classmate here: ENOENT/);
      for (const what of ['the network', 'root', 'sysrq', 'a sysctl', 'the shadow file', 'the machine processes']) expect(tamperer).toContain(`no ${what}`);
      // What the sandbox was given: the probes, never a check's reference or inputs' answers.
      const given = readFileSync(join(gradeOf('reads-solution').executedPath!.replace(/\.executed\.ipynb$/, '.ipynb')), 'utf8');
      expect(given).toContain("probe('huber-loss-values'");
      expect(given).not.toMatch(/check\('huber-loss|expectClose|BEGIN SOLUTION/);
    });

    it('the honest students keep their full marks and their files, and the checkout is untouched', () => {
      expect(points(gradeOf('honest-ada')), reasons('honest-ada')).toBe(3);
      expect(hashOf(join(submissions, 'honest-ada', '01-linear-regression.ipynb'))).toBe(honestBefore);
      expect(gitStatus()).toBe(statusBefore);
      expect(points(gradeOf('fills-the-disk')), reasons('fills-the-disk')).toBe(3);
      expect(outputsOf('fills-the-disk')).toMatch(/stopped filling: ENOSPC/);
    });

    it('a memory hog and a fork bomb are stopped, with a reason naming the limit', () => {
      expect(reasons('memory-hog')).toMatch(/used more than the 2 GiB memory limit/);
      expect(reasons('fork-bomb')).toMatch(/tried to run more than the 128 processes and threads the sandbox allows/);
    });

    it('no process of any submission outlives the run', () => {
      expect(leftovers).toEqual([]);
      expect(leftoverProcesses()).toEqual([]);
      const csv = readFileSync(join(out, 'grades.csv'), 'utf8');
      expect(csv).not.toContain('hacked');
    });

    it('names stay in their cells: no formula, no broken line, no folder outside the work folder', () => {
      const csv = parseCsv(readFileSync(join(out, 'grades.csv'), 'utf8'));
      expect(csv.find((row) => row[0].includes('HYPERLINK'))?.[0]).toBe('\'=HYPERLINK("evil.example","grades")');
      expect(csv.find((row) => row[0].startsWith('new'))?.[0]).toBe('new\nline');
      expect(csv.every((row) => row.length === 8)).toBe(true);
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| new\\nline |');
      expect(grades.find((g) => g.student === '..')).toBeTruthy();
      for (const entry of readdirSync(join(out, 'work'))) expect(lstatSync(join(out, 'work', entry)).isDirectory()).toBe(true);
      expect(readdirSync(out).sort()).toEqual(['feedback', 'gradebook.csv', 'grades.csv', 'grades.json', 'hang', 'summary.md', 'work']);
      for (const entry of readdirSync(join(out, 'feedback'))) expect(entry).toMatch(/^[\p{L}\p{N}][\p{L}\p{N}._@+-]*\.(md|html)$/u);
    });
  });

  it('a rerun keeps the grades of notebooks that have not changed, and regrades one that has', () => {
    const before = readGrades(out);
    const again = runGrader([submissions], out);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${before.length} notebook(s) were unchanged since the last run`);
    expect(readGrades(out)).toEqual(before);

    writeFileSync(join(submissions, 'not-json', '01-linear-regression.ipynb'), '{"cells": [{');
    const third = runGrader([submissions], out);
    expect(third.stdout).toContain(`${before.length - 1} notebook(s) were unchanged since the last run`);
    expect(third.stdout).toMatch(/ not-json: 01-linear-regression 0\/3 \(\d/);
  }, 10 * MINUTES);
});

describe.runIf(HAVE_SANDBOX)('a grading run stopped by a signal', () => {
  it('stops every sandbox, writes reports with a row for every notebook, says so and exits non-zero', async () => {
    const folder = join(scratch, 'interrupted');
    const outDir = join(folder, 'grades');
    rmSync(folder, { recursive: true, force: true });
    buildHomework(join(scratch, 'built'));
    for (const student of ['a', 'b', 'c', 'd']) {
      mkdirSync(join(folder, 'class', student), { recursive: true });
      writeFileSync(join(folder, 'class', student, '01-linear-regression.ipynb'), JSON.stringify(lesson1With(student === 'a' ? RIGHT_HUBER : '  while (true) {}')));
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', 'grade', join(folder, 'class'), '--out', outDir, '--jobs', '1'], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // The first notebook is graded and the second is running (it hangs): now press Ctrl-C.
        if (/ a: 01-linear-regression 3\/3/.test(stdout)) setTimeout(() => resolve(), 5000);
      });
    });
    child.kill('SIGINT');
    expect(await exited, `${stdout}\n${stderr}`).toBe(130);
    expect(stderr).toMatch(/Interrupted by SIGINT: stopped every sandbox; the grades of 1 of 4 notebooks are in /);
    const csv = parseCsv(readFileSync(join(outDir, 'grades.csv'), 'utf8'));
    expect(csv.slice(1).map((row) => [row[0], row[4]])).toEqual([['a', '2'], ['a', '1'], ['b', '0'], ['c', '0'], ['d', '0']]);
    expect(csv.filter((row) => /not graded: the grading run was interrupted \(SIGINT\)/.test(row[6])).map((row) => row[0])).toEqual(['b', 'c', 'd']);
    expect(readGrades(outDir).map((g) => g.student)).toEqual(['a', 'b', 'c', 'd']);
    expect(readFileSync(join(outDir, 'summary.md'), 'utf8')).toContain('| a | 01-linear-regression | 3 / 3 |');
    expect(leftoverProcesses()).toEqual([]);
  }, 10 * MINUTES);
});

describe('grading without bubblewrap', () => {
  it('refuses, naming what is missing, how to install it, and --no-sandbox', () => {
    const folder = join(scratch, 'no-bwrap');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '01-linear-regression.ipynb'), '{"cells": [');
    // No PATH: bwrap cannot be found (node, tsx and Python are named by their full paths).
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', 'grade', folder, '--out', join(folder, 'grades')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/Grading runs each submission in a sandbox, and there is none here: bwrap is not installed\./);
    expect(run.stderr).toMatch(/Fix: run `npm run setup` as root, or sudo apt-get install bubblewrap/);
    expect(run.stderr).toMatch(/Or pass --no-sandbox to grade without one/);
    expect(existsSync(join(folder, 'grades'))).toBe(false);
  });
});

describe('grading without a kernel', () => {
  it('a kernel that will not start scores zero, and every check says why', async () => {
    mkdirSync(scratch, { recursive: true });
    const kernel = kernelFailingToStart(scratch, 99);
    // Without a sandbox: the test's own kernel lives outside the course's kernel folder.
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
