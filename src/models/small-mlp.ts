/**
 * The small networks of lesson 4 (lesson 3 writes its one network out in the
 * notebook; this is the same, for every variant): one hidden layer between
 * the 784 pixels and the 10 outputs, built from bare variables rather than
 * tf.layers so that the backward pass can be written by hand (mlp-backprop.ts).
 *
 *   z1 = W1 x + b1,  a1 = f(z1),  h = LayerNorm(a1) or a1,  z2 = W2 h + b2,  y = g(z2)
 *
 * Weights are stored [outputs, inputs], as PyTorch's nn.Linear does, so that
 * one sample is a column vector and the code reads like the math. That layout
 * is also the fast one for one-sample steps on the wasm backend: in W x the
 * right-hand operand that XNNPACK repacks on every call is the 784 numbers of
 * x, not the 156,800 of W.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';

export type Activation = 'sigmoid' | 'leakyRelu';

export interface MlpConfig {
  inputs: number;
  hidden: number;
  outputs: number;
  hiddenActivation: Activation;
  outputActivation: Activation;
  /** Normalise the hidden activations (nn.LayerNorm(hidden) in the seed). */
  layerNorm: boolean;
  /** The slope of LeakyReLU for negative inputs; the seed uses 0.02. */
  leakySlope: number;
}

export const LAYER_NORM_EPSILON = 1e-5; // PyTorch's default

/** The seed's first network: 784-200-10, sigmoid everywhere. */
export const SIGMOID_MLP: MlpConfig = {
  inputs: 784,
  hidden: 200,
  outputs: 10,
  hiddenActivation: 'sigmoid',
  outputActivation: 'sigmoid',
  layerNorm: false,
  leakySlope: 0.02,
};

export interface MlpParams {
  w1: tf.Variable; // [hidden, inputs]
  b1: tf.Variable; // [hidden, 1]
  w2: tf.Variable; // [outputs, hidden]
  b2: tf.Variable; // [outputs, 1]
  /** LayerNorm's per-unit scale and shift, [hidden, 1]; present only with layerNorm. */
  gamma?: tf.Variable;
  beta?: tf.Variable;
}

export type ParamName = 'w1' | 'b1' | 'w2' | 'b2' | 'gamma' | 'beta';

/**
 * Parameters initialised as PyTorch initialises nn.Linear: weights and biases
 * uniform in ±1/√fan_in, so the seed's recipes (tuned on that start) carry
 * over. LayerNorm starts as the identity (gamma 1, beta 0). Every random draw
 * takes its seed from `rng`.
 */
export function createMlpParams(config: MlpConfig, rng: Rng): MlpParams {
  const uniform = (shape: [number, number], fanIn: number) => {
    const limit = 1 / Math.sqrt(fanIn);
    return tf.tidy(() => tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', rng.seed())));
  };
  const params: MlpParams = {
    w1: uniform([config.hidden, config.inputs], config.inputs),
    b1: uniform([config.hidden, 1], config.inputs),
    w2: uniform([config.outputs, config.hidden], config.hidden),
    b2: uniform([config.outputs, 1], config.hidden),
  };
  if (config.layerNorm) {
    params.gamma = tf.tidy(() => tf.variable(tf.ones([config.hidden, 1])));
    params.beta = tf.tidy(() => tf.variable(tf.zeros([config.hidden, 1])));
  }
  return params;
}

/** The parameters as a list (for optimizers, counting and disposal). */
export function paramList(params: MlpParams): Array<[ParamName, tf.Variable]> {
  return (Object.entries(params) as Array<[ParamName, tf.Variable | undefined]>).filter(
    (entry): entry is [ParamName, tf.Variable] => entry[1] !== undefined,
  );
}

export function disposeMlpParams(params: MlpParams): void {
  tf.dispose(paramList(params).map(([, v]) => v));
}

export function activate(z: tf.Tensor, activation: Activation, slope: number): tf.Tensor {
  return activation === 'sigmoid' ? tf.sigmoid(z) : tf.leakyRelu(z, slope);
}

/**
 * LayerNorm over axis `axis` (the hidden units): subtract the mean, divide by
 * the standard deviation, then scale by gamma and shift by beta.
 */
export function layerNorm(a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axis: number): tf.Tensor {
  const { mean, variance } = tf.moments(a, axis, true);
  return a.sub(mean).mul(tf.rsqrt(variance.add(LAYER_NORM_EPSILON))).mul(gamma).add(beta);
}

/**
 * The network on a batch of row vectors x [n, inputs] → [n, outputs]: the form
 * evaluation uses (1000 images per call). Training on one sample uses the
 * column form in mlp-backprop.ts; a test checks that the two agree.
 */
export function mlpPredict(params: MlpParams, config: MlpConfig, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const row = (v: tf.Tensor) => v.reshape([1, -1]);
    let h = activate(x.matMul(params.w1, false, true).add(row(params.b1)), config.hiddenActivation, config.leakySlope);
    if (config.layerNorm) h = layerNorm(h, row(params.gamma!), row(params.beta!), 1);
    return activate(h.matMul(params.w2, false, true).add(row(params.b2)), config.outputActivation, config.leakySlope) as tf.Tensor2D;
  });
}
