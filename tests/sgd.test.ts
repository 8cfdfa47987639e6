// The course's sgd() (src/training/sgd.ts) must move weights exactly as tf.train.sgd does, only faster.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { SGD_UPDATE, wasmSgdUpdateConfig } from '../src/kernels/sgd-update';
import { nativeBlasStatus } from '../src/kernels/native-blas';
import { sgd } from '../src/training/sgd';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

afterEach(() => {
  if (nativeBlasStatus().active && !tf.getKernel(SGD_UPDATE, 'wasm')) tf.registerKernel(wasmSgdUpdateConfig);
});

/** Applies `steps` random gradients to two fresh variables with `optimizer`, as a map or a list; returns their final values. */
function train(optimizer: tf.Optimizer, steps: number, form: 'map' | 'list'): Float32Array[] {
  const weights = [tf.variable(tf.randomNormal([200, 784], 0, 0.05, 'float32', 1)), tf.variable(tf.randomNormal([10, 1], 0, 0.05, 'float32', 2))];
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const grads = weights.map((w, i) => ({ name: w.name, tensor: tf.randomNormal(w.shape, 0, 1, 'float32', 100 * s + i + 1) })); // seed 0 would mean unseeded
      optimizer.applyGradients(form === 'list' ? grads : Object.fromEntries(grads.map((g) => [g.name, g.tensor])));
    });
  }
  const values = weights.map((w) => w.dataSync() as Float32Array);
  tf.dispose(weights);
  optimizer.dispose();
  return values;
}

describe('sgd()', () => {
  it('gives the weights tf.train.sgd gives, to the last bit, for gradients as a map or a list', () => {
    for (const form of ['map', 'list'] as const) {
      const ours = train(sgd(0.01), 5, form);
      const theirs = train(tf.train.sgd(0.01), 5, form);
      ours.forEach((values, i) => expect(Buffer.from(values.buffer).equals(Buffer.from(theirs[i].buffer)), `weight ${i}, gradients as a ${form}`).toBe(true));
      expect(Math.abs(ours[0][0] - train(sgd(0.01), 0, form)[0][0])).toBeGreaterThan(0); // and it did move them
    }
  });

  it('runs one fused kernel per weight where the backend has it, and tf.train.sgd’s ops where not', async () => {
    const w = tf.variable(tf.ones([3, 4]));
    const g = tf.fill([3, 4], 2);
    const optimizer = sgd(0.5);
    const kernels = async () => (await tf.profile(() => optimizer.applyGradients({ [w.name]: g }))).kernelNames;
    // The fused kernel is the addon's: registered exactly when the addon is.
    const fused = nativeBlasStatus().active;
    expect(Boolean(tf.getKernel(SGD_UPDATE, 'wasm'))).toBe(fused);
    if (fused) {
      expect(await kernels()).toEqual([SGD_UPDATE]);
      tf.unregisterKernel(SGD_UPDATE, 'wasm');
    }
    expect(await kernels()).not.toContain(SGD_UPDATE);
    const steps = fused ? 2 : 1;
    expect(Array.from(w.dataSync())).toEqual(new Array(12).fill(1 - steps)); // steps of 0.5 · 2 from 1
    expect(optimizer.iterations).toBe(steps);
    optimizer.dispose();
    tf.dispose([w, g]);
  });

  it('leaves variables without a gradient alone, leaks nothing, and frees its state on dispose', () => {
    const before = tf.memory().numTensors;
    const optimizer = sgd(0.1);
    const [v, w] = tf.tidy(() => [tf.variable(tf.ones([2])), tf.variable(tf.ones([2]))]);
    const g = tf.ones([2]);
    optimizer.applyGradients({ [v.name]: g });
    const afterFirst = tf.memory().numTensors;
    for (let s = 0; s < 3; s++) optimizer.applyGradients([{ name: v.name, tensor: g }]);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    expect(v.dataSync()[0]).toBeCloseTo(1 - 4 * 0.1, 6);
    optimizer.dispose();
    tf.dispose([v, w, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
