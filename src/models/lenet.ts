/**
 * LeNet-5 as lesson 7 builds it, in TensorFlow.js's channels-last layout
 * (NHWC: batch, height, width, channels), for 28×28 grey images:
 *
 *   conv 6@5×5 'same' → f → pool 2 → conv 16@5×5 → f → pool 2 → flatten
 *   → dense 120 → f → dense 84 → f → dense 10 (logits)
 *
 * The 1998 network, as the seed post trains it, has sigmoid f and average
 * pooling; the modern one ReLU and max pooling. Every kernel starts from
 * Glorot (Xavier) uniform weights with a seed drawn from the lesson's
 * generator; biases start at zero. Lesson 7 writes buildLeNet;
 * tests/lesson-code.test.ts checks that this file holds the same code.
 *
 * The input layer is [28, 28, 1] (no built-in reshape), which is also what
 * the course site's demo reads from model.json. `conv2d` is tf.layers.conv2d
 * with a backward pass that skips the images' gradient (lazy-conv2d.ts); a
 * saved LeNet loads anywhere as plain Conv2D layers.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { conv2d } from './lazy-conv2d';

export const LENET_INPUT_SHAPE: [number, number, number] = [28, 28, 1];

export interface LeNetOptions {
  /** 'sigmoid' in LeNet as in 1998, 'relu' in the modern one. */
  activation: 'sigmoid' | 'relu';
  /** 'average' in LeNet as in 1998, 'max' in the modern one. */
  pooling: 'average' | 'max';
  /** Seeds every kernel initializer. */
  rng: Rng;
  /** A prefix for the layer names, so that two LeNets in one notebook have distinct names. */
  name: string;
}

/** LeNet for 28×28×1 images: two convolution–pooling stages, then dense layers of 120, 84 and 10 units (the logits). */
export function buildLeNet({ activation, pooling, rng, name }: LeNetOptions): tf.Sequential {
  const init = () => tf.initializers.glorotUniform({ seed: rng.seed() });
  const pool = (n: number) => (pooling === 'average'
    ? tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool${n}` })
    : tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${name}_pool${n}` }));
  return tf.sequential({
    name,
    layers: [
      conv2d({ name: `${name}_conv1`, inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation, kernelInitializer: init() }),
      pool(1),
      conv2d({ name: `${name}_conv2`, filters: 16, kernelSize: 5, padding: 'valid', activation, kernelInitializer: init() }),
      pool(2),
      tf.layers.flatten({ name: `${name}_flatten` }),
      tf.layers.dense({ name: `${name}_dense1`, units: 120, activation, kernelInitializer: init() }),
      tf.layers.dense({ name: `${name}_dense2`, units: 84, activation, kernelInitializer: init() }),
      tf.layers.dense({ name: `${name}_dense3`, units: 10, kernelInitializer: init() }),
    ],
  });
}

/** Parameters of a 2-D convolution: one kh×kw×cin kernel and one bias per output channel. */
export function convParameterCount(kernelSize: number, inChannels: number, outChannels: number): number {
  return kernelSize * kernelSize * inChannels * outChannels + outChannels;
}

/**
 * Output size of a convolution or pooling along one axis:
 * ⌊(n + 2p − k) / s⌋ + 1 for input size n, padding p on each side, window k, stride s.
 */
export function convOutputSize(n: number, kernelSize: number, padding: number, stride: number): number {
  return Math.floor((n + 2 * padding - kernelSize) / stride) + 1;
}

/** LeNet's parameter count by formula (the same for both variants: pooling and activations have none). */
export const LENET_PARAMETERS =
  convParameterCount(5, 1, 6) + convParameterCount(5, 6, 16) + (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10);

/** [name, output shape without the batch] for each layer: what the model gives an input of `inputShape`. */
export function layerOutputShapes(model: tf.LayersModel, inputShape: number[] = LENET_INPUT_SHAPE): Array<[string, number[]]> {
  return tf.tidy(() => {
    let x: tf.Tensor = tf.zeros([1, ...inputShape]);
    return model.layers.map((layer) => {
      x = layer.apply(x) as tf.Tensor;
      return [layer.getClassName(), x.shape.slice(1)] as [string, number[]];
    });
  });
}
