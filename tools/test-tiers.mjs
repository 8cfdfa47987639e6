/**
 * The tiers of vitest files (tests/site/ has a config of its own). The notebook tier starts Jupyter
 * kernels, or commands that do; the unit tier, every other file, is the edit loop (`npm run test:unit`)
 * and what the CI passes on other machines run. `npm test` runs both.
 * No imports, and JavaScript: vitest's configs load this file.
 */

/** Set to `unit`, vitest.config.ts runs the unit tier. */
export const TEST_TIER_ENV = 'COURSE_TEST_TIER';

/** The files that run notebooks, longest first (vitest.config.ts starts them first). Globs: `*` only. */
export const NOTEBOOK_TEST_FILES = ['tests/lessons.test.ts', 'tests/homework*.test.ts', 'tests/runner.test.ts', 'tests/signals.test.ts', 'tests/setup.test.ts'];

/** The index in NOTEBOOK_TEST_FILES of the glob `path` (relative to the checkout) matches, or -1. */
/** @param {string} path @returns {number} */
export function notebookTestRank(path) {
  return NOTEBOOK_TEST_FILES.findIndex((glob) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path));
}

/**
 * A command line that starts a kernel, a notebook server or a browser, or a course command that does:
 * what the unit tier refuses to spawn (tests/helpers/kernel-guard.ts).
 */
export const STARTS_KERNEL_OR_BROWSER =
  /execute_notebook|tslab|chrom|(^| )-m (notebook|jupyter)\b|jupyter[- ](notebook|lab|server|kernel|nbconvert|execute)|tools\/(lesson|start|seeds|site|test)\.ts|homework\/cli|(^|\/| )npm( |$)/;
