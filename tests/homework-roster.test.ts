// A class graded with a roster, through the real CLI and the real kernel: every listed student gets a
// row, the gradebook (one row per student, one column per lesson) and a feedback file each; files of
// students the roster does not list, two notebooks for one lesson and a notebook whose metadata and
// name disagree are flagged; rosters that try path traversal or spreadsheet formulas are refused.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson } from '../tools/notebooks';
import { buildHomework } from '../tools/homework/build';
import type { SubmissionGrade } from '../tools/homework/grade';
import { haveGraderSandbox } from './helpers/grader-sandbox';

const MINUTES = 60_000;
const scratch = join(REPO_ROOT, 'build', 'test-homework-roster');
const INJECTION = '=cmd|\' -C calc\'!A0';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
const csvOf = (file: string) => Papa.parse<string[]>(readFileSync(file, 'utf8'), { skipEmptyLines: true }).data;

describe('rosters that are not plain lists of names', () => {
  const rosterFile = join(scratch, 'bad-roster.csv');
  const refused = (content: string) => {
    mkdirSync(scratch, { recursive: true });
    writeFileSync(rosterFile, content);
    return cli('grade', join(scratch, 'nowhere'), '--roster', rosterFile);
  };

  it('refuses an id that climbs out of a folder or is a formula, naming the row and the fix', () => {
    for (const id of ['../../etc/passwd', 'a/b', INJECTION, '.hidden', '']) {
      const run = refused(`student,name\nalice,Alice\n"${id.replace(/"/g, '""')}",Mallory\n`);
      expect(run.status, id).toBe(2);
      expect(run.stderr, id).toContain('row 3: the student id');
      expect(run.stderr, id).toContain('Fix: use letters, digits');
    }
  });

  it('refuses a roster without a student column, or with a student twice', () => {
    expect(refused('id,name\nalice,Alice\n').stderr).toContain('has no "student" column (its columns: id, name)');
    expect(refused('student\nalice\nalice\n').stderr).toContain('row 3: the student id "alice" is listed twice');
  });
});

const HAVE_SANDBOX = haveGraderSandbox('the roster and gradebook tests');

