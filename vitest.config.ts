import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { configDefaults, defineConfig } from 'vitest/config';
import { NOTEBOOK_TEST_FILES, notebookTestRank, TEST_TIER_ENV } from './tools/test-tiers.mjs';

/**
 * The files that start Jupyter kernels, longest first. The lessons take about two thirds of the
 * run, so they must start at once; the other files fill the cores around them.
 */
class KernelFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = notebookTestRank(relative(file.project.config.root, file.moduleId));
      return index === -1 ? NOTEBOOK_TEST_FILES.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

// `npm run test:unit` sets COURSE_TEST_TIER=unit: every file but those that run notebooks, and none may start a kernel.
const unitTier = process.env[TEST_TIER_ENV] === 'unit';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The site's browser tests need the built site: `npm run test:site` runs them after the lessons.
    exclude: [...configDefaults.exclude, 'tests/site/**', ...(unitTier ? NOTEBOOK_TEST_FILES : [])],
    setupFiles: unitTier ? ['tests/helpers/unit-tier-setup.ts'] : [],
    // Lessons run in Jupyter kernels (child processes); two at a time fills this course's 2-core target machine.
    maxConcurrency: 2,
    // Test files run side by side, so that the grader's and the runner's kernels and the in-process tests
    // share the cores with the lessons instead of queueing behind them (README, "How npm test fills two
    // cores"). Vitest's default, one worker per core but one, ran the files one after another on 2 cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: KernelFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
