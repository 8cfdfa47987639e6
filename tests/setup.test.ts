// `npm run setup` runs before every `npm start` and `npm test`: on a ready checkout it must change
// nothing and finish quickly.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';

describe('npm run setup', () => {
  it('is quick and does nothing when everything is in place', () => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'setup.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    const seconds = (performance.now() - started) / 1000;
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('setup: npm dependencies are installed');
    expect(result.stdout).toMatch(/setup: Jupyter found \(.+python.*\)/);
    expect(result.stdout).toContain('setup: tslab kernel is ready for this checkout');
    expect(result.stdout).toContain('setup: mnist is readable (60000 training + 10000 test images)');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('setup: ready');
    expect(result.stdout).not.toMatch(/installing|registering/);
    expect(seconds).toBeLessThan(30);
  }, 60_000);
});
