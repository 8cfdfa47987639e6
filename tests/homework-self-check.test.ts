// Self-checks: each graded exercise's public checks, in the student notebook and in the lesson. The
// build hands them out and nothing of the hidden checks; their examples are not the grader's inputs;
// the grader leaves them out; and in the real kernel they pass on a right answer and, on a wrong
// answer or the untouched stub, list what fails and why, in the grader's words, without a stack trace.
// (That each passes on the lesson's reference solution is the lesson runs' part: a failing self-check
// fails its lesson.)
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { registeredChecks, throughJson } from '../src/homework/grading';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { executeNotebook, type ExecutorEvent } from '../tools/executor';
import { listLessons, Notebook, readNotebook } from '../tools/notebooks';
import { buildHomework } from '../tools/homework/build';
import { checkCellsOf, gradingCells } from '../tools/homework/grading-notebook';
import { exercisesStart, hasTag, sourceOf, TAG } from '../tools/homework/markers';
import { RIGHT_HUBER, WRONG_HUBER } from './fixtures/homework-attacks';

const MINUTES = 60_000;
const scratch = join(REPO_ROOT, 'build', 'test-self-check');
const built = join(scratch, 'built');

/**
 * Every list of three or more numbers, and every string long enough to be telling (seeds, not names
 * such as 'test'), in a check's inputs as the grader sends them, as code writes them without spaces.
 */
function telltales(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 8 ? [`'${value.replace(/\s+/g, '')}'`] : [];
  if (!Array.isArray(value)) return value && typeof value === 'object' ? Object.values(value).flatMap(telltales) : [];
  if (value.length >= 3 && value.every((v) => typeof v === 'number')) return [`[${value.join(',')}]`];
  return value.flatMap(telltales);
}

/** The hidden inputs of every check of `teacher`, drawn as the judge draws them: each check cell run alone. */
async function hiddenInputs(teacher: Notebook, folder: string): Promise<Map<string, unknown>> {
  const inputs = new Map<string, unknown>();
  for (const { index, source } of checkCellsOf(teacher)) {
    const before = new Set(registeredChecks().keys());
    const file = join(folder, `check-${index}.ts`);
    writeFileSync(file, source);
    await import(pathToFileURL(file).href);
    const [id] = [...registeredChecks().keys()].filter((key) => !before.has(key));
    inputs.set(id, throughJson(await registeredChecks().get(id)!.inputs()));
  }
  return inputs;
}

beforeAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  buildHomework(built);
});

