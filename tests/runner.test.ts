// The lesson runner must turn every way a lesson can go wrong into one clear failure.
// These tests run small notebooks (and a broken copy of lesson 1) through the real tslab kernel.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson, LessonFile, LessonMeta, Notebook, readNotebook } from '../tools/notebooks';
import { runLesson as runLessonIn, seedRunOptions, SetupError } from '../tools/run-lesson';
import { kernelFailingToStart } from './helpers/failing-kernel';
import { otherCheckoutsKernel } from './helpers/other-checkout-kernel';

const scratch = join(REPO_ROOT, 'build', 'test-lessons');
mkdirSync(scratch, { recursive: true });
/** Test notebooks' executed copies stay out of build/lessons/, which the site publishes. */
const executedDir = join(scratch, 'executed');
const runLesson = (lesson: LessonFile, options: Parameters<typeof runLessonIn>[1] = {}) => runLessonIn(lesson, { executedDir, ...options });

/** Writes a notebook into its own folder, next to a `src` link as in lessons/, and describes it as a lesson. */
function lessonFrom(slug: string, notebook: Notebook): LessonFile {
  const dir = mkdtempSync(join(scratch, `${slug}-`));
  symlinkSync(relative(dir, join(REPO_ROOT, 'src')), join(dir, 'src'));
  const path = join(dir, `${slug}.ipynb`);
  writeFileSync(path, JSON.stringify(notebook));
  return { number: 0, slug: `test-${slug}`, path, meta: notebook.metadata.course! };
}

