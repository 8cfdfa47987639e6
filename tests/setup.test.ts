// `npm run setup` runs before every `npm start` and `npm test`: on a ready checkout it must change nothing
// and finish quickly; on a machine that lacks a part it installs exactly what is missing where it can
// (as root, with apt-get), and otherwise says once what is missing, what that costs and how to install it.
// A stand-in apt-get and a PATH without the compiler and bubblewrap make a machine that lacks parts.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR as LESSONS_FASHION_MNIST_DIR } from '../src/data/mnist';
import { findJupyterPython, REPO_ROOT } from '../tools/jupyter.mjs';
import { FASHION_MNIST_DIR, SYSTEM_PARTS } from '../tools/system-parts.mjs';

const scratch = join(REPO_ROOT, 'build', 'test-setup');

interface SetupRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function setup(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SetupRun> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'tools', 'setup.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/**
 * A machine without bubblewrap, NumPy and Chromium and with no compiler on PATH (the addon, built
 * already, stays): only node (and, with `aptGet`, a stand-in apt-get that records its calls) on PATH.
 */
function lackingMachine(aptGet: boolean): { env: NodeJS.ProcessEnv; aptCalls: () => string[] } {
  mkdirSync(scratch, { recursive: true });
  const bin = mkdtempSync(join(scratch, 'bin-'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const log = join(bin, 'apt-get.log');
  if (aptGet) {
    writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> '${log}'\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
  }
  const python = spawnSync(findJupyterPython() ?? 'python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  return {
    env: { PATH: bin, CHROMIUM_PATH: '/nonexistent/chromium', NUMPY_PYTHON: '/nonexistent/python3', COURSE_PYTHON: python, COURSE_REQUIRE_ALL: '' },
    aptCalls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

const LACKING = ['bubblewrap', 'NumPy', 'Chromium'];
const isRoot = process.getuid?.() === 0;

describe('npm run setup', () => {
  it('does nothing when everything is in place', async () => {
    const result = await setup(['--test']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('setup: npm dependencies are installed');
    expect(result.stdout).toMatch(/setup: Jupyter found \(.+python.*\)/);
    expect(result.stdout).toContain('setup: tslab kernel is ready for this checkout');
    expect(result.stdout).toContain('setup: mnist is readable (60000 training + 10000 test images)');
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^setup: ready/);
    expect(result.stdout).not.toMatch(/installing|registering|building/);
  }, 60_000);

  describe.concurrent('on a machine that lacks parts', () => {

    it('names each missing part, what it costs and how to install it, where it cannot install', async () => {
      const machine = lackingMachine(false);
      const result = await setup(['--test'], machine.env);
      expect(result.status, result.stderr).toBe(0);
      for (const name of LACKING) {
        const part = Object.values(SYSTEM_PARTS).find((p) => p.name === name)!;
        expect(result.stdout).toContain(`  - ${name}: ${part.cost}\n`);
        // ... and, under "Install:", where to get it
        expect(result.stdout.split('\n').filter((line) => line.startsWith(`  - ${name}: `))).toHaveLength(2);
      }
      expect(result.stdout).toContain('then run `npm run setup` again.');
      expect(result.stdout).not.toContain('Jupyter:'); // it is there
      expect(result.stdout.trim().split('\n').at(-1)).toBe(`setup: ready, without ${LACKING.join(', ')} (see above)`);
    }, 60_000);

    it(
      isRoot ? 'as root, installs exactly the missing parts with one apt-get update' : 'without root, gives the one sudo command that installs them',
      async () => {
        const machine = lackingMachine(true);
        const result = await setup(['--test'], machine.env);
        expect(result.status, result.stderr).toBe(0);
        const packages = 'bubblewrap python3-numpy chromium fonts-liberation';
        if (isRoot) {
          expect(result.stdout).toContain(`setup: installing from Debian's packages: ${packages}…`);
          expect(machine.aptCalls()).toEqual(['update -qq', `install -y -qq --no-install-recommends ${packages}`]);
        } else {
          expect(machine.aptCalls()).toEqual([]);
        }
        // The stand-in installed nothing: setup says so, with the one command.
        expect(result.stdout).toContain(`  Install them all with: ${isRoot ? '' : 'sudo '}apt-get install -y ${packages} && npm run setup -- --test`);
      },
      60_000,
    );

    it('fails, naming what is missing, where COURSE_REQUIRE_ALL=1 (CI)', async () => {
      const machine = lackingMachine(false);
      const result = await setup(['--test'], { ...machine.env, COURSE_REQUIRE_ALL: '1' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`setup failed: COURSE_REQUIRE_ALL=1, and this machine lacks: ${LACKING.join(', ')}.`);
    }, 60_000);
  });

  it('looks for Fashion-MNIST where the lessons read it', () => {
    expect(FASHION_MNIST_DIR).toBe(LESSONS_FASHION_MNIST_DIR);
  });
});
