// The Gradescope autograder bundle, tried on Gradescope's folder layout in a temporary folder: the
// bundle's own run_autograder grades the teacher's notebook, an untouched one, broken ones, two at once
// and none, with the course's real grader and kernel, and every results.json it writes is checked
// against Gradescope's format (tools/homework/gradescope/results.schema.json, with ajv). Gradescope's
// own image is not tried here: run_autograder uses this checkout (COURSE_DIR) instead of running setup.sh.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson, readNotebook } from '../tools/notebooks';
import { buildHomework } from '../tools/homework/build';
import { sourceOf } from '../tools/homework/markers';
import type { GradescopeResults } from '../tools/homework/gradescope/results';

const MINUTES = 60_000;
const scratch = join(REPO_ROOT, 'build', 'test-homework-gradescope');
const source = join(scratch, 'source');
const built = join(scratch, 'built');
const lesson1 = findLesson('1');
const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'tools', 'homework', 'gradescope', 'results.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

/** Lesson 1's student notebook with its stub answered by `code`. */
function lesson1With(code: string): string {
  const notebook = readNotebook(join(built, `${lesson1.slug}.ipynb`));
  const cell = notebook.cells.find((c) => sourceOf(c).includes("todo('Exercise 6"))!;
  cell.source = sourceOf(cell).replace(/^\s*return todo\(.*$/m, code);
  return JSON.stringify(notebook);
}

/** Gradescope's folders for one submission (source, submission, results), and run_autograder run there. */
function runAutograder(name: string, files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const root = join(scratch, 'runs', name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'submission'), { recursive: true });
  symlinkSync(source, join(root, 'source'));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(root, 'submission', file), content);
  const run = spawnSync(join(root, 'source', 'run_autograder'), [], { cwd: root, encoding: 'utf8', env: { ...process.env, AUTOGRADER_ROOT: root, COURSE_DIR: REPO_ROOT, ...env } });
  const results = JSON.parse(readFileSync(join(root, 'results', 'results.json'), 'utf8')) as GradescopeResults;
  return { run, results };
}

