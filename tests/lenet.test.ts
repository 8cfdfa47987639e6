// LeNet's builder (src/models/lenet.ts), lesson 5's epoch on images, and the grids of pictures lessons 6 and 7 draw.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { mapGrid, channelOf, pictureGrid } from '../src/plots/feature-maps';
import { buildLeNet, convOutputSize, convParameterCount, layerOutputShapes, LENET_PARAMETERS } from '../src/models/lenet';
import { createRng } from '../src/random';
import { evaluateClassifier, trainClassifierEpoch } from '../src/training/classifier-epoch';

beforeAll(async () => {
  await selectBackend();
});

const VARIANTS = { classic: { activation: 'sigmoid', pooling: 'average' }, modern: { activation: 'relu', pooling: 'max' } } as const;

describe('buildLeNet', () => {
  it('gives each layer the shape of the seed post (in NHWC) for a 28×28 image', () => {
    for (const variant of ['classic', 'modern'] as const) {
      const model = buildLeNet({ ...VARIANTS[variant], rng: createRng(1), name: variant });
      expect(layerOutputShapes(model)).toEqual([
        ['Conv2D', [28, 28, 6]],
        [variant === 'classic' ? 'AveragePooling2D' : 'MaxPooling2D', [14, 14, 6]],
        ['Conv2D', [10, 10, 16]],
        [variant === 'classic' ? 'AveragePooling2D' : 'MaxPooling2D', [5, 5, 16]],
        ['Flatten', [400]],
        ['Dense', [120]],
        ['Dense', [84]],
        ['Dense', [10]],
      ]);
      expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
      model.dispose();
    }
  });

  it('has 61,706 parameters, by formula and by TensorFlow.js', () => {
    const model = buildLeNet({ ...VARIANTS.classic, rng: createRng(1), name: 'classic' });
    expect(convParameterCount(5, 1, 6)).toBe(156);
    expect(convParameterCount(5, 6, 16)).toBe(2416);
    expect(LENET_PARAMETERS).toBe(61706);
    expect(model.countParams()).toBe(61706);
    model.dispose();
  });

  it('uses sigmoid in the classic variant and ReLU in the modern one', () => {
    const classic = buildLeNet({ ...VARIANTS.classic, rng: createRng(1), name: 'classic' });
    const modern = buildLeNet({ ...VARIANTS.modern, rng: createRng(1), name: 'modern' });
    const activations = (m: tf.LayersModel) => m.layers.map((l) => (l.getConfig().activation as string | undefined) ?? '-');
    expect(activations(classic)).toEqual(['sigmoid', '-', 'sigmoid', '-', '-', 'sigmoid', 'sigmoid', 'linear']);
    expect(activations(modern)).toEqual(['relu', '-', 'relu', '-', '-', 'relu', 'relu', 'linear']);
    classic.dispose();
    modern.dispose();
  });

  it('is reproducible from the seed, with Glorot-uniform kernels and zero biases', () => {
    const a = buildLeNet({ ...VARIANTS.classic, rng: createRng(3), name: 'classic' });
    const b = buildLeNet({ ...VARIANTS.classic, rng: createRng(3), name: 'classic' });
    const c = buildLeNet({ ...VARIANTS.classic, rng: createRng(4), name: 'classic' });
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(a)).toEqual(values(b));
    expect(values(a)[0]).not.toEqual(values(c)[0]);
    // conv1: fan in 5·5·1 = 25, fan out 5·5·6 = 150, limit sqrt(6 / 175)
    const limit = Math.sqrt(6 / 175);
    const conv1 = values(a)[0];
    expect(Math.max(...conv1.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...conv1.map(Math.abs))).toBeGreaterThan(0.8 * limit);
    expect(values(a)[1].every((v) => v === 0)).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('convOutputSize', () => {
  it('is ⌊(n + 2p − k)/s⌋ + 1', () => {
    expect(convOutputSize(28, 5, 2, 1)).toBe(28);
    expect(convOutputSize(14, 5, 0, 1)).toBe(10);
    expect(convOutputSize(28, 2, 0, 2)).toBe(14);
    expect(convOutputSize(3, 2, 1, 2)).toBe(2);
    expect(convOutputSize(8, 3, 0, 3)).toBe(2);
  });
});

describe("lesson 5's epoch on images", () => {
  it('trains LeNet on a few images of [n, 28, 28, 1] without leaking tensors', () => {
    const rng = createRng(11);
    const model = buildLeNet({ ...VARIANTS.modern, rng, name: 'modern' });
    const optimizer = tf.train.adam(2e-3);
    // Two easy classes: a bright left half (class 0) or a bright right half (class 1), plus noise.
    const n = 64;
    const pixels = new Float32Array(n * 784);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = ((p % 28 < 14) === (labels[i] === 0) ? 0.8 : 0) + 0.2 * rng.next();
    }
    const x = tf.tensor4d(pixels, [n, 28, 28, 1]);
    const y = tf.tensor1d(labels, 'int32');
    const tensors: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      trainClassifierEpoch(model, optimizer, x, y, { batchSize: 16, rng });
      tensors.push(tf.memory().numTensors);
    }
    expect(evaluateClassifier(model, x, y).accuracy).toBe(1);
    expect(tensors[3]).toBe(tensors[1]);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('mapGrid', () => {
  it('draws one heatmap per map, sharing a symmetric range when asked', () => {
    const fig = mapGrid({ maps: [[[1, -2]], [[0.5, 3]]], titles: ['a', 'b'], shared: true, symmetric: true });
    expect(fig.data).toHaveLength(2);
    expect(fig.data.map((t) => [t.zmin, t.zmax])).toEqual([[-3, 3], [-3, 3]]);
    expect(() => mapGrid({ maps: [[[1]]], titles: [] })).toThrow(RangeError);
  });

  it('lays pictures out the same way, one image trace and one pair of axes each, with their titles', () => {
    const png = 'data:image/png;base64,AAAA';
    const fig = pictureGrid({ sources: [png, png, png], titles: ['a', 'b', 'c'], columns: 2, cellSize: 100 });
    expect(fig.data.map((t) => [t.type, t.source, t.xaxis, t.yaxis])).toEqual([
      ['image', png, 'x', 'y'], ['image', png, 'x2', 'y2'], ['image', png, 'x3', 'y3'],
    ]);
    expect((fig.layout?.annotations as Array<{ text: string }>).map((a) => a.text)).toEqual(['a', 'b', 'c']);
    expect([fig.layout?.width, fig.layout?.height]).toEqual([200, 220]);
    expect(() => pictureGrid({ sources: [png], titles: [] })).toThrow(RangeError);
  });

  it('reads one channel of an NHWC image', () => {
    // 2×2 image with 3 channels: value = 10·pixel + channel
    const values = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32];
    expect(channelOf(values, 2, 2, 3, 1)).toEqual([[1, 11], [21, 31]]);
  });
});
