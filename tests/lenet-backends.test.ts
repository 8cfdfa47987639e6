// The wasm and cpu backends train LeNet to the same accuracy (the course's issue #5): the same
// seeded network, the same images in the same order, one epoch on each backend. The kernels
// differ (XNNPACK in WebAssembly and the course's src/kernels against plain JavaScript), so the
// float rounding differs and the weights drift apart a little; the accuracies must agree within
// the noise of 1,000 test images. tests/kernels-*.test.ts check the kernels one by one.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendChoice, selectBackend } from '../src/backend';
import { imagesToTensor, labelsToTensor, loadDataset, takeImages } from '../src/data/mnist';
import { buildLeNet } from '../src/models/lenet';
import { createRng } from '../src/random';
import { evaluateClassifier, trainClassifierEpoch } from '../src/training/classifier-epoch';

const TRAIN_IMAGES = 1000;
const TEST_IMAGES = 1000;

async function trainOn(backend: BackendChoice): Promise<{ accuracy: number; loss: number; seconds: number }> {
  const info = await selectBackend({ force: backend });
  expect(tf.getBackend()).toBe(info.tfName);
  const started = performance.now();
  const mnist = loadDataset('mnist');
  const train = takeImages(mnist.train, TRAIN_IMAGES);
  const test = takeImages(mnist.test, TEST_IMAGES);
  const x = tf.tidy(() => imagesToTensor(train).reshape([-1, 28, 28, 1])), y = labelsToTensor(train);
  const xTest = tf.tidy(() => imagesToTensor(test).reshape([-1, 28, 28, 1])), yTest = labelsToTensor(test);
  const rng = createRng(2024);
  const model = buildLeNet({ activation: 'relu', pooling: 'max', rng, name: 'lenet' });
  const optimizer = tf.train.adam(2e-3);
  const stats = trainClassifierEpoch(model, optimizer, x, y, { batchSize: 64, rng });
  const { accuracy } = evaluateClassifier(model, xTest, yTest);
  tf.dispose([x, y, xTest, yTest]);
  model.dispose();
  optimizer.dispose();
  return { accuracy, loss: stats.loss, seconds: (performance.now() - started) / 1000 };
}

afterAll(async () => {
  await selectBackend();
});

describe('LeNet on wasm and on cpu', () => {
  it('reaches the same accuracy after one epoch on 1,000 images', async () => {
    const wasm = await trainOn('wasm');
    const cpu = await trainOn('cpu');
    for (const [name, r] of Object.entries({ wasm, cpu })) console.log(`${name}: one epoch on ${TRAIN_IMAGES} images, test accuracy ${r.accuracy}, mean training loss ${r.loss}, ${r.seconds.toFixed(1)} s`);
    expect(wasm.accuracy).toBeGreaterThan(0.6); // it learned something, so the comparison means something
    expect(Math.abs(wasm.accuracy - cpu.accuracy)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(0.02);
  }, 120_000);
});
