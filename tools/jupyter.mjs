// Finding Jupyter and the tslab kernel. Plain JavaScript (type-checked through JSDoc) because
// `npm run setup` must run on a fresh clone before any dependency, tsx included, is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TSLAB_BINARY = join(REPO_ROOT, 'node_modules', '.bin', 'tslab');
export const KERNEL_NAME = 'tslab';

/** Python's debugger integration warns about "frozen modules" on every Jupyter start; the warning means nothing here. */
export const QUIET_PYTHON_ENV = { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };

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
 * The tslab kernel spec Jupyter knows, if any.
 * @param {string} python
 * @returns {{ argv: string[], resource_dir: string } | undefined}
 */
export function tslabKernelSpec(python) {
  const script =
    'import json\nfrom jupyter_client.kernelspec import KernelSpecManager\n' +
    `specs = KernelSpecManager().get_all_specs()\nprint(json.dumps(specs.get(${JSON.stringify(KERNEL_NAME)})))`;
  const output = execFileSync(python, ['-c', script], { encoding: 'utf8', env: QUIET_PYTHON_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  const spec = JSON.parse(output);
  return spec ? { argv: spec.spec.argv, resource_dir: spec.resource_dir } : undefined;
}

/**
 * Is the registered kernel this checkout's tslab? (A second clone, or a moved one, re-registers.)
 * @param {string} python
 */
export function kernelIsRegistered(python) {
  const spec = tslabKernelSpec(python);
  if (!spec || !existsSync(TSLAB_BINARY)) return false;
  try {
    return realpathSync(spec.argv[0]) === realpathSync(TSLAB_BINARY);
  } catch {
    return false;
  }
}
