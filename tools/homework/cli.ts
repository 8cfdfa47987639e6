// `npm run homework -- build`: student notebooks in build/homework/.
// `npm run homework -- grade <notebooks or folders>`: grade submissions, write build/grades/{grades.csv,summary.md,grades.json}.
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../jupyter.mjs';
import { requireJupyter, SetupError } from '../executor';
import { buildHomework, HOMEWORK_DIR } from './build';
import { gradeSubmission, SubmissionGrade } from './grade';
import { total, writeReports } from './report';

const usage = `usage:
  npm run homework -- build [--out <folder>]
  npm run homework -- grade <notebooks or folders>... [--out <folder>] [--jobs <n>]
                            [--time-limit <seconds per notebook>] [--cell-timeout <seconds>] [--whole-notebook]

A folder is searched for .ipynb files; in a folder of folders (submissions/<student>/<lesson>.ipynb)
the first folder name is the student, otherwise the file name is.`;

const DEFAULT_TIME_LIMIT_SECONDS = 900;
const GRADES_DIR = join(REPO_ROOT, 'build', 'grades');

interface Submission {
  file: string;
  student: string;
}

/** Every notebook under the given paths, each with the student it belongs to. */
export function findSubmissions(paths: string[]): Submission[] {
  const found: Submission[] = [];
  for (const given of paths) {
    const root = resolve(given);
    if (!existsSync(root)) throw new UsageError(`${given} does not exist.`);
    if (statSync(root).isFile()) {
      found.push({ file: root, student: basename(root).replace(/\.ipynb$/, '') });
      continue;
    }
    for (const file of notebooksUnder(root)) {
      const parts = relative(root, file).split(sep);
      found.push({ file, student: parts.length > 1 ? parts[0] : basename(file).replace(/\.ipynb$/, '') });
    }
  }
  return found;
}

function notebooksUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === '.ipynb_checkpoints' || entry.name === 'node_modules' ? [] : notebooksUnder(path);
      return entry.isFile() && entry.name.endsWith('.ipynb') ? [path] : [];
    });
}

class UsageError extends Error {}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--${name} must be a positive number, not "${value}".`);
  return n;
}

/** Runs `work` on every item, at most `jobs` at a time, keeping the input order in the results. */
async function pool<T, R>(items: T[], jobs: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

async function grade(paths: string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  if (paths.length === 0) throw new UsageError('grade needs at least one notebook or folder.');
  requireJupyter();
  const submissions = findSubmissions(paths);
  if (submissions.length === 0) throw new UsageError(`no .ipynb files under ${paths.join(', ')}.`);
  const outDir = resolve(String(values.out ?? GRADES_DIR));
  mkdirSync(outDir, { recursive: true });
  const jobs = positiveNumber('jobs', values.jobs as string | undefined) ?? Math.min(2, availableParallelism());
  const timeLimitSeconds = positiveNumber('time-limit', values['time-limit'] as string | undefined) ?? DEFAULT_TIME_LIMIT_SECONDS;
  const cellTimeoutSeconds = positiveNumber('cell-timeout', values['cell-timeout'] as string | undefined);
  console.log(`Grading ${submissions.length} notebook(s), ${jobs} at a time, at most ${timeLimitSeconds} s each.`);

  const grades: SubmissionGrade[] = await pool(submissions, Math.floor(jobs), async ({ file, student }, index) => {
    const workDir = join(outDir, 'work', `${String(index + 1).padStart(3, '0')}-${student.replace(/[^\w.-]+/g, '_')}`);
    const result = await gradeSubmission(file, student, {
      workDir,
      timeLimitSeconds,
      cellTimeoutSeconds,
      wholeNotebook: Boolean(values['whole-notebook']),
    });
    const { earned, max } = total(result);
    console.log(`  ${student}: ${result.lesson?.slug ?? '?'} ${earned}/${max} (${result.seconds} s)${result.notes.length ? ` (${result.notes.length} note(s))` : ''}`);
    return result;
  });
  const written = writeReports(outDir, grades);
  console.log(`Wrote ${written.csv}, ${written.summary} and ${written.json}.`);
  return 0;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      jobs: { type: 'string' },
      'time-limit': { type: 'string' },
      'cell-timeout': { type: 'string' },
      'whole-notebook': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (command === 'build') {
    const written = buildHomework(values.out ? resolve(values.out) : HOMEWORK_DIR);
    console.log(`Wrote ${written.length} student notebooks:\n${written.map((p) => `  ${relative(process.cwd(), p)}`).join('\n')}`);
    return 0;
  }
  if (command === 'grade') return grade(rest, values);
  throw new UsageError(command ? `unknown command "${command}".` : 'say build or grade.');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${usage}`);
      process.exit(2);
    }
    console.error(error instanceof SetupError || error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
