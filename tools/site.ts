/**
 * `npm run site`: builds the course site (site/, Astro + Starlight) into build/site/ from the executed
 * notebooks in build/lessons/. It first installs the site's own dependencies if they are missing and
 * executes every lesson whose executed copy is missing or older than its notebook or than src/.
 *
 *   tsx tools/site.ts                  build (executing stale lessons first)
 *   tsx tools/site.ts --no-execute     build from whatever build/lessons/ holds (what `npm test` does,
 *                                      right after tests/lessons.test.ts has executed every lesson)
 *   tsx tools/site.ts preview [--port 4321]   serve build/site/ on 127.0.0.1 (building it if missing)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './jupyter.mjs';
import { listLessons, type LessonFile } from './notebooks';
import { resultsTable, terminalObserver } from './report';
import { executedPathOf, runLesson } from './run-lesson';

const SITE = join(REPO_ROOT, 'site');
const OUT = join(REPO_ROOT, 'build', 'site');
const ASTRO = join(SITE, 'node_modules', 'astro', 'astro.js');

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = spawnSync(command, args, { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
}

/** The site is its own npm package with its own lock; `npm ci` whenever its installed tree is missing or older than the lock. */
function ensureSiteDependencies(): void {
  const installed = join(SITE, 'node_modules', '.package-lock.json');
  const lock = join(SITE, 'package-lock.json');
  if (existsSync(installed) && existsSync(ASTRO) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('Installing the site\'s dependencies (npm ci --prefix site)…');
  run('npm', ['ci', '--prefix', 'site', '--no-audit', '--no-fund']);
}

/** The newest modification time of any file under dir. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function staleLessons(): LessonFile[] {
  const library = newestMtime(join(REPO_ROOT, 'src'));
  return listLessons().filter((lesson) => {
    const executed = executedPathOf(lesson);
    return !existsSync(executed) || statSync(executed).mtimeMs < Math.max(statSync(lesson.path).mtimeMs, library);
  });
}

/** A failed lesson still gets its page (with the failure shown), so this warns rather than stops. */
async function executeStaleLessons(): Promise<void> {
  const stale = staleLessons();
  if (stale.length === 0) return;
  console.log(`Executing ${stale.length} lesson(s) whose executed notebook is missing or out of date: ${stale.map((l) => l.number).join(', ')}`);
  for (const lesson of stale) {
    console.log(`\nLesson ${lesson.number}: ${lesson.meta.title}`);
    const { results, executedPath } = await runLesson(lesson, { observer: terminalObserver() });
    console.log(resultsTable(lesson, results, executedPath));
    if (!results.passed) console.warn(`Lesson ${lesson.number} failed; its page shows the failure.`);
  }
}

/** Astro builds into site/dist/ (building straight outside its project leaves .astro/ files in the output), then moves it. */
function buildSite(): void {
  const started = performance.now();
  const dist = join(SITE, 'dist');
  rmSync(dist, { recursive: true, force: true });
  run(process.execPath, [ASTRO, 'build'], { cwd: SITE, env: { SITE_OUT: './dist', COURSE_ROOT: REPO_ROOT } });
  rmSync(OUT, { recursive: true, force: true });
  renameSync(dist, OUT);
  console.log(`The site is in build/site/ (built in ${((performance.now() - started) / 1000).toFixed(1)} s). Serve it with: npm run site:preview`);
}

/** Serves until stopped; a SIGTERM or SIGINT sent to this process alone also stops the server. */
async function preview(port: string): Promise<void> {
  const server = spawn(process.execPath, [ASTRO, 'preview', '--host', '127.0.0.1', '--port', port], {
    cwd: SITE,
    env: { ...process.env, SITE_OUT: '../build/site', COURSE_ROOT: REPO_ROOT },
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
  const code: number = await new Promise((resolve) => server.on('close', (exit) => resolve(exit ?? 0)));
  process.exitCode = code;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'no-execute': { type: 'boolean' }, port: { type: 'string', default: '4321' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'build';
  if (values.help || !['build', 'preview'].includes(command)) {
    console.log('usage: npm run site [-- --no-execute]   |   npm run site:preview [-- --port 4321]');
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  ensureSiteDependencies();
  if (command === 'preview') {
    if (!existsSync(join(OUT, 'index.html'))) buildSite();
    await preview(values.port!);
    return;
  }
  if (!values['no-execute']) await executeStaleLessons();
  buildSite();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
