import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, describeBackend, forcedBackend, selectBackend } from '../src/backend';
import { CourseError } from '../src/errors';

describe('backend selection', () => {
  const saved = process.env.COURSE_BACKEND;
  afterAll(() => {
    if (saved === undefined) delete process.env.COURSE_BACKEND;
    else process.env.COURSE_BACKEND = saved;
  });

  it('tries the backends fastest first', () => {
    expect(BACKEND_CHOICES).toEqual(['node-gpu', 'node', 'wasm', 'cpu']);
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

  it('on a machine without libtensorflow, lands on wasm, not on the tfjs stand-in that danfojs-node installs', async () => {
    delete process.env.COURSE_BACKEND;
    const info = await selectBackend();
    if (info.choice === 'node' || info.choice === 'node-gpu') return; // a machine with the native backend
    expect(info.choice).toBe('wasm');
    expect(info.skipped.find((s) => s.choice === 'node')?.reason).toBe('@tensorflow/tfjs-node is not installed');
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

  it('rejects an unknown name with a message listing the choices', () => {
    expect(() => forcedBackend({ COURSE_BACKEND: 'webgpu' })).toThrow(CourseError);
    expect(() => forcedBackend({ COURSE_BACKEND: 'webgpu' })).toThrow('COURSE_BACKEND=webgpu is not a backend the course knows.\n  Fix: use one of: node-gpu, node, wasm, cpu');
    expect(forcedBackend({})).toBeUndefined();
  });

  const gpuInstalled = (() => {
    try {
      createRequire(`${process.cwd()}/`).resolve('@tensorflow/tfjs-node-gpu');
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(gpuInstalled)('explains a forced backend that cannot load', async () => {
    await expect(selectBackend({ force: 'node-gpu' })).rejects.toThrow(
      'The node-gpu backend, forced by COURSE_BACKEND, is not available (node-gpu: @tensorflow/tfjs-node-gpu is not installed).',
    );
  });
});
