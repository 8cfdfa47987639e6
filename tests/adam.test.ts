// The course's Adam (src/training/adam.ts) must train exactly as tf.train.adam does, only faster.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { registerCourseKernels } from '../src/kernels';
import { ADAM_UPDATE } from '../src/kernels/adam-update';
import { nativeBlasStatus } from '../src/kernels/native-blas';
import { adam, AdamOptimizer } from '../src/training/adam';
import { getLearningRate, setLearningRate } from '../src/training/learning-rate';

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

afterEach(() => {
  registerCourseKernels('wasm'); // what production registers: the fused kernel only where the addon loaded
});

/** A small regression problem and a two-layer net, the same for every call. */
function problem() {
  const x = tf.randomNormal([32, 6], 0, 1, 'float32', 1);
  const y = tf.randomNormal([32, 2], 0, 1, 'float32', 2);
  const w1 = tf.variable(tf.randomNormal([6, 8], 0, 0.5, 'float32', 3));
  const w2 = tf.variable(tf.randomNormal([8, 2], 0, 0.5, 'float32', 4));
  const loss = () => tf.losses.meanSquaredError(y, x.matMul(w1).relu().matMul(w2)) as tf.Scalar;
  return { loss, weights: [w1, w2], dispose: () => tf.dispose([x, y, w1, w2]) };
}

/** Trains a fresh problem for `steps` steps and returns its final weights. */
function train(optimizer: tf.Optimizer, steps: number): Float32Array[] {
  const p = problem();
  for (let s = 0; s < steps; s++) tf.tidy(() => { optimizer.minimize(p.loss); });
  const weights = p.weights.map((w) => w.dataSync() as Float32Array);
  p.dispose();
  optimizer.dispose();
  return weights;
}

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, i) => values.forEach((v, j) => { worst = Math.max(worst, Math.abs(v - b[i][j])); }));
  return worst;
}

describe('adam()', () => {
  it('moves the weights as tf.train.adam does, over 50 steps', () => {
    expect(maxDifference(train(adam(0.01), 1), train(tf.train.adam(0.01), 1))).toBeLessThan(1e-6);
    const ours = train(adam(0.01), 50);
    const theirs = train(tf.train.adam(0.01), 50);
    // The two order the arithmetic differently (ours folds the bias corrections), so float32
    // rounding differs a little and accumulates over the steps.
    expect(maxDifference(ours, theirs)).toBeLessThan(5e-5);
    // Other settings are passed through: a different ε gives different weights.
    expect(maxDifference(ours, train(adam(0.01, 0.9, 0.999, 1e-3), 50))).toBeGreaterThan(1e-4);
    expect(maxDifference(ours, train(adam(0.01), 0))).toBeGreaterThan(0.01); // and it did move them
  });

  it('runs the fused kernel exactly where production registers it, and the update in tfjs ops gives the same weights', () => {
    expect(Boolean(tf.getKernel(ADAM_UPDATE, 'wasm'))).toBe(nativeBlasStatus().active);
    const asRegistered = train(adam(0.01, 0.8, 0.99, 1e-6), 20);
    if (tf.getKernel(ADAM_UPDATE, 'wasm')) tf.unregisterKernel(ADAM_UPDATE, 'wasm');
    const composed = train(adam(0.01, 0.8, 0.99, 1e-6), 20);
    expect(maxDifference(asRegistered, composed)).toBeLessThan(1e-6);
  });

  it('keeps the tensor count flat from step to step', () => {
    const p = problem();
    const optimizer = adam();
    tf.tidy(() => { optimizer.minimize(p.loss); }); // the first step creates the moments
    const after = tf.memory().numTensors;
    for (let s = 0; s < 5; s++) tf.tidy(() => { optimizer.minimize(p.loss); });
    expect(tf.memory().numTensors).toBe(after);
    optimizer.dispose();
    p.dispose();
  });

  it('takes a new learning rate from setLearningRate', () => {
    const optimizer = adam(0.01);
    setLearningRate(optimizer, 0.003);
    expect(getLearningRate(optimizer)).toBe(0.003);
    const changed = train(optimizer, 10);
    const reference = train(tf.train.adam(0.003), 10);
    expect(maxDifference(changed, reference)).toBeLessThan(1e-5);
  });

  it('resumes from getWeights/setWeights exactly where it stopped', async () => {
    const uninterrupted = train(adam(0.01), 12);

    const p = problem();
    const first = adam(0.01);
    for (let s = 0; s < 5; s++) tf.tidy(() => { first.minimize(p.loss); });
    const saved = (await first.getWeights()).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    expect(saved.map((w) => w.name)).toEqual(['iter', ...p.weights.map((w) => `${w.name}/m`), ...p.weights.map((w) => `${w.name}/v`)]);
    first.dispose();
    const second = adam(0.01);
    await second.setWeights(saved);
    expect(second.iterations).toBe(5);
    for (let s = 0; s < 7; s++) tf.tidy(() => { second.minimize(p.loss); });
    const resumed = p.weights.map((w) => w.dataSync() as Float32Array);
    const before = tf.memory().numTensors;
    second.dispose();
    tf.dispose(saved.map((w) => w.tensor));
    expect(tf.memory().numTensors).toBe(before - 4 - saved.length); // m and v of two weights, and the saved tensors: nothing leaked
    p.dispose();
    expect(maxDifference(resumed, uninterrupted)).toBe(0);
  });

  it('serializes its settings, as tfjs-layers does when it saves an optimizer', () => {
    const optimizer = adam(0.02, 0.8, 0.95, 1e-6);
    const config = optimizer.getConfig();
    expect(config).toEqual({ learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 });
    const copy = AdamOptimizer.fromConfig<AdamOptimizer>(AdamOptimizer, config);
    expect(copy.getConfig()).toEqual(config);
    optimizer.dispose();
    copy.dispose();
  });

  it('comes back from a model saved with its optimizer', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    model.compile({ optimizer: adam(0.02, 0.8, 0.95, 1e-6), loss: 'meanSquaredError' });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(loaded.optimizer).toBeInstanceOf(AdamOptimizer);
    expect(loaded.optimizer.getConfig()).toMatchObject({ learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 });
    model.dispose();
    loaded.dispose();
  });
});
