// What the course needs from the machine beyond Node and npm: each part, how to tell that it is there,
// Debian's packages that provide it, and what a machine without it loses. `npm run setup` installs the
// missing ones (or says how); the tests that need a part name it through tests/helpers/optional-part.ts.
// Plain JavaScript (JSDoc-typed): setup runs before any npm dependency is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findJupyterPython, JUPYTER_DEBIAN_PACKAGES, REPO_ROOT } from './jupyter.mjs';

/**
 * @typedef {object} SystemPart
 * @property {string} name        what the messages call it
 * @property {string[]} packages  Debian's packages that provide it
 * @property {() => boolean} present
 * @property {string} cost        what is lost without it
 * @property {boolean} [forTests] needed by `npm test` only
 * @property {string} [elsewhere] how to get it where apt-get is not an option
 */

/**
 * @param {string} command
 * @param {string} [path] a PATH (this process's by default)
 * @returns {boolean} whether `command` is on it
 */
export function onPath(command, path = process.env.PATH ?? '') {
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Where Debian's dataset-fashion-mnist puts its files (src/data/mnist.ts reads them from there). */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_MNIST_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** The Chromium the browser tests drive (tests/site/browser.ts). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The Python the NumPy interoperability tests use (tests/npy.test.ts). */
export const NUMPY_PYTHON = process.env.NUMPY_PYTHON ?? '/usr/bin/python3';

/**
 * Include or library folders where OpenBLAS's cblas.h and libopenblas.so may be (Debian's multiarch ones first).
 * @param {string} base /usr/include or /usr/lib
 */
function systemFolders(base) {
  const multiarch = existsSync(base) ? readdirSync(base).filter((name) => /-linux-gnu/.test(name)).map((name) => join(base, name)) : [];
  return [...multiarch, base, join(base, 'openblas'), `/usr/local/${base.split('/').pop()}`];
}

/** Whether the course-blas addon is built and loads (it needs node_modules, so not before npm ci). */
export function addonLoads() {
  return spawnSync(process.execPath, ['-e', 'require("course-blas")'], { cwd: REPO_ROOT, stdio: 'ignore' }).status === 0;
}

/** OpenBLAS's header and library, which the addon's build needs. */
export function openBlasPresent() {
  const header = systemFolders('/usr/include').some((dir) => existsSync(join(dir, 'cblas.h')));
  const library = systemFolders('/usr/lib').some((dir) => existsSync(join(dir, 'libopenblas.so')));
  return header && library;
}

/** @type {Record<string, SystemPart>} */
export const SYSTEM_PARTS = {
  jupyter: {
    name: 'Jupyter',
    packages: JUPYTER_DEBIAN_PACKAGES,
    present: () => findJupyterPython() !== undefined,
    cost: 'no lesson can run',
    elsewhere: 'python3 -m pip install notebook nbclient (and set COURSE_PYTHON to that Python)',
  },
  addonTools: {
    name: 'OpenBLAS and a C compiler',
    // node-gyp compiles the addon with cc, links it with g++ and runs make; once built, only OpenBLAS's library is used.
    packages: ['libopenblas-dev', 'gcc', 'g++', 'make'],
    present: () => addonLoads() || (openBlasPresent() && ['cc', 'g++', 'make'].every((tool) => onPath(tool))),
    cost: 'no course-blas addon: lessons train 1.6 to 5 times more slowly (docs/performance.md), and its kernel tests are skipped',
    elsewhere: 'OpenBLAS with its headers, a C and C++ compiler and make (e.g. brew install openblas; xcode-select --install)',
  },
  fashionMnist: {
    name: 'Fashion-MNIST',
    packages: ['dataset-fashion-mnist'],
    present: () => FASHION_MNIST_FILES.every((file) => existsSync(join(FASHION_MNIST_DIR, file))),
    cost: "lesson 7 skips its Fashion-MNIST part, and so do its tests",
    elsewhere: `put the four Fashion-MNIST .gz files in ${FASHION_MNIST_DIR}`,
  },
  bubblewrap: {
    name: 'bubblewrap',
    packages: ['bubblewrap'],
    present: () => onPath('bwrap'),
    cost: 'the homework grader cannot sandbox submissions',
    elsewhere: 'install bubblewrap (bwrap) from your distribution',
  },
  numpy: {
    name: 'NumPy',
    packages: ['python3-numpy'],
    present: () => spawnSync(NUMPY_PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
    cost: 'the .npy interoperability tests are skipped',
    forTests: true,
    elsewhere: `${NUMPY_PYTHON} -m pip install numpy`,
  },
  chromium: {
    name: 'Chromium',
    // Chromium draws text with whatever fonts there are; Liberation makes the screenshots readable.
    packages: ['chromium', 'fonts-liberation'],
    present: () => existsSync(CHROMIUM),
    cost: 'the browser tests (the site, the notebooks in Jupyter) are skipped',
    forTests: true,
    elsewhere: 'install Chromium and set CHROMIUM_PATH to it',
  },
};

/**
 * The parts a command needs: the course's for `npm start`, and also the tests' for `npm test`.
 * @param {{ tests?: boolean }} options
 * @returns {SystemPart[]}
 */
export function partsNeeded(options) {
  return Object.values(SYSTEM_PARTS).filter((part) => options.tests || !part.forTests);
}

/**
 * The one command that installs `parts` on Debian or Ubuntu, then finishes the setup.
 * @param {SystemPart[]} parts
 * @param {{ root: boolean, tests?: boolean }} options
 */
export function debianInstallCommand(parts, options) {
  const packages = [...new Set(parts.flatMap((part) => part.packages))];
  const sudo = options.root ? '' : 'sudo ';
  return `${sudo}apt-get install -y ${packages.join(' ')} && npm run setup${options.tests ? ' -- --test' : ''}`;
}

/**
 * The hint a skipped test prints for one part.
 * @param {SystemPart} part
 */
export function installHint(part) {
  return `sudo apt-get install ${part.packages.join(' ')} (Debian/Ubuntu; elsewhere: ${part.elsewhere})`;
}
