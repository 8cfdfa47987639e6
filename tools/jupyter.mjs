// Finding Jupyter and the tslab kernel. Plain JavaScript (type-checked through JSDoc) because
// `npm run setup` must run on a fresh clone before any dependency, tsx included, is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TSLAB_BINARY = join(REPO_ROOT, 'node_modules', '.bin', 'tslab');
export const KERNEL_NAME = 'tslab';

/**
 * This checkout's own Jupyter data folder. Its `kernels/tslab` runs this checkout's tslab, and every
 * Jupyter the course starts (the runner, the grader, `npm start`) looks here first (JUPYTER_PATH),
 * so two checkouts on one machine never share, or fight over, one kernel.
 */
export const CHECKOUT_JUPYTER_DIR = join(REPO_ROOT, 'build', 'jupyter');

/**
 * The environment for a Jupyter process the course starts: this checkout's kernels first (after any
 * JUPYTER_PATH given in `extra`, which tests use for kernels of their own), and Python's debugger
 * warning about "frozen modules", which means nothing here, silenced.
 * @param {NodeJS.ProcessEnv} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
export function jupyterEnv(extra = {}) {
  const path = [extra.JUPYTER_PATH, CHECKOUT_JUPYTER_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(':');
  return { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...extra, JUPYTER_PATH: path };
}

/** This checkout's tslab, run by the `node` on PATH as its own launcher does. */
export const TSLAB_ENTRY = join(REPO_ROOT, 'node_modules', 'tslab', 'bin', 'tslab');

/** Loaded before tslab: keeps zeromq.js from failing bursts of output (see the file). */
const KERNEL_PRELOAD = join(REPO_ROOT, 'tools', 'kernel-preload.cjs');

/** This checkout's kernel spec: tslab's own, with the preload. */
function tslabKernelJson() {
  return { argv: ['node', '--require', KERNEL_PRELOAD, TSLAB_ENTRY, 'kernel', '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
}

/**
 * Writes this checkout's kernel spec if it is missing or stale; cheap, so every entry point calls it
 * (a deleted build/ folder then costs nothing).
 */
export function ensureCheckoutKernel() {
  const dir = join(CHECKOUT_JUPYTER_DIR, 'kernels', KERNEL_NAME);
  const file = join(dir, 'kernel.json');
  const wanted = `${JSON.stringify(tslabKernelJson(), null, 1)}\n`;
  try {
    if (readFileSync(file, 'utf8') === wanted) return;
  } catch {
    // missing: written below
  }
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, wanted);
  renameSync(temp, file);
}

/**
 * The arguments `npm start` runs Jupyter with (after the Python): the classic Notebook, rooted at the
 * repository so that notebooks load plotly.js from node_modules through the server, opening lessons/.
 * @param {string[]} extra the user's own arguments, e.g. `--no-browser --port 8899`
 * @returns {string[]}
 */
export function notebookServerArgs(extra = []) {
  // Jupyter refuses to run as root without --allow-root; containers and classroom VMs often are root.
  const rootFlag = process.getuid?.() === 0 ? ['--allow-root'] : [];
  return ['-m', 'notebook', `--notebook-dir=${REPO_ROOT}`, '--NotebookApp.default_url=/tree/lessons', ...rootFlag, ...extra];
}

/** What the lesson runner and `npm start` need from Python. */
const REQUIRED_MODULES = ['nbformat', 'nbclient', 'jupyter_client', 'notebook'];

/** Debian's packages that provide them (`python3` on PATH may be a different Python without Jupyter). */
export const JUPYTER_DEBIAN_PACKAGES = ['jupyter-notebook', 'jupyter-nbconvert', 'jupyter-client', 'python3-nbclient'];

export const JUPYTER_INSTALL_HINT =
  `install Jupyter with \`sudo apt-get install ${JUPYTER_DEBIAN_PACKAGES.join(' ')}\` (Debian/Ubuntu) ` +
  'or `python3 -m pip install notebook nbclient`, then run `npm run setup` again ' +
  '(set COURSE_PYTHON to the Python that has Jupyter if it is not /usr/bin/python3 or python3).';

/**
 * COURSE_PYTHON, when set, is the only Python tried; otherwise Debian's, then the one on PATH.
 * @returns {string[]}
 */
function pythonCandidates() {
  const forced = process.env.COURSE_PYTHON?.trim();
  return forced ? [forced] : ['/usr/bin/python3', 'python3'];
}

/**
 * The first Python that can import Jupyter's pieces, or undefined.
 * @returns {string | undefined}
 */
export function findJupyterPython() {
  for (const python of pythonCandidates()) {
    const probe = spawnSync(python, ['-c', `import ${REQUIRED_MODULES.join(', ')}`], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/**
 * The tslab kernel spec Jupyter finds, if any: the course's way (this checkout's first) by default,
 * or as a Jupyter or VS Code started by hand finds it (`{ global: true }`).
 * @param {string} python
 * @param {{ global?: boolean }} [options]
 * @returns {{ argv: string[], resource_dir: string } | undefined}
 */
export function tslabKernelSpec(python, options = {}) {
  const script =
    'import json\nfrom jupyter_client.kernelspec import KernelSpecManager\n' +
    `specs = KernelSpecManager().get_all_specs()\nprint(json.dumps(specs.get(${JSON.stringify(KERNEL_NAME)})))`;
  const env = options.global ? { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' } : jupyterEnv();
  const output = execFileSync(python, ['-c', script], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  const spec = JSON.parse(output);
  return spec ? { argv: spec.spec.argv, resource_dir: spec.resource_dir } : undefined;
}

/**
 * Does Jupyter, started the course's way, find this checkout's tslab? Writes the checkout's spec first.
 * @param {string} python
 */
export function kernelIsRegistered(python) {
  if (!existsSync(TSLAB_ENTRY)) return false;
  ensureCheckoutKernel();
  const spec = tslabKernelSpec(python);
  return JSON.stringify(spec?.argv) === JSON.stringify(tslabKernelJson().argv);
}
