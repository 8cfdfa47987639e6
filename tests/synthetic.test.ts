import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { syntheticLinearData } from '../src/data/synthetic';
import { createRng } from '../src/random';
import { indexBatches, tensorBatches } from '../src/data/batches';

beforeAll(async () => {
  await selectBackend();
});

describe('synthetic linear data', () => {
  const options = { w: [2, -3.4], b: 4.2, count: 1000, noise: 0.01, seed: 7 };

  it('has the requested shapes and is reproducible from its seed', () => {
    const a = syntheticLinearData(options);
    const b = syntheticLinearData(options);
    expect(a.features.shape).toEqual([1000, 2]);
    expect(a.labels.shape).toEqual([1000, 1]);
    expect(Array.from(a.labels.dataSync())).toEqual(Array.from(b.labels.dataSync()));
    tf.dispose([a.features, a.labels, b.features, b.labels]);
  });

  it('follows y = Xw + b up to the noise', () => {
    const { features, labels } = syntheticLinearData(options);
    const residual = tf.tidy(() => labels.sub(features.matMul(tf.tensor2d(options.w, [2, 1])).add(options.b)));
    const { mean, variance } = tf.moments(residual);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.002);
    expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(0.01, 2);
    tf.dispose([features, labels, residual, mean, variance]);
  });
});

describe('minibatches', () => {
  it('visit every example exactly once per epoch, in a seeded random order', () => {
    const batches = [...indexBatches(23, 5, createRng(3))];
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    const seen = batches.flatMap((b) => Array.from(b)).sort((p, q) => p - q);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(batches.map((b) => Array.from(b))).toEqual([...indexBatches(23, 5, createRng(3))].map((b) => Array.from(b)));
  });

  it('gathers tensor batches that the caller owns', () => {
    const x = tf.range(0, 10).reshape([10, 1]);
    const y = tf.range(0, 10);
    const before = tf.memory().numTensors;
    for (const [xb, yb] of tensorBatches(x, y, 4, createRng(1))) {
      expect(Array.from(xb.dataSync())).toEqual(Array.from(yb.dataSync()));
      tf.dispose([xb, yb]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
