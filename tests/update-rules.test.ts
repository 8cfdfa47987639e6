// Our SGD and Adam must move parameters exactly as TensorFlow.js's optimizers do.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { adamRule, sgdRule, UpdateRule } from '../src/training/update-rules';

beforeAll(async () => {
  await selectBackend();
});

function compare(ours: UpdateRule, theirs: tf.Optimizer, steps: number): number {
  const a = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1));
  const b = tf.variable(a.clone());
  let worst = 0;
  for (let s = 0; s < steps; s++) {
    const g = tf.randomNormal([4, 3], 0, 1, 'float32', 100 + s);
    ours.apply([['a', a]], { a: g });
    theirs.applyGradients([{ name: b.name, tensor: g }]);
    worst = Math.max(worst, a.sub(b).abs().max().dataSync()[0]);
    g.dispose();
  }
  tf.dispose([a, b]);
  ours.dispose();
  theirs.dispose();
  return worst;
}

describe('update rules', () => {
  it('sgdRule equals tf.train.sgd', () => {
    expect(compare(sgdRule(0.1), tf.train.sgd(0.1), 5)).toBeLessThan(1e-6);
  });

  it('adamRule equals tf.train.adam (same defaults as PyTorch)', () => {
    expect(compare(adamRule({ learningRate: 0.01 }), tf.train.adam(0.01, 0.9, 0.999, 1e-8), 20)).toBeLessThan(1e-5);
  });

  it('leaves variables without a gradient alone and frees its state on dispose', () => {
    const before = tf.memory().numTensors;
    const rule = adamRule();
    const v = tf.tidy(() => tf.variable(tf.ones([2])));
    const w = tf.tidy(() => tf.variable(tf.ones([2])));
    const g = tf.ones([2]);
    rule.apply([['v', v], ['w', w]], { v: g });
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    expect(v.dataSync()[0]).toBeCloseTo(1 - 0.001, 6); // Adam's first step is lr in the gradient's direction
    rule.dispose();
    tf.dispose([v, w, g]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
