// Grading without bubblewrap, as root (Gradescope, the grading containers): each submission runs as a
// user id of its own, with util-linux's setpriv and prlimit (tools/homework/student-user.ts). Attacks
// on the run, graded through the real CLI with --no-sandbox and through the Gradescope bundle's own
// run_autograder (AUTOGRADER_SANDBOX=off), beside an honest notebook that must keep its full marks.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { findLesson, readNotebook } from '../tools/notebooks';
import { buildHomework } from '../tools/homework/build';
import type { SubmissionGrade } from '../tools/homework/grade';
import type { GradescopeResults } from '../tools/homework/gradescope/results';
import { SANDBOX_UID_BASE } from '../tools/homework/sandbox';
import { attackNotebook, RIGHT_HUBER, WRONG_HUBER, type Attack } from './fixtures/homework-attacks';
import { optionalPart } from './helpers/optional-part';

const MINUTES = 60_000;
const scratch = join(REPO_ROOT, 'build', 'test-homework-no-sandbox');
const built = join(scratch, 'built');
const lesson1 = findLesson('1');
const LESSON = '01-linear-regression';
const AS_ROOT = optionalPart('root', process.getuid?.() === 0, 'run the tests as root (`sudo npm test`)', {
  skips: 'the attacks on grading without the sandbox, as root',
  why: 'grading as root without the sandbox drops to a user id of its own, which only root can',
});

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/homework/cli.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const gitStatus = () => spawnSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;

/** Prints ESCAPED for each of `paths` it can read (or list). */
const triesToRead = (paths: string[]) =>
  "const fs = require('fs');\n" +
  `for (const place of ${JSON.stringify(paths)}) {\n` +
  "  try {\n    const seen = fs.statSync(place).isDirectory() ? fs.readdirSync(place).join(',') : fs.readFileSync(place, 'utf8').slice(0, 20);\n    console.log('ESCAPED: read', place, seen);\n" +
  "  } catch (error) {\n    console.log('could not read', place, (error as NodeJS.ErrnoException).code);\n  }\n}";

/** Writes each of `files` now, and from a detached loop that would outlive the run. */
const triesToWrite = (files: string[], content: string) =>
  "const fs = require('fs');\n" +
  `for (const file of ${JSON.stringify(files)}) {\n` +
  `  try {\n    fs.writeFileSync(file, ${JSON.stringify(content)});\n    console.log('ESCAPED: wrote', file);\n  } catch (error) {\n    console.log('could not write', file, (error as NodeJS.ErrnoException).code);\n  }\n}\n` +
  `const loop = ${JSON.stringify(files.map((f) => `echo '${content}' > '${f}'`).join('; '))};\n` +
  "require('child_process').spawn('/bin/sh', ['-c', `while true; do ${loop}; sleep 0.2; done 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();";

/** Kills every process it can that is not its own user's (the grader, the judge, a classmate's kernel), then its executor. */
const KILLS_OTHERS =
  "const fs = require('fs');\nconst uidOf = (pid: string) => Number(/^Uid:\\s+(\\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);\n" +
  'const mine = process.getuid!();\nconst refused: Record<string, number> = {};\n' +
  "for (const pid of fs.readdirSync('/proc').filter((name: string) => /^\\d+$/.test(name))) {\n" +
  '  try {\n    if (uidOf(pid) === mine) continue;\n    process.kill(Number(pid), \'SIGKILL\');\n' +
  "    console.log('ESCAPED: killed', pid, fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\\0/g, ' ').slice(0, 80));\n" +
  '  } catch (error) {\n    const code = (error as NodeJS.ErrnoException).code ?? \'?\';\n    refused[code] = (refused[code] ?? 0) + 1;\n  }\n}\n' +
  "console.log('kills refused:', JSON.stringify(refused));";

/** A fork bomb, then 400 more processes. */
const FORK_BOMB =
  "const { execSync, spawnSync } = require('child_process');\n" +
  "try {\n  execSync('bomb() { bomb | bomb & }; bomb', { shell: '/bin/bash', stdio: 'ignore' });\n} catch {\n  // the shell's own forks failed\n}\n" +
  'let refused = 0;\nfor (let i = 0; i < 400; i++) if (spawnSync(\'/bin/true\').error) refused++;\n' +
  "console.log(refused > 0 ? 'forks refused' : 'ESCAPED: forked 400 more');";

