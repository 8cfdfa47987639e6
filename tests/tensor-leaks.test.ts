// The course's rule: a training loop's tensor count stays flat from epoch to epoch.
// This trains a small classifier with the course's own helpers and checks exactly that.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { tensorBatches } from '../src/data/batches';
import { imagesToTensor, labelsToTensor, loadDataset, takeImages } from '../src/data/mnist';
import { createRng } from '../src/random';
import { evaluateAccuracy } from '../src/training/evaluate';

beforeAll(async () => {
  await selectBackend();
});

describe('training loop memory', () => {
  it('keeps the tensor count flat across epochs', () => {
    const rng = createRng(1);
    const subset = takeImages(loadDataset('mnist').train, 512);
    const x = imagesToTensor(subset);
    const y = labelsToTensor(subset);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: 'relu', inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed() }) }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.seed() }) }),
      ],
    });
    const optimizer = tf.train.adam(1e-2);
    const counts: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      for (const [xb, yb] of tensorBatches(x, y, 64, rng)) {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(yb, 10), model.predict(xb) as tf.Tensor) as tf.Scalar);
        tf.dispose([xb, yb]);
      }
      evaluateAccuracy(model, x, y, 128);
      counts.push(tf.memory().numTensors);
    }
    // The first epoch creates the optimizer's slots; from then on nothing may accumulate.
    expect(counts.slice(1)).toEqual([counts[1], counts[1], counts[1]]);
    expect(evaluateAccuracy(model, x, y)).toBeGreaterThan(0.5);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
});
