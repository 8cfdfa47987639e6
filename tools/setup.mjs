#!/usr/bin/env node
// `npm run setup`: make this checkout ready to run the course, doing only what is missing.
// 1. npm dependencies (npm ci when node_modules is absent or older than package-lock.json);
// 2. Jupyter (Debian's packages when apt-get works and we are root, otherwise one message saying how);
// 3. the tslab kernel: this checkout's own (build/jupyter, used by everything the course starts), and a
//    "TypeScript" kernel for Jupyter or VS Code opened by hand, unless a working one is registered already;
// 4. the datasets, checked readable.
// `npm start` and `npm test` run it first, so each works on a fresh clone by itself.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  findJupyterPython, JUPYTER_DEBIAN_PACKAGES, JUPYTER_INSTALL_HINT, kernelIsRegistered, REPO_ROOT, TSLAB_BINARY, tslabKernelSpec,
} from './jupyter.mjs';

/** @param {string} message */
function step(message) {
  console.log(`setup: ${message}`);
}

/** @param {string} message @param {string} fix @returns {never} */
function fail(message, fix) {
  console.error(`\nsetup failed: ${message}\n  Fix: ${fix}\n`);
  process.exit(1);
}

/** @param {string} command @param {string[]} args */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  return result.status === 0;
}

function npmDependencies() {
  const installed = join(REPO_ROOT, 'node_modules', '.package-lock.json');
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return step('npm dependencies are installed');
  step('installing npm dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-fund', '--no-audit'])) fail('`npm ci` failed.', 'read npm\'s message above; `rm -rf node_modules && npm ci` often helps.');
}

function canUseApt() {
  return process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** @returns {string} the Python that has Jupyter */
function jupyter() {
  const found = findJupyterPython();
  if (found) {
    step(`Jupyter found (${found})`);
    return found;
  }
  if (!canUseApt()) fail('Jupyter is not installed (no Python here can import nbclient and notebook).', JUPYTER_INSTALL_HINT);
  step(`installing Jupyter from Debian's packages: ${JUPYTER_DEBIAN_PACKAGES.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (/** @type {string[]} */ args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--no-install-recommends', ...JUPYTER_DEBIAN_PACKAGES])) {
    fail('apt-get could not install Jupyter.', JUPYTER_INSTALL_HINT);
  }
  const installed = findJupyterPython();
  if (!installed) fail('Jupyter was installed but no Python can import it.', JUPYTER_INSTALL_HINT);
  return installed;
}

/** @param {string} python */
function kernel(python) {
  if (!kernelIsRegistered(python)) {
    fail('Jupyter does not find this checkout\'s tslab kernel (build/jupyter/kernels/tslab).', 'remove build/jupyter and run `npm run setup` again; if JUPYTER_PATH is set, unset it.');
  }
  step('tslab kernel is ready for this checkout');
  // Jupyter or VS Code started by hand looks only in the user's and the system's folders.
  const global = tslabKernelSpec(python, { global: true });
  if (global && existsSync(global.argv[0])) return;
  step('registering the "TypeScript" kernel for Jupyter and VS Code opened by hand…');
  if (!run(TSLAB_BINARY, ['install', `--python=${python}`, `--binary=${TSLAB_BINARY}`])) {
    fail('could not register the tslab kernel with Jupyter.', `run \`${TSLAB_BINARY} install --python=${python} --binary=${TSLAB_BINARY}\` and read its message.`);
  }
}

function datasets() {
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  if (!run(tsx, [join(REPO_ROOT, 'tools', 'check-datasets.ts')])) fail('a dataset is missing or unreadable (see above).', 'follow the fix printed above.');
}

npmDependencies();
const python = jupyter();
kernel(python);
datasets();
step('ready');
