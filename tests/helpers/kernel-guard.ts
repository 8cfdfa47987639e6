/**
 * Makes every child_process call that would start a kernel, a notebook server or a browser throw, naming
 * the tier the test belongs in. The unit tier installs it for every file (vitest.config.ts), so a
 * test that starts a kernel fails there instead of slowing the edit loop down unnoticed.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { STARTS_KERNEL_OR_BROWSER } from '../../tools/test-tiers.mjs';

const SPAWNING = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

export class KernelInUnitTier extends Error {}

/** Installs the guard; returns the function that removes it. */
export function guardAgainstKernels(): () => void {
  const originals = SPAWNING.map((name) => [name, childProcess[name]] as const);
  const target = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [name, original] of originals) {
    target[name] = (...args: unknown[]) => {
      const commandLine = [args[0], ...(Array.isArray(args[1]) ? args[1] : [])].map(String).join(' ');
      if (STARTS_KERNEL_OR_BROWSER.test(commandLine)) {
        throw new KernelInUnitTier(
          `A unit-tier test started a kernel, a notebook server or a browser (${commandLine.slice(0, 160)}).\n` +
            '  Fix: add its file to NOTEBOOK_TEST_FILES in tools/test-tiers.mjs, or test without starting one.',
        );
      }
      return (original as (...a: unknown[]) => unknown)(...args);
    };
  }
  // Named imports (`import { spawn } from 'node:child_process'`) see the replacement only after this.
  syncBuiltinESMExports();
  return () => {
    for (const [name, original] of originals) target[name] = original as (...args: unknown[]) => unknown;
    syncBuiltinESMExports();
  };
}
