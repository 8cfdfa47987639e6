/**
 * `npm run test:without-addon` (CI, after `npm test`): the course on a machine with no compiler, where
 * the course-blas addon cannot build. A copy of this checkout (its tracked and untracked files, as in
 * the working tree) in the temporary folder (outside this checkout, whose node_modules Node would
 * otherwise find from inside it) gets its own `npm ci` with no compiler on PATH, so the
 * addon's build really fails and npm leaves it out; then, still without a compiler, the unit and kernel
 * tests (COURSE_EXPECT_ABSENT=course-blas: the kernel tests check that the addon is not installed at all)
 * and one training lesson run there. Last, with the compiler back, `npm run setup` must build the
 * addon. The copy is also a second checkout beside this one: it registers and runs its own kernel.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import { onPath } from './system-parts.mjs';
import { add, type Counts, countsText, elapsed, unitTierEnv, RESULTS_DIR, runPass, runStep, runVitest } from './test-runs';

/** One copy per checkout, replaced by each run. */
const COPY = join(tmpdir(), `course-without-addon-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8)}`);
/** A lesson that trains with the course's Adam (composed from tfjs ops where the addon is missing). */
const LESSON = '5';

/** The working tree's files (tracked, and untracked but not ignored), copied as they are, links as links. */
function copyCheckout(): void {
  rmSync(COPY, { recursive: true, force: true });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from) && !isLink(from)) continue; // deleted in the working tree
    const to = join(COPY, file);
    mkdirSync(dirname(to), { recursive: true });
    if (isLink(from)) symlinkSync(readlinkSync(from), to);
    else copyFileSync(from, to);
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Compilers, linkers and make: what node-gyp needs to build the addon. */
const COMPILER = /^(cc|c\+\+|gcc|g\+\+|cpp|clang|clang\+\+|make|gmake|ld|as)(-[\d.]+)?$|-(gcc|g\+\+|cpp|ld|as)(-[\d.]+)?$/;

/**
 * This machine's PATH less every compiler: one folder of links to each command on PATH but those. The
 * node on it is this process's.
 */
function pathWithoutCompiler(): string {
  const bin = join(COPY, 'build', 'bin-without-compiler');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  const linked = new Set(['node']);
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const command of entries) {
      if (linked.has(command) || COMPILER.test(command)) continue;
      linked.add(command);
      symlinkSync(join(dir, command), join(bin, command));
    }
  }
  return bin;
}

async function main(): Promise<Counts> {
  const started = performance.now();
  console.log(`Copying this checkout to ${COPY} …`);
  copyCheckout();
  const PATH = pathWithoutCompiler();
  const env = { ...process.env, PATH, CC: '', CXX: '', COURSE_EXPECT_ABSENT: 'course-blas' };
  for (const tool of ['cc', 'gcc', 'g++', 'c++', 'make']) {
    if (onPath(tool, PATH)) throw new Error(`${tool} is on the PATH meant to have no compiler`);
  }

  console.log('npm ci without a compiler (the course-blas addon must fail to build and be left out) …');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: COPY, env, encoding: 'utf8' });
  process.stdout.write(npm.stdout);
  process.stderr.write(npm.stderr);
  if (npm.status !== 0) {
    console.log(`FAILED: npm ci without a compiler (exit ${npm.status}): see above.`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const checks: Array<[string, boolean]> = [
    ['npm ci succeeds without a compiler', npm.status === 0],
    ['npm leaves the addon out (no node_modules/course-blas)', !existsSync(join(COPY, 'node_modules', 'course-blas'))],
    // npm also names there the addon whose build failed, as an optional package it dropped; any other is one to approve.
    ["npm names no install script that package.json's allowScripts does not cover", uncoveredScripts(npm.stderr).every((name) => name === 'course-blas')],
  ];

  const unit = await runVitest('the unit and kernel tests', join(RESULTS_DIR, 'without-addon.json'), [], {
    cwd: COPY,
    env: unitTierEnv(env),
  });
  const lesson = await runStep(`lesson ${LESSON}`, process.execPath, ['--import', 'tsx', 'tools/lesson.ts', LESSON], { cwd: COPY, env });
  const header = lessonHeader();
  checks.push(
    [`lesson ${LESSON} passes`, lesson === 0],
    [`lesson ${LESSON} ran without the addon (its header: "${header}")`, /no native BLAS: the optional course-blas addon is not installed/.test(header)],
  );

  // The newcomer who ran npm ci before the compiler was there: setup, with the compiler back, builds the addon.
  console.log('\nnpm run setup with the compiler back on PATH (it must build the addon) …');
  const setup = spawnSync(process.execPath, ['tools/setup.mjs'], { cwd: COPY, encoding: 'utf8' });
  process.stdout.write(setup.stdout);
  process.stderr.write(setup.stderr);
  const addonLoads = spawnSync(process.execPath, ['-e', 'require("course-blas")'], { cwd: COPY }).status === 0;
  checks.push([
    'npm run setup, once a compiler is there, builds the addon that npm ci left out',
    setup.status === 0 && setup.stdout.includes('setup: building the course-blas addon') && addonLoads,
  ]);

  const failed = checks.filter(([, ok]) => !ok);
  const total = add(unit, { passed: checks.length - failed.length, failed: failed.length, skipped: 0 });
  console.log(`\nWithout the addon (${elapsed(started)}): unit and kernel tests ${countsText(unit)}`);
  for (const [check, ok] of checks) console.log(`  ${ok ? 'ok' : 'FAILED'}: ${check}`);
  return total;
}

/** The packages npm's "install scripts not yet covered by allowScripts" warning names. */
function uncoveredScripts(npmStderr: string): string[] {
  return [...npmStderr.matchAll(/^npm warn install-scripts {3}(\S+)@\S+ \(/gm)].map((match) => match[1]);
}

/** The backend line at the top of the copy's executed lesson. */
function lessonHeader(): string {
  const executed = join(COPY, 'build', 'lessons');
  const file = existsSync(executed) ? readdirSync(executed).find((name) => name.startsWith(`0${LESSON}-`) && name.endsWith('.ipynb')) : undefined;
  if (!file) return 'no executed notebook';
  return /Backend: [^"\\]*/.exec(readFileSync(join(executed, file), 'utf8'))?.[0] ?? 'no backend line';
}

runPass('without-addon', 'npm run test:without-addon', main);