function notebookOf(cells: string[], meta: Partial<LessonMeta> = {}): Notebook {
  return {
    cells: cells.map((source) => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null })),
    metadata: {
      kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' },
      course: { lesson: 0, title: 'test', thresholds: {}, ...meta },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

describe('lesson runner', () => {
  const savedPython = process.env.COURSE_PYTHON;
  afterEach(() => {
    if (savedPython === undefined) delete process.env.COURSE_PYTHON;
    else process.env.COURSE_PYTHON = savedPython;
  });

  it('fails lesson 1 when it is broken (learning rate 0), naming the metric, its value and the threshold', async () => {
    const original = readNotebook(findLesson('1').path);
    const broken = JSON.parse(JSON.stringify(original).replace('const lr = 0.03;', 'const lr = 0;')) as Notebook;
    expect(JSON.stringify(broken)).toContain('const lr = 0;');
    const run = await runLesson(lessonFrom('lr-zero', broken));
    expect(run.results.failure).toBeUndefined();
    expect(run.results.passed).toBe(false);
    const loss = run.results.checks.find((c) => c.metric === 'scratch_loss')!;
    expect(loss.passed).toBe(false);
    expect(loss.problem).toMatch(/^is [\d.e+-]+, above the maximum 0\.0001$/);
    expect(run.results.checks.find((c) => c.metric === 'concise_loss')!.passed).toBe(true); // only the broken part fails
  }, 120_000);

  it('stops at a cell that throws, names it, and runs nothing after it', async () => {
    const lesson = lessonFrom('throws', notebookOf(['console.log("first");', 'throw new Error("the data file is gone");', 'console.log("never");']));
    const run = await runLesson(lesson);
    expect(run.results.passed).toBe(false);
    expect(run.results.failure).toMatch(/^code cell 2 \(`throw new Error\("the data file is gone"\);`\) failed:\n[\s\S]*Error: the data file is gone$/);
    const executed = readNotebook(run.executedPath);
    expect(JSON.stringify(executed.cells[0].outputs)).toContain('first');
    expect(executed.cells[2].outputs).toEqual([]);
  }, 60_000);

  it('keeps a run on another seed in a folder of its own: its notebook, its seed and every file it writes', async () => {
    const lesson = lessonFrom('other-seed', notebookOf([
      "import { buildPath } from './src/paths';\nconsole.log(buildPath('logs', 'run.jsonl'));\nconsole.log(`seed ${process.env.COURSE_SEED}`);",
    ]));
    const options = seedRunOptions(7);
    const run = await runLessonIn(lesson, options);
    const folder = join(REPO_ROOT, 'build', 'seeds', 'seed-7');
    expect(run.executedPath).toBe(join(folder, 'test-other-seed.ipynb'));
    const printed = JSON.stringify(readNotebook(run.executedPath).cells[0].outputs);
    expect(printed).toContain(JSON.stringify(join(folder, 'logs', 'run.jsonl')).slice(1, -1));
    expect(printed).toContain('seed 7');
    // The lesson's own seed in a seeds run: not build/, which the site publishes.
    expect(seedRunOptions(undefined).executedDir).toBe(join(REPO_ROOT, 'build', 'seeds', 'own'));
    expect(seedRunOptions(undefined).env.COURSE_SEED).toBeUndefined();
  }, 60_000);

  it('reports a type error with the compiler message', async () => {
    const run = await runLesson(lessonFrom('type-error', notebookOf(['const n: number = "seven";'])));
    expect(run.results.failure).toContain("Type 'string' is not assignable to type 'number'");
  }, 60_000);

  it('stops a hanging cell after the time limit and names the cell', async () => {
    const run = await runLesson(lessonFrom('hangs', notebookOf(['console.log("ok");', 'while (true) {}'])), { cellTimeoutSeconds: 5 });
    expect(run.results.failure).toBe('code cell 2 (`while (true) {}`) ran longer than 5 s and was stopped.');
  }, 60_000);

  it('fails a diverged metric (NaN) and a metric that was never recorded', async () => {
    const lesson = lessonFrom(
      'diverged',
      notebookOf(["import { recordMetric } from './src/lesson';\nrecordMetric('final_loss', NaN);"], {
        thresholds: { final_loss: { max: 1 }, test_accuracy: { min: 0.9 } },
      }),
    );
    const run = await runLesson(lesson);
    expect(run.results.failure).toBeUndefined();
    expect(run.results.checks.map((c) => [c.metric, c.problem])).toEqual([
      ['final_loss', 'is NaN: training diverged'],
      ['test_accuracy', 'was not recorded'],
    ]);
  }, 60_000);

  it('loses no report when cells print megabytes (the event stream stays whole)', async () => {
    // Each report is one line of JSON from the executor; a line of a megabyte once arrived cut short,
    // swallowing the metrics after it (the kernel had made the shared pipe non-blocking).
    const count = 40;
    const thresholds = Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${i}`, { min: i }]));
    const lesson = lessonFrom('megabytes', notebookOf([
      "import { recordMetric } from './src/lesson';",
      `for (let i = 0; i < ${count}; i++) { console.log('x'.repeat(1_000_000)); recordMetric(\`m\${i}\`, i); }`,
    ], { thresholds }));
    const run = await runLesson(lesson);
    expect(run.results.failure).toBeUndefined();
    expect(Object.keys(run.results.metrics)).toHaveLength(count);
    expect(run.results.passed).toBe(true);
  }, 120_000);

  it('survives a cell that outputs in a burst (zeromq.js refused the 514th send in a row)', async () => {
    const lesson = lessonFrom('burst', notebookOf([
      "import { displayBundle } from './src/notebook/display';\nfor (let i = 0; i < 3000; i++) displayBundle({ 'text/plain': `output ${i}` });",
      "console.log('the kernel is still here');",
    ]));
    const run = await runLesson(lesson);
    expect(run.results.failure).toBeUndefined();
    const executed = readNotebook(run.executedPath);
    expect(executed.cells[0].outputs).toHaveLength(3000);
    expect(JSON.stringify(executed.cells[1].outputs)).toContain('the kernel is still here');
  }, 60_000);

  it('records the results in the executed notebook', async () => {
    const lesson = lessonFrom('records', notebookOf(["import { recordMetric } from './src/lesson';\nrecordMetric('answer', 42);"], { thresholds: { answer: { min: 42, max: 42 } } }));
    const run = await runLesson(lesson);
    expect(run.results.passed).toBe(true);
    const saved = readNotebook(run.executedPath).metadata.course!.results!;
    expect(saved.metrics).toEqual({ answer: 42 });
    expect(saved.passed).toBe(true);
    expect(saved.seconds).toBeGreaterThan(0);
  }, 60_000);

  it('says how to fix a missing kernel', async () => {
    const run = await runLesson(lessonFrom('no-kernel', notebookOf(['1'])), { kernelName: 'no-such-kernel' });
    expect(run.results.failure).toBe(
      "The kernel could not run the lesson: Jupyter has no kernel named 'no-such-kernel'.\n  Fix: run `npm run setup`, which installs Jupyter and registers the tslab kernel.",
    );
  }, 60_000);

  it('starts a fresh kernel when one dies at start-up, and says so when none will start', async () => {
    const once = kernelFailingToStart(scratch, 1);
    const recovered = await runLesson(lessonFrom('kernel-fails-once', notebookOf(['1 + 1'])), { kernelName: once.name, env: once.env });
    expect(recovered.results.failure).toBeUndefined();
    expect(recovered.results.passed).toBe(true);

    const never = kernelFailingToStart(scratch, 99);
    const run = await runLesson(lessonFrom('kernel-never-starts', notebookOf(['1 + 1'])), { kernelName: never.name, env: never.env });
    expect(run.results.failure).toMatch(/^The kernel could not run the lesson: the kernel did not start \(3 tries\); the last try said: RuntimeError: Kernel died before replying to kernel_info\n {2}Fix: run the lesson again; if the kernel still does not start, run `npm run setup`/);
  }, 120_000);

  it('says how to fix a missing Jupyter', async () => {
    process.env.COURSE_PYTHON = '/nonexistent/python3';
    await expect(runLesson(lessonFrom('no-jupyter', notebookOf(['1'])))).rejects.toThrow(SetupError);
    await expect(runLesson(lessonFrom('no-jupyter', notebookOf(['1'])))).rejects.toThrow(/^Jupyter is not installed, so notebooks cannot run\.\n {2}Fix: run `npm run setup`/);
  });
});