describe('the Gradescope bundle', () => {
  let bundle: Record<string, Uint8Array> = {};
  const runs: Record<string, ReturnType<typeof runAutograder>> = {};
  const text = (name: string) => Buffer.from(bundle[name]).toString('utf8');

  beforeAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    buildHomework(built);
    const made = cli('gradescope', '1', '--out', join(scratch, 'bundle'));
    expect(made.status, made.stderr).toBe(0);
    bundle = unzipSync(readFileSync(join(scratch, 'bundle', 'autograder.zip')));
    for (const [name, bytes] of Object.entries(bundle)) {
      mkdirSync(dirname(join(source, name)), { recursive: true });
      writeFileSync(join(source, name), bytes);
    }
    chmodSync(join(source, 'run_autograder'), 0o755);

    const reference = readFileSync(lesson1.path, 'utf8');
    const untouched = readFileSync(join(built, `${lesson1.slug}.ipynb`), 'utf8');
    runs.reference = runAutograder('reference', { [`${lesson1.slug}.ipynb`]: reference });
    runs.withoutSandbox = runAutograder('without-sandbox', { 'my-homework.ipynb': reference }, { AUTOGRADER_SANDBOX: 'off' });
    runs.untouched = runAutograder('untouched', { [`${lesson1.slug}.ipynb`]: untouched });
    runs.wrong = runAutograder('wrong', { [`${lesson1.slug}.ipynb`]: lesson1With('  return tf.scalar(0);') });
    runs.notJson = runAutograder('not-json', { [`${lesson1.slug}.ipynb`]: '{"cells": [' });
    runs.twice = runAutograder('twice', { [`${lesson1.slug}.ipynb`]: reference, 'copy.ipynb': untouched });
    runs.nothing = runAutograder('nothing', { 'answers.txt': 'I did it on paper' });
  }, 30 * MINUTES);

  it('has setup.sh, run_autograder and the course with only the chosen lessons at the root of the zip', () => {
    expect(Object.keys(bundle).filter((name) => !name.startsWith('course/')).sort()).toEqual(['gradescope.json', 'run_autograder', 'setup.sh']);
    expect(JSON.parse(text('gradescope.json'))).toEqual({ lessons: [1], visibility: 'after_published' });
    expect(Object.keys(bundle).filter((name) => name.startsWith('course/lessons/'))).toEqual([`course/lessons/${lesson1.slug}.ipynb`]);
    for (const part of ['package-lock.json', 'src/homework/grading.ts', 'tools/homework/cli.ts', 'tools/homework/gradescope/run.ts', 'tools/execute_notebook.py']) expect(bundle[`course/${part}`], part).toBeDefined();
    expect(text('setup.sh')).toContain(`NODE_VERSION=${process.version}\n`);
    expect(spawnSync('bash', ['-n', join(source, 'setup.sh')]).status).toBe(0);
  });

  it('refuses a visibility Gradescope does not know', () => {
    const run = cli('gradescope', '1', '--out', join(scratch, 'bad'), '--visibility', 'public');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--visibility must be one of hidden, after_due_date, after_published, visible, not "public"');
  });

  it("every results.json is in Gradescope's format, and the schema is not one that anything passes", () => {
    for (const [name, { run, results }] of Object.entries(runs)) {
      expect(run.status, `${name}: ${run.stdout}\n${run.stderr}`).toBe(0);
      expect(validate(results), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const good = runs.reference.results;
    expect(validate({ ...good, tests: [{ ...good.tests[1], visibility: 'public' }] })).toBe(false);
    expect(validate({ tests: [{ max_score: 1 }] })).toBe(false);
    expect(validate({ ...good, stdout: 'x' })).toBe(false);
  });

  it("the teacher's notebook gets every point, with or without the course's sandbox; hidden checks wait for publishing", () => {
    for (const { results } of [runs.reference, runs.withoutSandbox]) {
      expect(results.score).toBe(3);
      expect(results.tests.map((t) => [t.name, t.score, t.max_score, t.status, t.visibility])).toEqual([
        ['Lesson 1: notebook handed in', 0, 0, 'passed', 'visible'],
        ['Lesson 1, Exercise 6: the Huber loss: matches the Huber loss on hidden residuals and deltas', 2, 2, 'passed', 'after_published'],
        ['Lesson 1, Exercise 6: the Huber loss: is differentiable and leaves no tensors behind', 1, 1, 'passed', 'after_published'],
      ]);
      expect(results.stdout_visibility).toBe('hidden');
    }
    expect(runs.withoutSandbox.run.stdout).toContain("Grading without the course's sandbox (AUTOGRADER_SANDBOX=off)");
  });

  it('an untouched, a wrong and an unreadable notebook score zero, each check with its reason', () => {
    const reasons = (name: string) => runs[name].results.tests.slice(1).map((t) => t.output);
    expect(runs.untouched.results.score).toBe(0);
    for (const reason of reasons('untouched')) expect(reason).toMatch(/Exercise 6/);
    expect(runs.wrong.results.score).toBe(0);
    expect(reasons('wrong')[0]).toMatch(/expected .*, got 0/);
    expect(runs.notJson.results.score).toBe(0);
    for (const reason of reasons('notJson')) expect(reason).toMatch(/^the notebook could not be read: it is not JSON/);
  });

  it('two notebooks of the lesson are not graded; a submission without one says what to upload', () => {
    expect(runs.twice.results.score).toBe(0);
    expect(runs.twice.results.tests[0]).toMatchObject({ status: 'failed', output: `Found: ${lesson1.slug}.ipynb, copy.ipynb` });
    for (const t of runs.twice.results.tests.slice(1)) expect(t.output).toMatch(/is one of 2 notebooks for lesson 1 from this student/);
    expect(runs.nothing.results.score).toBe(0);
    expect(runs.nothing.results.output).toContain('No notebook (.ipynb) could be graded in your submission');
    expect(runs.nothing.results.tests[0]).toMatchObject({ status: 'failed', output: `No notebook of lesson 1 (${lesson1.slug}.ipynb) was found in your submission.` });
  });
});
