import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denseParameterCount, layerParameterCounts, mlpParameterCounts, sum } from '../src/models/parameter-count';
import { softmaxCrossEntropy } from '../src/training/softmax-cross-entropy';
import { l2Penalty } from '../src/training/l2-penalty';
import { exponentialDecay, getLearningRate, setLearningRate } from '../src/training/learning-rate';
import { JsonLinesLog, readJsonLines } from '../src/training/jsonl-log';
import { evaluateClassifier, trainClassifierEpoch } from '../src/training/classifier-epoch';
import { randomSplit } from '../src/data/split';
import { createRng } from '../src/random';
import { PIXELS } from '../src/data/mnist';
import { dropout } from '../src/models/dropout';

const dir = mkdtempSync(join(tmpdir(), 'deeper-network-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mlp(widths: number[]): tf.Sequential {
  return tf.sequential({
    layers: widths.slice(1).map((units, i) =>
      tf.layers.dense({ units, inputShape: i === 0 ? [widths[0]] : undefined, activation: i === widths.length - 2 ? 'linear' : 'relu', kernelInitializer: tf.initializers.heNormal({ seed: i + 1 }) }),
    ),
  });
}

describe('parameter counting', () => {
  it('counts in·out + out per dense layer', () => {
    expect(denseParameterCount(784, 250)).toBe(196_250);
    expect(mlpParameterCounts([784, 250, 200, 10])).toEqual([196_250, 50_200, 2_010]);
    expect(sum(mlpParameterCounts([784, 250, 200, 10]))).toBe(248_460);
    expect(sum(mlpParameterCounts([784, 312, 256, 10]))).toBe(327_618);
    expect(() => mlpParameterCounts([784])).toThrow('at least an input and an output width');
  });

  it('agrees with TensorFlow.js layer by layer', () => {
    for (const widths of [[784, 250, 200, 10], [784, 312, 256, 10]]) {
      const net = mlp(widths);
      const layers = layerParameterCounts(net);
      expect(layers.map((l) => l.parameters)).toEqual(mlpParameterCounts(widths));
      expect(layers[0].weightShapes).toEqual([`${widths[0]}×${widths[1]}`, `${widths[1]}`]);
      expect(layers[0].outputShape).toBe(String(widths[1]));
      expect(net.countParams()).toBe(sum(mlpParameterCounts(widths)));
      net.dispose();
    }
  });
});

describe('softmaxCrossEntropy', () => {
  it('equals tf.losses.softmaxCrossEntropy and stays finite for extreme logits', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, -1], [-3, 0, 3]]);
      const labels = tf.tensor1d([0, 1, 0], 'int32');
      const expected = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits).dataSync()[0];
      expect(softmaxCrossEntropy(logits, labels).dataSync()[0]).toBeCloseTo(expected, 6);
      expect(softmaxCrossEntropy(tf.tensor2d([[100, 0, -100]]), tf.tensor1d([2], 'int32')).dataSync()[0]).toBeCloseTo(200, 3);
    });
  });
});

describe('l2Penalty', () => {
  it('is (λ/2)·Σw² and its gradient is λ·w, like PyTorch weight_decay', () => {
    tf.tidy(() => {
      const w = tf.tensor1d([1, -2, 3]);
      expect(l2Penalty([w], 0.1).dataSync()[0]).toBeCloseTo(0.7, 6);
      const grad = tf.grad((x: tf.Tensor) => l2Penalty([x], 0.1))(w);
      expect(Array.from(grad.dataSync())).toEqual([0.1, -0.2, 0.3].map((v) => Math.fround(v)));
    });
  });
});

describe('learning rate', () => {
  it('decays exponentially and can be changed on an existing optimizer', () => {
    const lr = exponentialDecay(1e-2, 0.5);
    expect([lr(0), lr(1), lr(2)]).toEqual([1e-2, 5e-3, 2.5e-3]);
    const optimizer = tf.train.adam(1e-2);
    setLearningRate(optimizer, 1e-3);
    expect(getLearningRate(optimizer)).toBe(1e-3);
    optimizer.dispose();
  });
});

