// The unit tier (npm run test:unit) must hold no test that starts a kernel or a browser: the guard its
// setup file installs turns such a test into a failure that names the tier it belongs in.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeNotebook } from '../tools/executor';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { notebookTestRank, STARTS_KERNEL_OR_BROWSER } from '../tools/test-tiers.mjs';
import { guardAgainstKernels, KernelInUnitTier } from './helpers/kernel-guard';

describe('test tiers', () => {
  it('puts a file in the notebook tier by its glob, and every other file in the unit tier', () => {
    expect(notebookTestRank('tests/lessons.test.ts')).toBe(0);
    expect(notebookTestRank('tests/homework.test.ts')).toBe(1);
    expect(notebookTestRank('tests/homework-attacks.test.ts')).toBe(1);
    expect(notebookTestRank('tests/npy.test.ts')).toBe(-1);
    expect(notebookTestRank('tests/homework/x.test.ts')).toBe(-1);
    expect(notebookTestRank('tests/runner.test.tsx')).toBe(-1);
  });

  it('recognises the command lines that start a kernel, a notebook server or a browser', () => {
    const starting = [
      `/usr/bin/python3 ${join(REPO_ROOT, 'tools', 'execute_notebook.py')} lessons/01-linear-regression.ipynb out.ipynb --kernel=tslab`,
      '/usr/bin/python3 -m notebook --notebook-dir=/x',
      'npm run lesson -- 4',
      '/usr/bin/chromium --headless',
      `${process.execPath} --import tsx tools/lesson.ts 1`,
    ];
    const harmless = ['/usr/bin/python3 -c import numpy', `${process.execPath} --import tsx tests/fixtures/save-forever.ts /tmp/x`, 'git rev-parse HEAD'];
    for (const line of starting) expect(line).toMatch(STARTS_KERNEL_OR_BROWSER);
    for (const line of harmless) expect(line).not.toMatch(STARTS_KERNEL_OR_BROWSER);
  });

  it('fails a test that runs a notebook, and lets other child processes run', async () => {
    const unguard = guardAgainstKernels();
    try {
      const out = join(mkdtempSync(join(tmpdir(), 'tiers-')), 'executed.ipynb');
      const run = executeNotebook(join(REPO_ROOT, 'lessons', '01-linear-regression.ipynb'), out, { cellTimeoutSeconds: 10, onEvent: () => {} });
      await expect(run).rejects.toThrow(KernelInUnitTier);
      await expect(run).rejects.toThrow(/NOTEBOOK_TEST_FILES in tools\/test-tiers\.mjs/);
      expect(spawnSync(process.execPath, ['-e', 'process.stdout.write("ran")'], { encoding: 'utf8' }).stdout).toBe('ran');
    } finally {
      unguard();
    }
  });
});
