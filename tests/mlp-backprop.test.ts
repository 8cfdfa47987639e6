// The hand-written backward pass must give the gradients automatic differentiation gives.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { imagesToTensor, labelsToTensor, loadDataset, takeImages } from '../src/data/mnist';
import { LossName, lossValue, sampleGradients } from '../src/models/mlp-backprop';
import { createMlpParams, disposeMlpParams, MlpConfig, mlpPredict, paramList, SIGMOID_MLP } from '../src/models/small-mlp';
import { createRng } from '../src/random';
import { adam } from '../src/training/adam';
import { evaluateAccuracy } from '../src/training/evaluate';
import { sgd } from '../src/training/sgd';

beforeAll(async () => {
  await selectBackend();
});

const small = { inputs: 12, hidden: 7, outputs: 5, leakySlope: 0.02 };
const cases: Array<[string, MlpConfig, LossName]> = [
  ['sigmoid + MSE', { ...small, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid', layerNorm: false }, 'mse'],
  ['sigmoid + BCE', { ...small, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid', layerNorm: false }, 'bce'],
  ['LeakyReLU + MSE', { ...small, hiddenActivation: 'leakyRelu', outputActivation: 'leakyRelu', layerNorm: false }, 'mse'],
  ['LeakyReLU + LayerNorm + sigmoid + BCE', { ...small, hiddenActivation: 'leakyRelu', outputActivation: 'sigmoid', layerNorm: true }, 'bce'],
];

describe('sampleGradients', () => {
  for (const [name, config, loss] of cases) {
    it(`matches tf.variableGrads for ${name}`, () => {
      const rng = createRng(7);
      const params = createMlpParams(config, rng);
      // LayerNorm starts as the identity; perturb it so its gradients are really tested.
      if (params.gamma) tf.tidy(() => { params.gamma!.assign(tf.randomUniform([config.hidden, 1], 0.5, 1.5, 'float32', 1)); params.beta!.assign(tf.randomUniform([config.hidden, 1], -0.5, 0.5, 'float32', 2)); });
      const x = tf.randomUniform([1, config.inputs], 0, 1, 'float32', rng.seed()) as tf.Tensor2D;
      const t = tf.oneHot([2], config.outputs).toFloat() as tf.Tensor2D;
      const variables = paramList(params);
      const auto = tf.variableGrads(() => lossValue(mlpPredict(params, config, x), t, loss), variables.map(([, v]) => v));
      const byHand = sampleGradients(params, config, loss, x, t, true);
      expect(byHand.loss!.dataSync()[0]).toBeCloseTo(auto.value.dataSync()[0], 5);
      for (const [key, v] of variables) {
        const expected = auto.grads[v.name];
        const got = byHand.grads[key]!;
        expect(got.shape).toEqual(v.shape);
        const scale = expected.abs().max().dataSync()[0];
        const diff = got.sub(expected).abs().max().dataSync()[0];
        expect(diff, `${key}: largest gradient ${scale}, difference ${diff}`).toBeLessThan(1e-5 + 1e-4 * scale);
      }
      tf.dispose([x, t, auto.value, Object.values(auto.grads), byHand.loss, Object.values(byHand.grads)]);
      paramList(params).forEach(([, v]) => v.dispose());
    });
  }

  it('refuses the cross-entropy after a LeakyReLU output', () => {
    const config: MlpConfig = { ...small, hiddenActivation: 'leakyRelu', outputActivation: 'leakyRelu', layerNorm: false };
    const params = createMlpParams(config, createRng(1));
    const x = tf.zeros([1, config.inputs]) as tf.Tensor2D;
    const t = tf.zeros([1, config.outputs]) as tf.Tensor2D;
    expect(() => sampleGradients(params, config, 'bce', x, t)).toThrow(/sigmoid output/);
    tf.dispose([x, t]);
    paramList(params).forEach(([, v]) => v.dispose());
  });
});

// Lesson 4's loop: one image a step, sampleGradients, and a tfjs optimizer fed gradients by variable name.
describe('one-image steps with sampleGradients and an optimizer', () => {
  const subset = takeImages(loadDataset('mnist').train, 300);

  for (const [name, config, loss, optimizer] of [
    ['LeakyReLU + MSE + sgd()', { ...SIGMOID_MLP, hiddenActivation: 'leakyRelu', outputActivation: 'leakyRelu' }, 'mse', () => sgd(0.05)],
    ['LeakyReLU + LayerNorm + sigmoid + BCE + adam()', { ...SIGMOID_MLP, hiddenActivation: 'leakyRelu', layerNorm: true }, 'bce', () => adam(0.001, 0.9, 0.999, 1e-8)],
  ] as Array<[string, MlpConfig, LossName, () => tf.Optimizer]>) {
    it(`learn, and leave the tensor count flat after the first step: ${name}`, () => {
      const x = imagesToTensor(subset);
      const labels = labelsToTensor(subset);
      const t = tf.tidy(() => tf.oneHot(labels, 10).toFloat()) as tf.Tensor2D;
      const params = createMlpParams(config, createRng(3));
      const variables = paramList(params);
      const opt = optimizer();
      const accuracy = () => evaluateAccuracy((b) => mlpPredict(params, config, b as tf.Tensor2D), x, labels);
      const before = accuracy();
      const counts: number[] = [];
      for (let epoch = 0; epoch < 4; epoch++) {
        for (let i = 0; i < 300; i++) {
          tf.tidy(() => {
            const { grads } = sampleGradients(params, config, loss, x.gather([i]), t.gather([i]));
            opt.applyGradients(variables.map(([key, v]) => ({ name: v.name, tensor: grads[key]! })));
          });
          if (epoch === 0 && i === 0) counts.push(tf.memory().numTensors); // the first step may create the optimizer's state
        }
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size, `tensor counts ${counts}`).toBe(1);
      expect(accuracy()).toBeGreaterThan(Math.max(0.8, before));
      opt.dispose();
      disposeMlpParams(params);
      tf.dispose([x, labels, t]);
    });
  }
});
