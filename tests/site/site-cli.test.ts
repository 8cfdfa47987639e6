// `npm run site` refuses, before building, what would break the site or delete a user's files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './browser';

const site = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/site.ts', '--no-execute', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run site', () => {
  const folder = mkdtempSync(join(tmpdir(), 'course-site-out-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('will not replace a folder that holds something other than a built site', () => {
    writeFileSync(join(folder, 'thesis.tex'), 'months of work');
    const result = site('--out', folder);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${folder} is not empty and holds no built site`);
    expect(existsSync(join(folder, 'thesis.tex'))).toBe(true);
  });

  it('names the setting when the base is not a path', () => {
    const result = site('--base', '/a/../../b/');
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('The site base "/a/../../b/" is not a path: give one like /deep-learning-ts/ (COURSE_SITE_BASE or --base).');
  });
});
