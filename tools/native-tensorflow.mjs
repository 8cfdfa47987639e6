// TensorFlow's native engines for Node, opt-in: `npm run setup -- --native` (libtensorflow on the CPU) or
// `-- --gpu` (CUDA 11.2 and cuDNN 8.1 needed). They are not in package.json: their install downloads
// libtensorflow (hundreds of MB, and fails offline), and the tests cover the wasm engine every student
// gets by default. src/backend.ts picks a native engine first when one is installed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';

/** The version every @tensorflow package of the course has (package.json's @tensorflow/tfjs). */
function tfjsVersion() {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  return manifest.dependencies['@tensorflow/tfjs'];
}

/**
 * Where each engine is installed in node_modules, and the package installed there. The CPU package goes
 * under an alias because danfojs-node's `@tensorflow/tfjs-node` is plain tfjs (package.json's overrides).
 * @type {Record<'native' | 'gpu', { module: string, packageName: string, needs: string }>}
 */
export const NATIVE_ENGINES = {
  native: { module: 'tfjs-node-cpu', packageName: '@tensorflow/tfjs-node', needs: 'downloads libtensorflow, hundreds of MB, while installing' },
  gpu: {
    module: '@tensorflow/tfjs-node-gpu',
    packageName: '@tensorflow/tfjs-node-gpu',
    needs: 'an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1; downloads libtensorflow for GPUs, hundreds of MB, while installing',
  },
};

/**
 * The npm command that installs an engine without recording it in package.json or the lock (so that
 * `npm ci` brings the checkout back to the tested install).
 * @param {'native' | 'gpu'} kind
 * @returns {string[]} npm's arguments
 */
export function nativeInstallArgs(kind) {
  const engine = NATIVE_ENGINES[kind];
  const spec = engine.module === engine.packageName ? `${engine.packageName}@${tfjsVersion()}` : `${engine.module}@npm:${engine.packageName}@${tfjsVersion()}`;
  return ['install', '--no-save', '--no-audit', '--no-fund', spec];
}
