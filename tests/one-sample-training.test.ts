// The one-sample training loop: records every 10th loss, learns, and keeps the tensor count flat.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { imagesToTensor, labelsToTensor, loadDataset, takeImages } from '../src/data/mnist';
import { createMlpParams, disposeMlpParams, mlpPredict, SIGMOID_MLP } from '../src/models/small-mlp';
import { createRng, shuffledIndices } from '../src/random';
import { evaluateAccuracy } from '../src/training/evaluate';
import { mlpSampleStep } from '../src/training/mlp-sample-step';
import { trainOneSampleAtATime } from '../src/training/one-sample-training';
import { adamRule, sgdRule } from '../src/training/update-rules';

beforeAll(async () => {
  await selectBackend();
});

describe('trainOneSampleAtATime', () => {
  it('records every 10th loss, learns, and leaks no tensor from epoch to epoch', () => {
    const subset = takeImages(loadDataset('mnist').train, 300);
    const x = imagesToTensor(subset);
    const labels = labelsToTensor(subset);
    const t = tf.tidy(() => tf.oneHot(labels, 10).toFloat()) as tf.Tensor2D;
    const config = { ...SIGMOID_MLP, hiddenActivation: 'leakyRelu' as const, layerNorm: true };
    const rng = createRng(3);
    const params = createMlpParams(config, rng);
    const rule = adamRule();
    const before = evaluateAccuracy((b) => mlpPredict(params, config, b as tf.Tensor2D), x, labels);
    const run = trainOneSampleAtATime({
      x, targets: t, epochs: 4, step: mlpSampleStep(params, config, 'bce', rule), order: () => shuffledIndices(300, rng),
    });
    expect(run.losses).toHaveLength(120);
    expect(run.samplesSeen.slice(0, 3)).toEqual([10, 20, 30]);
    expect(run.secondsPerEpoch).toHaveLength(4);
    // The first epoch creates Adam's moment estimates; after that nothing may accumulate.
    expect(run.tensorsAfterEpoch.slice(1)).toEqual([run.tensorsAfterEpoch[1], run.tensorsAfterEpoch[1], run.tensorsAfterEpoch[1]]);
    expect(run.tensorsAfterEpoch[3]).toBe(run.tensorsAfterFirstStep);
    const after = evaluateAccuracy((b) => mlpPredict(params, config, b as tf.Tensor2D), x, labels);
    expect(after).toBeGreaterThan(Math.max(0.8, before));
    rule.dispose();
    disposeMlpParams(params);
    tf.dispose([x, labels, t]);
  });

  it('with SGD the tensor count does not change at all', () => {
    const subset = takeImages(loadDataset('mnist').train, 100);
    const x = imagesToTensor(subset);
    const t = tf.tidy(() => tf.oneHot(labelsToTensor(subset), 10).toFloat()) as tf.Tensor2D;
    const params = createMlpParams(SIGMOID_MLP, createRng(4));
    const run = trainOneSampleAtATime({ x, targets: t, epochs: 3, step: mlpSampleStep(params, SIGMOID_MLP, 'mse', sgdRule(0.01)) });
    expect(new Set(run.tensorsAfterEpoch).size).toBe(1);
    disposeMlpParams(params);
    tf.dispose([x, t]);
  });
});