describe('self-checks in the student notebooks', () => {
  for (const lesson of listLessons()) {
    it(`lesson ${lesson.number}: each graded exercise has its self-check after it, and nothing of the hidden checks is handed out`, async () => {
      const teacher = readNotebook(lesson.path);
      const studentFile = join(built, `${lesson.slug}.ipynb`);
      const student = readNotebook(studentFile);
      // Spaces dropped, so that `[1, 0, 8]` in a cell and `1,0,8` from the inputs compare.
      const handedOut = readFileSync(studentFile, 'utf8').replace(/\s+/g, '');

      // In the lesson and in the student's notebook, a self-check cell follows each solution cell.
      for (const notebook of [teacher, student]) {
        const solutions = notebook.cells.flatMap((c, i) => (/todo\('Exercise \d+: |\/\/ STUB: /.test(sourceOf(c)) ? [i] : []));
        expect(solutions.length).toBeGreaterThan(0);
        for (const i of solutions) {
          expect(hasTag(notebook.cells[i + 1], TAG.selfCheck), `${lesson.slug} cell ${i + 2}`).toBe(true);
          expect(sourceOf(notebook.cells[i + 1])).toMatch(/^await selfCheck\('Exercise \d+', '\w+', \[/m);
        }
      }
      const selfChecks = student.cells.filter((c) => hasTag(c, TAG.selfCheck));
      expect(selfChecks.length).toBe(teacher.cells.filter((c) => hasTag(c, TAG.selfCheck)).length);

      // No line of a hidden check that the student gets nowhere else: no reference, no seed, no input.
      const elsewhere = new Set(teacher.cells.filter((c) => !hasTag(c, TAG.check)).flatMap((c) => sourceOf(c).split('\n').map((l) => l.trim())));
      const hidden = checkCellsOf(teacher).flatMap(({ source }) => source.split('\n').map((l) => l.trim()));
      const telling = hidden.filter((line) => line.length > 12 && !elsewhere.has(line));
      expect(telling.length).toBeGreaterThan(0);
      for (const line of telling) expect(handedOut.includes(line.replace(/\s+/g, '')), line).toBe(false);

      // Nor the inputs the hidden checks draw: the public examples are others.
      const folder = join(scratch, `judge-${lesson.number}`);
      mkdirSync(folder, { recursive: true });
      symlinkSync(join(REPO_ROOT, 'src'), join(folder, 'src'));
      const inputs = await hiddenInputs(teacher, folder);
      expect(inputs.size).toBe(checkCellsOf(teacher).length);
      for (const [id, value] of inputs) for (const telltale of telltales(value)) expect(handedOut.includes(telltale), `${id}: ${telltale}`).toBe(false);
    }, 2 * MINUTES);

    it(`lesson ${lesson.number}: the grader leaves the student's self-checks out`, () => {
      const student = readNotebook(join(built, `${lesson.slug}.ipynb`));
      for (const wholeNotebook of [false, true]) {
        const { cells } = gradingCells(readNotebook(lesson.path), student, wholeNotebook);
        expect(cells.some((c) => /\bselfCheck\(/.test(sourceOf(c)))).toBe(false);
        expect(cells.some((c) => /todo\('Exercise \d+: /.test(sourceOf(c)))).toBe(true);
      }
    });
  }
});

/** What each cell of an executed notebook printed, by cell index: stdout and stderr apart. */
type Printed = Map<number, { stdout: string; stderr: string; failed?: string }>;

/**
 * Runs the graded part of a student notebook (its setup cell, then everything after the Exercises
 * heading, as a student working on the exercises does), with `code` in place of the stub's line if
 * given, through the real kernel, going on after a failing cell as a student's Jupyter does.
 */
async function runGradedPart(slug: string, name: string, code?: string): Promise<{ printed: Printed; selfCheck: number }> {
  const notebook = readNotebook(join(built, `${slug}.ipynb`));
  const start = exercisesStart(notebook.cells);
  const cells = notebook.cells.filter((c, i) => hasTag(c, TAG.setup) || i >= start);
  const stub = cells.find((c) => /todo\('Exercise \d+: /.test(sourceOf(c)))!;
  if (code !== undefined) stub.source = sourceOf(stub).replace(/^\s*return todo\(.*$/m, code.replace(/\$/g, '$$$$'));
  const path = join(built, `self-check-${name}.ipynb`);
  writeFileSync(path, JSON.stringify({ ...notebook, cells }));
  const printed: Printed = new Map();
  const at = (cell: number) => printed.get(cell) ?? printed.set(cell, { stdout: '', stderr: '' }).get(cell)!;
  const outcome = await executeNotebook(path, join(built, `self-check-${name}.executed.ipynb`), {
    cellTimeoutSeconds: 120,
    keepGoing: true,
    onEvent: (event: ExecutorEvent) => {
      if (event.event === 'output' && event.content.name === 'stdout') at(event.cell).stdout += event.content.text ?? '';
      if (event.event === 'output' && event.content.name === 'stderr') at(event.cell).stderr += event.content.text ?? '';
      if (event.event === 'cell_failed') at(event.cell).failed = event.kind;
    },
  });
  expect(outcome.exitCode, outcome.stderr).toBe(0);
  return { printed, selfCheck: cells.findIndex((c) => hasTag(c, TAG.selfCheck)) };
}

describe('self-checks in the kernel', () => {
  const heading = 'Self-check of Exercise 6, on the examples in this cell (the grader uses others):';

  it('lesson 1: passes a right answer, with a tick for each check', async () => {
    const { printed, selfCheck } = await runGradedPart('01-linear-regression', 'right', RIGHT_HUBER);
    expect(printed.get(selfCheck)).toEqual({
      stdout: `${heading}\n  ✓ matches the Huber loss on two examples\n  ✓ is differentiable and leaves no tensors behind\n`,
      stderr: '',
    });
  }, 5 * MINUTES);

  it('lesson 1: fails a wrong answer with the grader\'s reason, in one line of error and no stack trace', async () => {
    const { printed, selfCheck } = await runGradedPart('01-linear-regression', 'wrong', WRONG_HUBER);
    const { stdout, stderr, failed } = printed.get(selfCheck)!;
    // The wrong loss is ½r² everywhere: 4.5 + 0.125 + 0 + 0.125 + 4.5 over 5 residuals is 1.85, not 1.05.
    expect(stdout).toBe(
      `${heading}\n  ✗ matches the Huber loss on two examples: huberLoss(residuals, 1) on 5 residuals: expected 1.05, got 1.85\n` +
        '  ✗ is differentiable and leaves no tensors behind: the gradient of huberLoss at [-2, -0.5, 0.25, 1.5]: expected -0.25 at position 0, got -0.5\n',
    );
    expect(failed).toBe('error');
    expect(stderr).toBe('Self-check: 2 of 2 checks failed (see the list above).\n');
  }, 5 * MINUTES);

  it('lesson 1: on the untouched stub, says that the exercise is not done yet', async () => {
    const { printed, selfCheck } = await runGradedPart('01-linear-regression', 'untouched');
    const { stdout, stderr } = printed.get(selfCheck)!;
    const notDone = 'huberLoss is still the stub ("Exercise 6: return the mean Huber loss of `residuals` as a scalar tensor.")';
    expect(stdout).toBe(`${heading}\n  ✗ matches the Huber loss on two examples: ${notDone}\n  ✗ is differentiable and leaves no tensors behind: ${notDone}\n`);
    expect(stderr).toBe('Self-check: 2 of 2 checks failed (see the list above).\n');
  }, 5 * MINUTES);

  it('lesson 5: on the untouched stub, which leaves no model behind, says to run the exercise\'s cell', async () => {
    const { printed, selfCheck } = await runGradedPart('05-deeper-network', 'untouched-model');
    const { stdout, stderr } = printed.get(selfCheck)!;
    expect(stdout).toBe(
      'Self-check of Exercise 8, on the examples in this cell (the grader uses others):\n' +
        "  ✗ reaches at least 97% accuracy on the last 5,000 training images: myClassifier is not defined: run the exercise's cell above first (until the exercise is done, it stops with its instruction)\n",
    );
    expect(stderr).toBe('Self-check: 1 of 1 checks failed (see the list above).\n');
  }, 5 * MINUTES);

  it('lesson 2: a cell that does not compile defines nothing, and no check passes for it', async () => {
    const { printed, selfCheck } = await runGradedPart('02-mnist-byte-by-byte', 'does-not-compile', '  return { typeCode: bytes[2], dims: [ };');
    const { stdout, stderr } = printed.get(selfCheck)!;
    const notDefined = "readIdxHeader is not defined: run the exercise's cell above first (until the exercise is done, it stops with its instruction)";
    expect(stdout).toBe(
      'Self-check of Exercise 6, on the examples in this cell (the grader uses others):\n' +
        `  ✗ reads two headers: ${notDefined}\n  ✗ rejects a wrong magic number and a truncated header: ${notDefined}\n`,
    );
    expect(stderr).toBe('Self-check: 2 of 2 checks failed (see the list above).\n');
  }, 5 * MINUTES);
});
