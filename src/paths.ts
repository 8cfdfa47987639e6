/**
 * Paths inside the project. A notebook's kernel runs in lessons/, a test or a
 * script in the project root; files the lessons write (logs, checkpoints,
 * exported models) must land in the same place either way, so they are named
 * relative to the project root, found as the nearest folder with a package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  let dir = resolve(process.cwd());
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${process.cwd()}: run the course from inside its folder.`);
    dir = parent;
  }
  root = dir;
  return dir;
}

/** A path under the project root, e.g. projectPath('data', 'handwriting'). */
export function projectPath(...parts: string[]): string {
  return join(projectRoot(), ...parts);
}

/**
 * Set by the runner for a run on another seed (`npm run seeds`, `npm run lesson -- N --seed n`): the
 * folder that run writes its files to, so that runs side by side never share a checkpoint or a log,
 * and none replaces what the site publishes from build/.
 */
export const BUILD_DIR_ENV = 'COURSE_BUILD_DIR';

/** Where a lesson writes its files (logs, checkpoints, exported models): build/, or its run's own folder. */
export function buildPath(...parts: string[]): string {
  const dir = process.env[BUILD_DIR_ENV]?.trim();
  return dir ? join(resolve(projectRoot(), dir), ...parts) : projectPath('build', ...parts);
}