describe('JsonLinesLog', () => {
  it('appends one JSON object per line and reads them back', () => {
    const file = join(dir, 'logs', 'run.jsonl');
    const log = new JsonLinesLog(file, { fresh: true });
    log.append({ epoch: 1, loss: 0.5 });
    log.append({ epoch: 2, loss: 0.25 });
    expect(readJsonLines(file)).toEqual([{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.25 }]);
    new JsonLinesLog(file, { fresh: true });
    expect(readJsonLines(file)).toEqual([]);
  });

  it('names the file and line of a broken record', () => {
    const file = join(dir, 'broken.jsonl');
    writeFileSync(file, '{"epoch":1}\n{"epoch":2,\n');
    expect(() => readJsonLines(file)).toThrow(`${file}: line 2 is not valid JSON`);
  });
});

describe('randomSplit', () => {
  it('gives disjoint seeded parts with their labels', () => {
    const count = 50;
    const images = new Uint8Array(count * PIXELS);
    for (let i = 0; i < count; i++) images[i * PIXELS] = i; // tag each image with its index
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const [a, b] = randomSplit({ images, labels, count }, [10, 20], createRng(1));
    const ids = (s: { images: Uint8Array; count: number }) => Array.from({ length: s.count }, (_, i) => s.images[i * PIXELS]);
    expect(a.count).toBe(10);
    expect(b.count).toBe(20);
    expect(new Set([...ids(a), ...ids(b)]).size).toBe(30);
    ids(a).forEach((id, i) => expect(a.labels[i]).toBe(id % 10));
    const [again] = randomSplit({ images, labels, count }, [10], createRng(1));
    expect(ids(again)).toEqual(ids(a));
    expect(() => randomSplit({ images, labels, count }, [40, 20], createRng(1))).toThrow('Cannot take 40 + 20 = 60 images');
  });
});

describe('trainClassifierEpoch', () => {
  it('lowers the loss on a learnable problem and leaks no tensors', () => {
    const x = tf.randomNormal([256, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
    const y = tf.tidy(() => x.slice([0, 0], [-1, 1]).reshape([-1]).greater(0).toInt()) as tf.Tensor1D;
    const net = mlp([8, 16, 2]);
    const optimizer = tf.train.adam(1e-2);
    const rng = createRng(4);
    const before = evaluateClassifier(net, x, y);
    trainClassifierEpoch(net, optimizer, x, y, { batchSize: 32, rng, l2: 1e-5 });
    const tensors = tf.memory().numTensors;
    let last = trainClassifierEpoch(net, optimizer, x, y, { batchSize: 32, rng, l2: 1e-5 });
    for (let i = 0; i < 3; i++) last = trainClassifierEpoch(net, optimizer, x, y, { batchSize: 32, rng, l2: 1e-5 });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = evaluateClassifier(net, x, y);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy).toBeGreaterThan(0.9);
    expect(last.accuracy).toBeGreaterThan(0.85);
    tf.dispose([x, y]);
    net.dispose();
    optimizer.dispose();
  });

  it('calls the model in training mode, so that dropout works while training and not while evaluating', () => {
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32');
    const net = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4] }), dropout({ rate: 0.5, seed: 1 })] });
    const layer = net.layers[1];
    const training: unknown[] = [];
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      training.push(kwargs.training);
      return call(inputs, kwargs);
    };
    const optimizer = tf.train.sgd(0.1);
    trainClassifierEpoch(net, optimizer, x, y, { batchSize: 4, rng: createRng(1) });
    expect(training).toEqual([true, true]);
    evaluateClassifier(net, x, y);
    expect(training.slice(2).length).toBeGreaterThan(0);
    expect(training.slice(2)).not.toContain(true);
    tf.dispose([x, y]);
    net.dispose();
    optimizer.dispose();
  });
});