describe.runIf(HAVE_SANDBOX)('grading a class with a roster', () => {
  const submissions = join(scratch, 'class');
  const out = join(scratch, 'grades');
  const built = join(scratch, 'built');
  const roster = join(scratch, 'students.csv');
  let run: ReturnType<typeof cli>;
  let grades: SubmissionGrade[] = [];
  // Rows of a notebook handed in (a roster's "no submission" rows have no file).
  const gradesOf = (student: string) => grades.filter((g) => g.student === student && g.file !== '');
  const lesson2 = findLesson('2').slug;

  beforeAll(() => {
    for (const dir of [submissions, out]) rmSync(dir, { recursive: true, force: true });
    buildHomework(built);
    const put = (student: string, name: string, from: string) => {
      mkdirSync(join(submissions, student), { recursive: true });
      cpSync(from, join(submissions, student, name));
    };
    put('alice', '01-linear-regression.ipynb', findLesson('1').path);
    // Two notebooks of lesson 1 (the second one named after nothing, its metadata says lesson 1).
    put('bob', '01-linear-regression.ipynb', findLesson('1').path);
    put('bob', 'homework.ipynb', join(built, '01-linear-regression.ipynb'));
    // Lesson 1's notebook handed in under lesson 2's name.
    put('carol', `${findLesson('2').slug}.ipynb`, join(built, '01-linear-regression.ipynb'));
    // Not on the roster, and named like a formula.
    put(INJECTION, '01-linear-regression.ipynb', join(built, '01-linear-regression.ipynb'));
    writeFileSync(roster, 'student,name\nalice,Alice A.\nbob,Bob B.\ncarol,"Carol, C."\ndave,Dave D.\n');
    run = cli('grade', submissions, '--out', out, '--roster', roster);
    grades = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8')) as SubmissionGrade[];
  }, 20 * MINUTES);

  it('grades, with as many notebooks at a time as the machine has cores, and says what it flagged', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`${availableParallelism()} at a time`);
    expect(run.stdout).toMatch(/Flagged[^\n]*\n(.*\n)*.*bob \(homework\.ipynb\): not graded: is one of 2 notebooks for lesson 1/);
    expect(gradesOf('alice').map((g) => g.checks.map((c) => c.earned))).toEqual([[2, 1]]);
  });

  it('two notebooks for one lesson from one student: neither is graded, both say why', () => {
    const bob = gradesOf('bob');
    expect(bob).toHaveLength(2);
    for (const g of bob) {
      expect(g.checks.every((c) => c.earned === 0 && /is one of 2 notebooks for lesson 1 from this student \(01-linear-regression\.ipynb, homework\.ipynb\)/.test(c.reason ?? ''))).toBe(true);
      expect(g.executedPath).toBeUndefined();
    }
  });

  it('a notebook whose lesson metadata and name disagree is not graded, and says so', () => {
    const [carol] = gradesOf('carol');
    expect(carol.notes[0]).toBe("not graded: this notebook says in its metadata that it is lesson 1, but its name says lesson 2: hand in the lesson's own notebook under its own name");
    expect(carol.lesson?.number).toBe(2);
  });

  it('a student not on the roster is graded and flagged; one with nothing handed in has "no submission" rows', () => {
    const [unknown] = gradesOf(INJECTION);
    expect(unknown.checks.every((c) => c.earned === 0 && /Exercise 6/.test(c.reason ?? ''))).toBe(true);
    expect(unknown.notes).toContain(`"${INJECTION}" is not on the roster: is the folder (or file) named after the student's id?`);
    const dave = grades.filter((g) => g.student === 'dave');
    expect(dave.map((g) => g.lesson?.number).sort()).toEqual([1, 2]);
    expect(dave.flatMap((g) => g.checks.map((c) => c.reason))).toEqual(Array(dave.flatMap((g) => g.checks).length).fill('no submission'));
    const csv = csvOf(join(out, 'grades.csv'));
    expect(csv.filter((row) => row[0] === 'dave').length).toBe(dave.flatMap((g) => g.checks).length);
    // The formula stays text in every spreadsheet.
    expect(csv.filter((row) => row[0].includes('cmd')).every((row) => row[0] === `'${INJECTION}`)).toBe(true);
  });

  it('the gradebook has one row per listed student and one column per lesson, with what to look at', () => {
    const csv = csvOf(join(out, 'gradebook.csv'));
    expect(csv[0]).toEqual(['student', 'name', '01-linear-regression (of 3)', `${lesson2} (of 3)`, 'total', 'max_total', 'flags']);
    expect(csv.slice(1)).toEqual([
      ['alice', 'Alice A.', '3', '0', '3', '6', 'lesson 2: no submission'],
      ['bob', 'Bob B.', '0', '0', '0', '6', 'lesson 1: not graded (see the summary); lesson 2: no submission'],
      ['carol', 'Carol, C.', '0', '0', '0', '6', 'lesson 1: no submission; lesson 2: not graded (see the summary)'],
      ['dave', 'Dave D.', '0', '0', '0', '6', 'lesson 1: no submission; lesson 2: no submission'],
    ]);
  });

  it('each student gets a feedback file in Markdown and HTML, with every check, its points and the reason for each lost point', () => {
    const dir = join(out, 'feedback');
    const files = readdirSync(dir).sort();
    for (const file of files) expect(lstatSync(join(dir, file)).isFile()).toBe(true);
    expect(files.filter((f) => /^(alice|bob|carol|dave)\.(md|html)$/.test(f))).toHaveLength(8);
    // The formula's file is a plain name in the feedback folder, not a formula or a path.
    expect(files.filter((f) => !/^(alice|bob|carol|dave)\./.test(f))).toEqual([expect.stringMatching(/^cmd_-C_calc_A0-[0-9a-f]{8}\.html$/), expect.stringMatching(/^cmd_-C_calc_A0-[0-9a-f]{8}\.md$/)]);
    const alice = readFileSync(join(dir, 'alice.md'), 'utf8');
    expect(alice).toContain('## Lesson 1 (01-linear-regression): 3 / 3 points');
    expect(alice).toContain('- ✓ Exercise 6: the Huber loss: matches the Huber loss on hidden residuals and deltas (2/2)');
    expect(alice).toContain(`## Lesson 2 (${lesson2}): no submission`);
    const unknown = files.find((f) => f.endsWith('.md') && f.startsWith('cmd'))!;
    const text = readFileSync(join(dir, unknown), 'utf8');
    expect(text).toMatch(/- ✗ Exercise 6: the Huber loss: matches the Huber loss on hidden residuals and deltas \(0\/2\) {2}\n {2}Why: .*Exercise 6/);
    const html = readFileSync(join(dir, unknown.replace(/\.md$/, '.html')), 'utf8');
    expect(html).toContain('<title>Homework feedback: =cmd|&#39; -C calc&#39;!A0</title>');
    expect(html).not.toMatch(/<(?!\/?(html|head|meta|title|body|h1|h2|ul|li|br)\b|!doctype)/);
  });

  it('`report` makes the same gradebook from the grades of separate runs (one per container or machine)', () => {
    const merged = join(scratch, 'merged');
    rmSync(merged, { recursive: true, force: true });
    const again = cli('report', out, '--out', merged, '--roster', roster);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(merged, 'gradebook.csv'), 'utf8')).toBe(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    expect(existsSync(join(merged, 'feedback', 'dave.html'))).toBe(true);
  });

  it('`report` does not let two notebooks of one lesson graded apart both count', () => {
    const [alice] = gradesOf('alice');
    const apart = join(scratch, 'apart');
    rmSync(apart, { recursive: true, force: true });
    for (const [part, file] of [['1', alice.file], ['2', alice.file.replace(/[^/]+$/, 'again.ipynb')]]) {
      mkdirSync(join(apart, part), { recursive: true });
      writeFileSync(join(apart, part, 'grades.json'), JSON.stringify([{ ...alice, file }]));
    }
    const merged = cli('report', apart, '--out', join(apart, 'out'), '--roster', roster);
    expect(merged.status, merged.stderr).toBe(0);
    expect(csvOf(join(apart, 'out', 'gradebook.csv'))[1]).toEqual(['alice', 'Alice A.', '0', '0', '3', 'lesson 1: not graded (see the summary)']);
    expect(readFileSync(join(apart, 'out', 'feedback', 'alice.md'), 'utf8')).toContain('Why: not graded: this notebook is one of 2 notebooks for lesson 1 from this student (01-linear-regression.ipynb, again.ipynb)');
  });
});
