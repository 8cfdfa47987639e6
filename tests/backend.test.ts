import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, describeBackend, forcedBackend, selectBackend } from '../src/backend';
import { CourseError } from '../src/errors';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { NATIVE_ENGINES, nativeInstallArgs } from '../tools/native-tensorflow.mjs';

/** The name of the package installed as `module` in node_modules, if any. */
function installedAs(module: string): string | undefined {
  try {
    return (createRequire(`${REPO_ROOT}/`)(`${module}/package.json`) as { name: string }).name;
  } catch {
    return undefined;
  }
}

describe('backend selection', () => {
  const saved = process.env.COURSE_BACKEND;
  afterAll(() => {
    if (saved === undefined) delete process.env.COURSE_BACKEND;
    else process.env.COURSE_BACKEND = saved;
  });

  it('picks the fastest backend that loads and says why it passed over the others', async () => {
    delete process.env.COURSE_BACKEND;
    const info = await selectBackend();
    expect(tf.getBackend()).toBe(info.tfName);
    const order = BACKEND_CHOICES.indexOf(info.choice);
    // Every faster backend was tried and has a reason; none slower was tried.
    expect(info.skipped.map((s) => s.choice)).toEqual(BACKEND_CHOICES.slice(0, order));
    for (const s of info.skipped) expect(s.reason).toMatch(/not installed|failed to load|did not start/);
    expect(describeBackend(info)).toContain(`Backend: ${info.choice}`);
  });

  it('lands on wasm unless a native engine was asked for, and says how to ask', async () => {
    delete process.env.COURSE_BACKEND;
    const info = await selectBackend();
    const gpu = installedAs(NATIVE_ENGINES.gpu.module) === NATIVE_ENGINES.gpu.packageName;
    const native = installedAs(NATIVE_ENGINES.native.module) === NATIVE_ENGINES.native.packageName;
    // The engine a student opted into wins; with neither, wasm, and the line says how to opt in.
    expect(info.choice).toBe(gpu ? 'node-gpu' : native ? 'node' : 'wasm');
    const notInstalled = [
      { choice: 'node-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed (npm run setup -- --gpu installs it)' },
      { choice: 'node', reason: '@tensorflow/tfjs-node is not installed (npm run setup -- --native installs it)' },
    ].filter((s) => (s.choice === 'node-gpu' ? !gpu : !native && !gpu));
    expect(info.skipped.filter((s) => / is not installed/.test(s.reason))).toEqual(notInstalled);
    if (info.choice === 'wasm') {
      expect(describeBackend(info)).toMatch(/^Backend: wasm, TensorFlow\.js 4\.22\.0; .*; node-gpu and node not installed \(npm run setup -- --native or --gpu\)$/);
    }
  });

  it('obeys COURSE_BACKEND', async () => {
    process.env.COURSE_BACKEND = 'cpu';
    const info = await selectBackend();
    expect(info.choice).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(describeBackend(info)).toContain('forced by COURSE_BACKEND');
    process.env.COURSE_BACKEND = 'wasm';
    expect((await selectBackend()).choice).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it("registers the course's kernels on the backend it picks, and says when COURSE_KERNELS switched them off", async () => {
    const info = await selectBackend({ force: 'wasm' });
    expect(info.addedKernels.length === 0 || info.addedKernels.includes('Conv2DBackpropFilter')).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'wasm can train a conv net').toBeDefined();
    expect(describeBackend(info)).not.toContain('COURSE_KERNELS');
    process.env.COURSE_KERNELS = 'off';
    try {
      expect(describeBackend(info)).toContain("the course's kernels off (COURSE_KERNELS=off)");
    } finally {
      delete process.env.COURSE_KERNELS;
    }
  });

  it('rejects an unknown name with a message listing the choices', () => {
    expect(() => forcedBackend({ COURSE_BACKEND: 'webgpu' })).toThrow(CourseError);
    expect(() => forcedBackend({ COURSE_BACKEND: 'webgpu' })).toThrow('COURSE_BACKEND=webgpu is not a backend the course knows.\n  Fix: use one of: node-gpu, node, wasm, cpu');
    expect(forcedBackend({})).toBeUndefined();
  });

  // Where a student asked for the GPU engine, forcing it works: nothing to explain there.
  if (installedAs(NATIVE_ENGINES.gpu.module) !== NATIVE_ENGINES.gpu.packageName) {
    it('explains a forced backend that cannot load', async () => {
      await expect(selectBackend({ force: 'node-gpu' })).rejects.toThrow(
        'The node-gpu backend, forced by COURSE_BACKEND, is not available (node-gpu: @tensorflow/tfjs-node-gpu is not installed (npm run setup -- --gpu installs it)).',
      );
    });
  }
});

describe('native TensorFlow is opt-in', () => {
  it('the default install has neither native engine (danfojs-node gets plain tfjs in its place)', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = ['dependencies', 'optionalDependencies', 'devDependencies'].flatMap((field) => Object.entries(manifest[field] ?? {}));
    expect(declared.filter(([name, spec]) => /tfjs-node/.test(name) || /tfjs-node/.test(spec))).toEqual([]);
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { name?: string }> };
    const nativeInLock = Object.entries(lock.packages).filter(([path, entry]) => /tfjs-node/.test(path) && entry.name !== '@tensorflow/tfjs');
    expect(nativeInLock.map(([path]) => path)).toEqual([]);
  });

  it('npm run setup -- --native or --gpu installs the engine where the backend looks for it, without saving it', () => {
    const version = tf.version.tfjs;
    expect(nativeInstallArgs('native')).toEqual(['install', '--no-save', '--no-audit', '--no-fund', `tfjs-node-cpu@npm:@tensorflow/tfjs-node@${version}`]);
    expect(nativeInstallArgs('gpu')).toEqual(['install', '--no-save', '--no-audit', '--no-fund', `@tensorflow/tfjs-node-gpu@${version}`]);
  });
});