describe('npm run lesson', () => {
  // On a machine where another checkout's tslab is the kernel Jupyter opened by hand finds: this checkout's runs.
  const otherCheckout = otherCheckoutsKernel(mkdtempSync(join(scratch, 'other-checkout-')));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tools', 'lesson.ts'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...otherCheckout.env },
    });

  it('names the lessons there are when asked for one that does not exist', () => {
    const result = cli('99');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^There is no lesson "99"\. Lessons: 1 \(01-linear-regression\)/);
  });

  it('runs lesson 1 and ends with its metrics beside their thresholds', () => {
    const result = cli('1');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const table = lines.slice(lines.map((l) => /^ {2}metric +value +threshold/.test(l)).lastIndexOf(true));
    expect(table.length, result.stdout).toBeGreaterThan(1);
    const thresholds = Object.keys(findLesson('1').meta.thresholds);
    expect(table.slice(1, -1).map((l) => l.trim().split(/ +/)[0])).toEqual(thresholds);
    expect(table.find((l) => l.includes('scratch_loss'))).toMatch(/scratch_loss +[\d.e-]+ +≤ 0\.0001 +ok/);
    expect(table.at(-1)).toBe('PASSED lesson 1');
    expect(result.stdout).toMatch(/Backend: (wasm|cpu|node|node-gpu)/);
    expect(result.stdout).toMatch(/epoch 3, loss [\d.e-]+/);
    const executed = JSON.parse(readFileSync(join(REPO_ROOT, 'build', 'lessons', '01-linear-regression.ipynb'), 'utf8')) as Notebook;
    expect(executed.metadata.course?.results?.passed).toBe(true);
    // The kernel's peak memory is measured (a TypeScript kernel with TensorFlow.js takes well over 100 MiB).
    expect(result.stdout).toMatch(/, peak memory \d+ MiB/);
    expect(executed.metadata.course?.results?.peak_rss_mib).toBeGreaterThan(100);
    expect(existsSync(otherCheckout.launches), "another checkout's kernel was started").toBe(false);
  }, 180_000);
});
