#!/usr/bin/env node
// `npm run setup`: make this checkout ready to run the course, doing only what is missing.
// 1. what the course needs from the machine (tools/system-parts.mjs): Jupyter, OpenBLAS and a compiler
//    for the course-blas addon, Fashion-MNIST, bubblewrap, and with --test NumPy and Chromium. As root
//    with apt-get, Debian's packages for the missing ones; otherwise one message saying what is missing,
//    what that costs and the one command that installs it;
// 2. npm dependencies (npm ci when node_modules is absent or older than package-lock.json);
// 3. the course-blas addon, built if OpenBLAS and a compiler arrived after npm ci;
// 4. the tslab kernel: this checkout's own (build/jupyter, used by everything the course starts), and a
//    "TypeScript" kernel for Jupyter or VS Code opened by hand, unless a working one is registered already;
// 5. the datasets, checked readable;
// 6. with --native or --gpu, TensorFlow's native engine (tools/native-tensorflow.mjs).
// `npm start` runs it first, `npm test` with --test, so each works on a fresh clone by itself.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findJupyterPython, JUPYTER_INSTALL_HINT, kernelIsRegistered, REPO_ROOT, TSLAB_BINARY, tslabKernelSpec } from './jupyter.mjs';
import { NATIVE_ENGINES, nativeInstallArgs } from './native-tensorflow.mjs';
import { addonLoads, debianInstallCommand, onPath, partsNeeded, SYSTEM_PARTS } from './system-parts.mjs';

const USAGE = `usage: npm run setup [-- --test] [-- --native | --gpu]
  --test    also what npm test needs (NumPy, Chromium)
  --native  also TensorFlow's native engine for the CPU (${NATIVE_ENGINES.native.needs})
  --gpu     also TensorFlow's native engine for NVIDIA GPUs (${NATIVE_ENGINES.gpu.needs})`;

/** @param {string} message */
function step(message) {
  console.log(`setup: ${message}`);
}

/** @param {string} message @param {string} fix @returns {never} */
function fail(message, fix) {
  console.error(`\nsetup failed: ${message}\n  Fix: ${fix}\n`);
  process.exit(1);
}

/** @param {string} command @param {string[]} args @param {{ quiet?: boolean, env?: NodeJS.ProcessEnv }} [options] */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit'], env: options.env });
  return result.status === 0;
}

const isRoot = process.getuid?.() === 0;
const canUseApt = process.platform === 'linux' && isRoot && onPath('apt-get');

/**
 * Installs the missing parts from Debian's packages where it can; says once what is still missing.
 * @param {{ tests: boolean }} options
 * @returns {string[]} the names of the parts still missing
 */
function systemParts(options) {
  const needed = partsNeeded(options);
  let missing = needed.filter((part) => !part.present());
  if (missing.length === 0) return [];
  if (canUseApt) {
    const packages = [...new Set(missing.flatMap((part) => part.packages))];
    step(`installing from Debian's packages: ${packages.join(' ')}…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const installed =
      run('apt-get', ['update', '-qq'], { quiet: true, env }) &&
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { quiet: true, env });
    if (!installed) step('apt-get could not install them (see its message above)');
    missing = missing.filter((part) => !part.present());
    if (missing.length === 0) return [];
  }
  const lines = missing.map((part) => `  - ${part.name}: ${part.cost}`);
  const aptGet = onPath('apt-get') ? `  Install ${missing.length === 1 ? 'it' : 'them all'} with: ${debianInstallCommand(missing, { root: isRoot, tests: options.tests })}` : '';
  const elsewhere = onPath('apt-get') ? [] : ['  Install:', ...missing.map((part) => `  - ${part.name}: ${part.elsewhere}`), '  then run `npm run setup` again.'];
  console.log([`setup: this machine lacks ${missing.length === 1 ? 'a part' : 'parts'} of the course:`, ...lines, aptGet, ...elsewhere].filter(Boolean).join('\n'));
  return missing.map((part) => part.name);
}

function npmDependencies() {
  const installed = join(REPO_ROOT, 'node_modules', '.package-lock.json');
  const lock = join(REPO_ROOT, 'package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return step('npm dependencies are installed');
  step('installing npm dependencies (npm ci)…');
  if (!run('npm', ['ci', '--no-fund', '--no-audit'])) fail('`npm ci` failed.', 'read npm\'s message above; `rm -rf node_modules && npm ci` often helps.');
}

/** Builds the course-blas addon where OpenBLAS and a compiler are there but the addon is not (installed after npm ci). */
function nativeAddon() {
  if (addonLoads()) return step('course-blas addon is built');
  if (!SYSTEM_PARTS.addonTools.present()) return; // said above, with its cost
  step('building the course-blas addon (OpenBLAS and a compiler are here now)…');
  // npm drops an optional dependency whose build failed, link and all: then only a fresh install brings it back.
  const linked = existsSync(join(REPO_ROOT, 'node_modules', 'course-blas'));
  run('npm', linked ? ['rebuild', 'course-blas'] : ['ci', '--no-fund', '--no-audit'], { quiet: true });
  if (!addonLoads()) step('the course-blas addon did not build (see the compiler\'s message above); lessons use the slower pure-wasm kernels');
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

/** @param {'native' | 'gpu'} kind */
function nativeTensorFlow(kind) {
  const engine = NATIVE_ENGINES[kind];
  if (existsSync(join(REPO_ROOT, 'node_modules', engine.module, 'package.json'))) return step(`${engine.packageName} is installed`);
  step(`installing ${engine.packageName} (${engine.needs})…`);
  if (!run('npm', nativeInstallArgs(kind))) fail(`npm could not install ${engine.packageName}.`, 'read npm\'s message above; the course runs without it, on the wasm engine.');
}

const { values: flags } = parseArgs({ options: { test: { type: 'boolean' }, native: { type: 'boolean' }, gpu: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const missing = systemParts({ tests: !!flags.test });
const python = findJupyterPython();
if (!python) fail('Jupyter is not installed (no Python here can import nbclient and notebook).', JUPYTER_INSTALL_HINT);
step(`Jupyter found (${python})`);
npmDependencies();
nativeAddon();
kernel(python);
datasets();
if (flags.native) nativeTensorFlow('native');
if (flags.gpu) nativeTensorFlow('gpu');
if (missing.length > 0 && process.env.COURSE_REQUIRE_ALL === '1') {
  fail(`COURSE_REQUIRE_ALL=1, and this machine lacks: ${missing.join(', ')}.`, 'install them as said above.');
}
step(missing.length === 0 ? 'ready' : `ready, without ${missing.join(', ')} (see above)`);