/** Takes 6 GiB, a mebibyte at a time. */
const MEMORY_HOG =
  "const hog: Buffer[] = [];\ntry {\n  for (let i = 0; i < 6 * 1024; i++) hog.push(Buffer.alloc(1 << 20, 1));\n  console.log('ESCAPED: took 6 GiB');\n" +
  "} catch (error) {\n  console.log('no more memory after', hog.length, 'MiB:', (error as Error).message);\n}\nhog.length = 0;";

/** Processes of a student's user id still alive (a zombie is dead; the machine's init reaps it). */
function studentProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (uid >= 1_600_000_000 && uid < SANDBOX_UID_BASE && !/^State:\s+[ZX]/m.test(status)) found.push(`${pid} (uid ${uid}): ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

const write = (file: string, notebook: unknown) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(notebook));
};

describe.runIf(AS_ROOT)('grading as root without the sandbox', () => {
  const submissions = join(scratch, 'submissions');
  const out = join(scratch, 'grades');
  let run: ReturnType<typeof cli>;
  let grades: SubmissionGrade[] = [];
  let lessonBefore = '';
  let statusBefore = '';
  let leftovers: string[] = [];
  const honest = join(submissions, 'honest-ada', `${LESSON}.ipynb`);
  const attacks: Record<string, Attack> = {
    'reads-the-teacher': {
      lesson: LESSON,
      code: WRONG_HUBER,
      cells: [triesToRead([lesson1.path, join(REPO_ROOT, 'lessons'), join(REPO_ROOT, 'build', 'lessons'), honest, join(submissions, 'honest-ada'), join(out, 'grades.json'), join(out, 'work')])],
    },
    'forges-grades': {
      lesson: LESSON,
      code: WRONG_HUBER,
      cells: [triesToWrite([join(out, 'grades.json'), join(out, 'grades.csv'), honest, join(REPO_ROOT, 'src', 'homework', 'checks.ts')], '[]')],
    },
    'kills-the-grader': { lesson: LESSON, code: WRONG_HUBER, cells: [KILLS_OTHERS] },
    'fork-bomb': { lesson: LESSON, code: WRONG_HUBER, cells: [FORK_BOMB] },
    'memory-hog': { lesson: LESSON, code: WRONG_HUBER, cells: [MEMORY_HOG] },
  };
  const gradeOf = (student: string) => grades.find((g) => g.student === student)!;
  const points = (student: string) => gradeOf(student).checks.reduce((sum, c) => sum + c.earned, 0);
  const outputsOf = (student: string) => {
    const path = gradeOf(student).executedPath;
    return path && existsSync(path) ? readNotebook(path).cells.flatMap((c) => c.outputs ?? []).map((o) => String(o.text ?? '')).join('') : '';
  };

  beforeAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    buildHomework(built);
    write(honest, attackNotebook(built, { lesson: LESSON, code: RIGHT_HUBER }));
    for (const [name, attack] of Object.entries(attacks)) write(join(submissions, name, `${LESSON}.ipynb`), attackNotebook(built, attack));
    lessonBefore = hashOf(lesson1.path);
    statusBefore = gitStatus();
    run = cli('grade', submissions, '--no-sandbox', '--out', out, '--jobs', '2');
    leftovers = studentProcesses();
    grades = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8')) as SubmissionGrade[];
  }, 20 * MINUTES);

  it('says what runs how, and the honest student gets full marks beside the attacks', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/WITHOUT the sandbox \(--no-sandbox\), each as a user id of its own with 2 GiB of memory a process, 128 processes/);
    expect(points('honest-ada'), JSON.stringify(gradeOf('honest-ada').checks)).toBe(3);
  });

  it('no attack scores, reads the lessons, the grades or a classmate, or writes anything of the teacher\'s', () => {
    for (const name of Object.keys(attacks)) {
      expect(points(name), name).toBe(0);
      expect(outputsOf(name), name).not.toContain('ESCAPED');
    }
    expect(outputsOf('reads-the-teacher')).toMatch(new RegExp(`could not read ${lesson1.path} EACCES`));
    expect(outputsOf('reads-the-teacher')).toMatch(/could not read \S+honest-ada EACCES/);
    expect(outputsOf('forges-grades')).toMatch(/could not write \S+grades\.json EACCES/);
    expect(hashOf(lesson1.path)).toBe(lessonBefore);
    expect(gitStatus()).toBe(statusBefore);
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toContain('honest-ada');
  });

  it('kills reach only its own processes; a fork bomb and a memory hog meet their limits', () => {
    expect(outputsOf('kills-the-grader')).toMatch(/kills refused: \{.*"EPERM":\d+/);
    // The bomb takes every process its user id may have: the kernel, short of threads, may die of it first.
    expect(`${outputsOf('fork-bomb')} ${gradeOf('fork-bomb').notes.join(' ')}`).toMatch(/forks refused|\(`const \{ execSync, spawnSync \}.*`\) stopped the kernel and was skipped/);
    // The hog meets the 2 GiB of writable memory: an allocation fails, or the kernel dies of one.
    const hog = `${outputsOf('memory-hog')} ${gradeOf('memory-hog').notes.join(' ')}`;
    expect(hog).toMatch(/no more memory after \d+ MiB|\(`const hog: Buffer\[\] = \[\];`\) stopped the kernel and was skipped/);
    const took = Number(/no more memory after (\d+) MiB/.exec(hog)?.[1] ?? 0);
    expect(took).toBeLessThan(2048);
  });

  it('no process of a student outlives the run', () => {
    expect(leftovers).toEqual([]);
  });
});

describe.runIf(AS_ROOT)("Gradescope's run_autograder without the sandbox, as root", () => {
  const source = join(scratch, 'gradescope', 'source');
  const runs: Record<string, { status: number | null; output: string; results: GradescopeResults; after: string }> = {};

  /** One submission in Gradescope's folders, graded by the bundle's run_autograder. */
  function runAutograder(name: string, notebook: unknown) {
    const root = join(scratch, 'gradescope', 'runs', name);
    rmSync(root, { recursive: true, force: true });
    write(join(root, 'submission', `${LESSON}.ipynb`), notebook);
    symlinkSync(source, join(root, 'source'));
    const run = spawnSync(join(root, 'source', 'run_autograder'), [], { cwd: root, encoding: 'utf8', env: { ...process.env, AUTOGRADER_ROOT: root, COURSE_DIR: REPO_ROOT, AUTOGRADER_SANDBOX: 'off' } });
    const resultsFile = join(root, 'results', 'results.json');
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as GradescopeResults;
    // A writer left behind would rewrite the file after the run.
    spawnSync('sleep', ['1']);
    runs[name] = { status: run.status, output: run.stdout + run.stderr, results, after: readFileSync(resultsFile, 'utf8') };
  }

  beforeAll(() => {
    mkdirSync(built, { recursive: true });
    if (!existsSync(join(built, `${LESSON}.ipynb`))) buildHomework(built);
    const made = cli('gradescope', '1', '--out', join(scratch, 'gradescope', 'bundle'));
    expect(made.status, made.stderr).toBe(0);
    for (const [name, bytes] of Object.entries(unzipSync(readFileSync(join(scratch, 'gradescope', 'bundle', 'autograder.zip'))))) {
      mkdirSync(dirname(join(source, name)), { recursive: true });
      writeFileSync(join(source, name), bytes);
    }
    chmodSync(join(source, 'run_autograder'), 0o755);
    const results = (name: string) => join(scratch, 'gradescope', 'runs', name, 'results', 'results.json');
    const forged = JSON.stringify({ score: 100, tests: [] });
    runAutograder('honest', attackNotebook(built, { lesson: LESSON, code: RIGHT_HUBER }));
    runAutograder('attacker', attackNotebook(built, {
      lesson: LESSON,
      code: WRONG_HUBER,
      cells: [triesToRead([lesson1.path, join(source, 'course', 'lessons')]), triesToWrite([results('attacker'), results('honest')], forged), KILLS_OTHERS],
    }));
  }, 20 * MINUTES);

  it('the honest submission gets every point; the attacker none, and its forged results.json never lands', () => {
    for (const [name, { status, output }] of Object.entries(runs)) expect(status, `${name}: ${output}`).toBe(0);
    expect(runs.honest.results.score).toBe(3);
    expect(runs.attacker.results.score).toBe(0);
    expect(JSON.parse(runs.attacker.after)).toEqual(runs.attacker.results);
    expect(JSON.parse(readFileSync(join(scratch, 'gradescope', 'runs', 'honest', 'results', 'results.json'), 'utf8'))).toEqual(runs.honest.results);
    expect(runs.attacker.output).toContain("Grading without the course's sandbox (AUTOGRADER_SANDBOX=off)");
    expect(studentProcesses()).toEqual([]);
  });
});
