// LeNet's convolution layer (src/models/lazy-conv2d.ts): tf.layers.conv2d's numbers, without the images' gradient.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { conv2d } from '../src/models/lazy-conv2d';

beforeAll(async () => {
  await selectBackend();
});

type Activation = 'sigmoid' | 'relu' | 'linear';

/** A one-layer model around `layer`, with seeded weights shared by both kinds of layer. */
function oneConvModel(layer: tf.layers.Layer, seed: number): tf.Sequential {
  const model = tf.sequential({ layers: [layer] });
  model.setWeights(model.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', seed + i)));
  return model;
}

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
const args = (activation: Activation): Conv2DArgs => ({ inputShape: [9, 9, 1], filters: 4, kernelSize: 3, padding: 'same', activation, useBias: true });

/** The loss's gradients with respect to the weights, and the kernels that ran to compute them. */
async function weightGradients(model: tf.Sequential, x: tf.Tensor4D): Promise<{ gradients: number[][]; kernels: string[] }> {
  let gradients: number[][] = [];
  const profile = await tf.profile(() => {
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar);
    gradients = Object.values(grads).map((g) => Array.from(g.dataSync()));
    tf.dispose([value, ...Object.values(grads)]);
  });
  return { gradients, kernels: profile.kernels.map((k) => k.name) };
}

describe('conv2d (unfused while training: no images\' gradient)', () => {
  const x = tf.randomNormal([3, 9, 9, 1], 0, 1, 'float32', 11) as tf.Tensor4D;

  for (const activation of ['sigmoid', 'relu', 'linear'] as const) {
    it(`${activation}: predicts exactly what tf.layers.conv2d predicts, and trains with the same gradients`, async () => {
      const lazy = oneConvModel(conv2d(args(activation)), 5);
      const plain = oneConvModel(tf.layers.conv2d(args(activation)), 5);
      const [yLazy, yPlain] = [lazy.predict(x) as tf.Tensor, plain.predict(x) as tf.Tensor];
      expect(Array.from(yLazy.dataSync())).toEqual(Array.from(yPlain.dataSync()));
      const [gLazy, gPlain] = [await weightGradients(lazy, x), await weightGradients(plain, x)];
      expect(gLazy.gradients.length).toBe(2); // kernel and bias
      // The bias is added in its own pass rather than inside the convolution: equal up to float rounding.
      gLazy.gradients.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(gPlain.gradients[i][j], 4)));
      tf.dispose([yLazy, yPlain]);
      lazy.dispose();
      plain.dispose();
    });
  }

  it("skips the gradient with respect to its input, which tf.layers.conv2d computes for sigmoid", async () => {
    const lazy = oneConvModel(conv2d(args('sigmoid')), 5);
    const plain = oneConvModel(tf.layers.conv2d(args('sigmoid')), 5);
    expect((await weightGradients(plain, x)).kernels).toContain('Conv2DBackpropInput');
    const { kernels } = await weightGradients(lazy, x);
    expect(kernels).toContain('Conv2DBackpropFilter');
    expect(kernels).not.toContain('Conv2DBackpropInput');
    lazy.dispose();
    plain.dispose();
  });

  it('is saved as a plain Conv2D, which loads back with the same predictions', async () => {
    const model = oneConvModel(conv2d({ ...args('sigmoid'), name: 'first' }), 7);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"Conv2D"');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers[0].getClassName()).toBe('Conv2D');
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses channels-first data rather than computing something else', () => {
    expect(() => conv2d({ ...args('relu'), dataFormat: 'channelsFirst' })).toThrow(/channels-last/);
  });
});
