/**
 * `npm run homework -- gradescope <lesson...|all>`: autograder.zip for a Gradescope "programming
 * assignment" (https://gradescope-autograders.readthedocs.io/en/latest/specs/). At its root:
 * `setup.sh` (run once, as root, on Gradescope's Ubuntu image: Node, the course's npm packages, Jupyter
 * through the course's own setup), `run_autograder` (run for each submission: ./run.ts), the settings
 * in `gradescope.json`, and the course itself in `course/`, with only the chosen lessons.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { REPO_ROOT } from '../../jupyter.mjs';
import { findLesson, listLessons, type LessonFile } from '../../notebooks';
import { UsageError } from '../submissions';
import { VISIBILITIES, type GradescopeSettings, type Visibility } from './settings';

/** What grading needs of the checkout: the grader, the course's code and data, the packages' lock. */
const COURSE_PARTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'tools', 'native', 'data'];
const HERE = join(REPO_ROOT, 'tools', 'homework', 'gradescope');
const UNIX = 3;
/** A regular file with these permissions, as zip's Unix "external attributes" carry it. */
const unixFile = (mode: number) => ({ os: UNIX, attrs: (0o100000 | mode) * 2 ** 16 });

function chosenLessons(ids: string[]): LessonFile[] {
  if (ids.length === 0) throw new UsageError('gradescope needs the lessons to grade: their numbers (1 5) or all.');
  if (ids.includes('all')) return listLessons();
  return ids.map((id) => {
    try {
      return findLesson(id);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}

/** The checkout's files under `parts`, as git sees them (committed or new, not ignored). */
function courseFiles(parts: string[]): string[] {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...parts], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new UsageError(`gradescope bundles the course's files as git lists them, and git failed here: ${listed.stderr.trim() || listed.error?.message}.`);
  return listed.stdout.split('\0').filter((file) => file && statSync(join(REPO_ROOT, file), { throwIfNoEntry: false })?.isFile());
}

export function setupScript(nodeVersion: string): string {
  return readFileSync(join(HERE, 'setup.sh'), 'utf8').replace(/^NODE_VERSION=.*$/m, `NODE_VERSION=${nodeVersion}`);
}

export function writeGradescopeBundle(ids: string[], options: { out?: string; visibility?: string | boolean }): { zip: string; lessons: number[] } {
  const lessons = chosenLessons(ids);
  const visibility = (options.visibility ?? 'after_published') as Visibility;
  if (!VISIBILITIES.includes(visibility)) throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(', ')}, not "${String(options.visibility)}".`);
  const settings: GradescopeSettings = { lessons: lessons.map((l) => l.number), visibility };
  const files: Zippable = {
    'setup.sh': [Buffer.from(setupScript(process.version)), unixFile(0o755)],
    run_autograder: [readFileSync(join(HERE, 'run_autograder')), unixFile(0o755)],
    'gradescope.json': [Buffer.from(`${JSON.stringify(settings, null, 2)}\n`), unixFile(0o644)],
  };
  const lessonFiles = lessons.map((l) => `lessons/${l.slug}.ipynb`);
  for (const file of courseFiles([...COURSE_PARTS, ...lessonFiles])) {
    const mode = statSync(join(REPO_ROOT, file)).mode & 0o777;
    files[`course/${file}`] = [readFileSync(join(REPO_ROOT, file)), unixFile(mode)];
  }
  const outDir = options.out ?? join(REPO_ROOT, 'build', 'gradescope');
  mkdirSync(outDir, { recursive: true });
  const zip = join(outDir, 'autograder.zip');
  writeFileSync(zip, zipSync(files, { level: 9 }));
  return { zip, lessons: settings.lessons };
}
