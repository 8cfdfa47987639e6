/**
 * What `run_autograder` runs for each Gradescope submission: the course's grader (`npm run homework --
 * grade`, a process of its own) on <root>/submission, then <root>/results/results.json from its grades.
 *
 * The grader's sandbox needs root to make namespaces and control groups; Gradescope runs this as root
 * in a Docker container of its own, where namespaces are usually refused. Then each notebook is graded
 * without the sandbox, as a user id of its own with prlimit's limits (../student-user.ts; docs/teachers.md
 * says what a submission can reach then). AUTOGRADER_SANDBOX=off forces that here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../../src/atomic-write';
import { REPO_ROOT } from '../../jupyter.mjs';
import type { SubmissionGrade } from '../grade';
import { sandboxProblem } from '../sandbox';
import { canDropToStudentUser } from '../student-user';
import { gradescopeResults, resultsProblems } from './results';
import type { GradescopeSettings } from './settings';

const { values } = parseArgs({ options: { root: { type: 'string' }, settings: { type: 'string' } } });
const root = values.root ?? '/autograder';
const settings = JSON.parse(readFileSync(values.settings ?? join(root, 'source', 'gradescope.json'), 'utf8')) as GradescopeSettings;
const resultsFile = join(root, 'results', 'results.json');
mkdirSync(join(root, 'results'), { recursive: true });

const started = performance.now();
const problem = process.env.AUTOGRADER_SANDBOX === 'off' ? { problem: 'AUTOGRADER_SANDBOX=off' } : sandboxProblem();
const preface: string[] = [];
console.log(problem ? `Grading without the course's sandbox (${problem.problem}): ${canDropToStudentUser() ? 'each notebook runs as a user id of its own' : "each notebook runs with the grader's own rights"}.` : "Grading in the course's sandbox.");

const out = mkdtempSync(join(tmpdir(), 'gradescope-grades-'));
const submission = join(root, 'submission');
let grades: SubmissionGrade[] = [];
if (!existsSync(submission)) {
  preface.push('The autograder found no submission folder.');
} else {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'tools', 'homework', 'cli.ts'), 'grade', submission, '--student', 'submission', '--out', out, ...(problem ? ['--no-sandbox'] : [])];
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  const gradesFile = join(out, 'grades.json');
  if (existsSync(gradesFile)) grades = JSON.parse(readFileSync(gradesFile, 'utf8')) as SubmissionGrade[];
  // "no .ipynb files" is the grader's one usage error a submission can cause.
  if (run.status !== 0 && grades.length === 0) preface.push('No notebook (.ipynb) could be graded in your submission: upload the lesson\'s notebook itself.');
  if (run.status !== 0 && grades.length > 0) preface.push('The autograder stopped before the end: ask your teacher to run it again.');
}
rmSync(out, { recursive: true, force: true });

const results = gradescopeResults(grades, settings, (performance.now() - started) / 1000, preface);
const problems = resultsProblems(results);
if (problems.length) throw new Error(`results.json would not be in Gradescope's format: ${problems.join('; ')}`);
writeFileAtomic(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${resultsFile}: ${results.score} of ${results.tests.reduce((sum, t) => sum + t.max_score, 0)} points.`);
