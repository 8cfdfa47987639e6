import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The site's browser tests need the built site: `npm run test:site` runs them after the lessons.
    exclude: [...configDefaults.exclude, 'tests/site/**'],
    // Lessons run in Jupyter kernels (child processes); two at a time fills this course's 2-core target machine.
    maxConcurrency: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
