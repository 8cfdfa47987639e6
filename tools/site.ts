/**
 * `npm run site`: builds the course site (site/, Astro + Starlight) into build/site/ from the executed
 * notebooks in build/lessons/. It first installs the site's own dependencies if they are missing and
 * executes every lesson whose executed copy is missing or older than its notebook or than src/.
 *
 *   tsx tools/site.ts                  build (executing stale lessons first)
 *   tsx tools/site.ts --no-execute     build from whatever build/lessons/ holds (what `npm test` does,
 *                                      right after tests/lessons.test.ts has executed every lesson)
 *   tsx tools/site.ts preview [--port 4321]   serve build/site/ on 127.0.0.1 (building it if missing)
 *
 * Both take --base /<path>/ and --site-url https://… (or COURSE_SITE_BASE, COURSE_SITE_URL) for a site
 * published under a sub-path, and --out <folder> for another output folder. The build writes its report
 * (each page's HTML weight; the browser tests add what they measure) to build/site-report.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './jupyter.mjs';
import { listLessons, type LessonFile } from './notebooks';
import { resultsTable, terminalObserver } from './report';
import { executedPathOf, runLesson } from './run-lesson';
import { parseSiteAddress, type SiteAddress } from './site-address';
import { writeSiteReport } from './site-report';

const SITE = join(REPO_ROOT, 'site');
const DEFAULT_OUT = join(REPO_ROOT, 'build', 'site');
const ASTRO = join(SITE, 'node_modules', 'astro', 'astro.js');

/** Astro takes these from the environment over its own config (a Vite or Vitest parent sets BASE_URL='/'). */
const ASTRO_OWN_VARIABLES = ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'SITE', 'ASSETS_PREFIX'];

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const env = { ...process.env, ...options.env };
  for (const name of ASTRO_OWN_VARIABLES) delete env[name];
  const result = spawnSync(command, args, { cwd: options.cwd ?? REPO_ROOT, env, stdio: 'inherit' });
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

/** Astro's environment for this address, output folder and course. */
function astroEnv(address: SiteAddress, outDir: string): NodeJS.ProcessEnv {
  return { SITE_OUT: outDir, COURSE_ROOT: REPO_ROOT, COURSE_SITE_BASE: address.base, COURSE_SITE_URL: address.url ?? '' };
}

/** The build replaces the output folder, so it must be one it may delete: missing, empty or an earlier build. */
function checkOutFolder(out: string): void {
  if (!existsSync(out)) return;
  const entries = readdirSync(out);
  const earlierBuild = entries.includes('index.html') && entries.includes('_astro');
  if (entries.length > 0 && !earlierBuild) {
    throw new Error(`${out} is not empty and holds no built site; the build would delete it. Give --out a new or empty folder.`);
  }
}

/** Astro builds into site/dist/ (building straight outside its project leaves .astro/ files in the output), then moves it. */
function buildSite(address: SiteAddress, out: string): void {
  checkOutFolder(out);
  const started = performance.now();
  const dist = join(SITE, 'dist');
  rmSync(dist, { recursive: true, force: true });
  run(process.execPath, [ASTRO, 'build'], { cwd: SITE, env: astroEnv(address, './dist') });
  rmSync(out, { recursive: true, force: true });
  try {
    renameSync(dist, out);
  } catch {
    // Another file system: copy instead.
    cpSync(dist, out, { recursive: true });
    rmSync(dist, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const report = writeSiteReport({ out, address, seconds });
  console.log(`The site is in ${out} (built in ${seconds.toFixed(1)} s, for ${address.url ?? address.base}); the heaviest page is ${report.heaviest}.`);
  console.log(`Serve it with: npm run site:preview${address.base === '/' ? '' : ` -- --base ${address.base}`}`);
}

/** Serves until stopped; a SIGTERM or SIGINT sent to this process alone also stops the server. */
async function preview(address: SiteAddress, out: string, port: string): Promise<void> {
  const server = spawn(process.execPath, [ASTRO, 'preview', '--host', '127.0.0.1', '--port', port], {
    cwd: SITE,
    env: Object.fromEntries(Object.entries({ ...process.env, ...astroEnv(address, out) }).filter(([name]) => !ASTRO_OWN_VARIABLES.includes(name))),
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
  const code: number = await new Promise((resolve) => server.on('close', (exit) => resolve(exit ?? 0)));
  process.exitCode = code;
}

const USAGE = `usage: npm run site [-- --no-execute] [--base /<path>/] [--site-url https://…] [--out <folder>]
       npm run site:preview [-- --port 4321] [--base /<path>/] [--out <folder>]`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'no-execute': { type: 'boolean' },
      port: { type: 'string', default: '4321' },
      base: { type: 'string' },
      'site-url': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'build';
  if (values.help || !['build', 'preview'].includes(command)) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const address = parseSiteAddress({ base: values.base ?? process.env.COURSE_SITE_BASE, url: values['site-url'] ?? process.env.COURSE_SITE_URL });
  // npm runs scripts in the course's folder; a relative --out is meant from where the user typed it.
  const out = values.out ? resolve(process.env.INIT_CWD ?? process.cwd(), values.out) : DEFAULT_OUT;
  ensureSiteDependencies();
  if (command === 'preview') {
    if (!existsSync(join(out, 'index.html'))) buildSite(address, out);
    await preview(address, out, values.port!);
    return;
  }
  if (!values['no-execute']) await executeStaleLessons();
  buildSite(address, out);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
