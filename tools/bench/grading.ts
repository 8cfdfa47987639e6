// `npm run bench -- grading [--lessons 1,4] [--copies 2]`: the grader's throughput. The teacher's
// notebooks of the lessons (each handed in by `copies` students) are graded by the real CLI at 1 and 2
// jobs, in the sandbox and without it; prints notebooks per minute and the time per notebook by lesson
// (from the runs at 1 job, where notebooks do not share the cores), and writes build/bench-grading.json.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../jupyter.mjs';
import { findLesson, listLessons } from '../notebooks';
import type { SubmissionGrade } from '../homework/grade';
import { sandboxProblem } from '../homework/sandbox';

interface Run {
  sandbox: boolean;
  jobs: number;
  notebooks: number;
  seconds: number;
  perMinute: number;
  /** Mean seconds a notebook of each lesson took, by slug. */
  byLesson: Record<string, number>;
  failed?: string;
}

function gradeClass(folder: string, jobs: number, sandbox: boolean): Run {
  const out = mkdtempSync(join(tmpdir(), 'bench-grading-'));
  const started = performance.now();
  const args = ['--import', 'tsx', 'tools/homework/cli.ts', 'grade', folder, '--out', out, '--jobs', String(jobs), ...(sandbox ? [] : ['--no-sandbox'])];
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  const grades = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8')) as SubmissionGrade[];
  rmSync(out, { recursive: true, force: true });
  const times = new Map<string, number[]>();
  for (const g of grades) if (g.lesson) times.set(g.lesson.slug, [...(times.get(g.lesson.slug) ?? []), g.seconds]);
  const byLesson = Object.fromEntries([...times].map(([slug, s]) => [slug, Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10]));
  const full = grades.every((g) => g.checks.length > 0 && g.checks.every((c) => c.earned === c.points));
  const failed = run.status !== 0 ? `exit ${run.status}: ${run.stderr.trim().split('\n').pop()}` : full ? undefined : 'a reference notebook lost points (see a grading run of its own)';
  return { sandbox, jobs, notebooks: grades.length, seconds: Math.round(seconds * 10) / 10, perMinute: Math.round((grades.length / seconds) * 60 * 10) / 10, byLesson, failed };
}

export async function runGradingBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { lessons: { type: 'string' }, copies: { type: 'string', default: '2' } } });
  const lessons = values.lessons ? values.lessons.split(',').map((id) => findLesson(id.trim())) : listLessons();
  const copies = Math.max(1, Math.floor(Number(values.copies)));
  const folder = mkdtempSync(join(tmpdir(), 'bench-class-'));
  for (let student = 1; student <= copies; student++) {
    mkdirSync(join(folder, `student-${student}`));
    for (const lesson of lessons) cpSync(lesson.path, join(folder, `student-${student}`, `${lesson.slug}.ipynb`));
  }
  const problem = sandboxProblem();
  const runs: Run[] = [];
  for (const sandbox of problem ? [false] : [true, false]) {
    for (const jobs of [1, 2]) {
      console.error(`bench grading: ${lessons.length * copies} notebooks, ${jobs} job(s), ${sandbox ? 'in the sandbox' : 'without the sandbox'}…`);
      runs.push(gradeClass(folder, jobs, sandbox));
    }
  }
  rmSync(folder, { recursive: true, force: true });

  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version };
  mkdirSync(join(REPO_ROOT, 'build'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'build', 'bench-grading.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, copies, runs }, null, 2)}\n`);
  console.log(`Machine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}; the teacher's notebooks of lessons ${lessons.map((l) => l.number).join(', ')}, each handed in by ${copies} student(s)`);
  if (problem) console.log(`No sandbox here (${problem.problem}): only runs without it.`);
  console.log('\n| sandbox | jobs | notebooks | wall clock | notebooks per minute |\n| --- | --- | --- | --- | --- |');
  for (const r of runs) console.log(`| ${r.sandbox ? 'yes' : 'no'} | ${r.jobs} | ${r.notebooks} | ${r.seconds} s | ${r.failed ? `failed: ${r.failed}` : r.perMinute} |`);
  const single = runs.filter((r) => r.jobs === 1);
  console.log(`\n| lesson | ${single.map((r) => `s per notebook, ${r.sandbox ? 'sandbox' : 'no sandbox'}`).join(' | ')} |\n| --- |${single.map(() => ' --- |').join('')}`);
  for (const lesson of lessons) console.log(`| ${lesson.slug} | ${single.map((r) => `${r.byLesson[lesson.slug] ?? '?'} s`).join(' | ')} |`);
  console.log('\nWritten: build/bench-grading.json');
  return runs.some((r) => r.failed) ? 1 : 0;
}
