import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { createMlpParams, disposeMlpParams, layerNorm, mlpPredict, paramList, SIGMOID_MLP } from '../src/models/small-mlp';
import { createRng } from '../src/random';

beforeAll(async () => {
  await selectBackend();
});

describe('createMlpParams', () => {
  it('builds 784-200-10 in PyTorch layout with PyTorch-style init, reproducibly', () => {
    const a = createMlpParams(SIGMOID_MLP, createRng(5));
    const b = createMlpParams(SIGMOID_MLP, createRng(5));
    expect(paramList(a).map(([k, v]) => [k, v.shape])).toEqual([['w1', [200, 784]], ['b1', [200, 1]], ['w2', [10, 200]], ['b2', [10, 1]]]);
    expect(paramList(a).reduce((n, [, v]) => n + v.size, 0)).toBe(159010);
    expect(Array.from(a.w1.dataSync())).toEqual(Array.from(b.w1.dataSync()));
    const limit = 1 / Math.sqrt(784);
    expect(a.w1.abs().max().dataSync()[0]).toBeLessThanOrEqual(limit);
    expect(a.w1.abs().max().dataSync()[0]).toBeGreaterThan(0.9 * limit);
    disposeMlpParams(a);
    disposeMlpParams(b);
  });

  it('adds LayerNorm parameters that start as the identity', () => {
    const p = createMlpParams({ ...SIGMOID_MLP, layerNorm: true }, createRng(1));
    expect(p.gamma!.dataSync().every((v) => v === 1)).toBe(true);
    expect(p.beta!.dataSync().every((v) => v === 0)).toBe(true);
    disposeMlpParams(p);
  });
});

describe('mlpPredict', () => {
  it('gives one row of outputs in (0, 1) per image and leaks nothing', () => {
    const p = createMlpParams(SIGMOID_MLP, createRng(2));
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 3) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const y = mlpPredict(p, SIGMOID_MLP, x);
    expect(y.shape).toEqual([3, 10]);
    const values = y.dataSync();
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeMlpParams(p);
  });

  it('layerNorm gives each row mean 0 and variance 1 before gamma and beta', () => {
    const a = tf.tensor2d([[1, 2, 3, 4], [10, 0, 10, 0]]);
    const n = layerNorm(a, tf.ones([1, 4]), tf.zeros([1, 4]), 1);
    const { mean, variance } = tf.moments(n, 1);
    expect(Array.from(mean.dataSync()).every((m) => Math.abs(m) < 1e-6)).toBe(true);
    expect(Array.from(variance.dataSync()).every((v) => Math.abs(v - 1) < 1e-3)).toBe(true);
    tf.dispose([a, n, mean, variance]);
  });
});
