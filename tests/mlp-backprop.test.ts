// The hand-written backward pass must give the gradients automatic differentiation gives.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { LossName, lossValue, sampleGradients } from '../src/models/mlp-backprop';
import { createMlpParams, MlpConfig, mlpPredict, paramList } from '../src/models/small-mlp';
import { createRng } from '../src/random';

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
