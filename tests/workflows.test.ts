import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';

// actionlint (its wasm build, run offline): syntax, expressions, step outputs and runner labels of the
// GitHub workflows, which cannot run here.
const ACTIONLINT = join(REPO_ROOT, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');

function actionlint(cwd: string, files: string[]) {
  return spawnSync(process.execPath, [ACTIONLINT, ...files], { cwd, encoding: 'utf8', timeout: 60_000 });
}

describe('the GitHub workflows', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'course-workflows-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const files = readdirSync(WORKFLOWS).filter((name) => /\.ya?ml$/.test(name));

  it('pass actionlint', () => {
    expect(files).toContain('site.yml');
    const run = actionlint(WORKFLOWS, files);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('would fail it with a wrong step output', () => {
    const broken = readFileSync(join(WORKFLOWS, 'site.yml'), 'utf8').replace('steps.pages.outputs.base_path', 'steps.pages.outputs.base_pth');
    expect(broken).toContain('base_pth');
    writeFileSync(join(scratch, 'site.yml'), broken);
    const run = actionlint(scratch, ['site.yml']);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('base_pth');
  });
});
