/**
 * Backpropagation written out by hand for the networks of small-mlp.ts, one
 * training sample at a time.
 *
 * Why not tf.grads? Automatic differentiation records every op and replays
 * its gradient, which is right but costs about two dozen small kernel calls
 * per step; with one sample per step that per-call overhead, not arithmetic,
 * is the running time. The chain rule for a one-hidden-layer network fits in
 * a dozen lines, and the big products become one matrix-vector product and
 * one outer product per layer. tests/mlp-backprop.test.ts checks every
 * gradient here against tf.grads.
 *
 * Shapes: a sample is a column, x [inputs, 1]; the outer product d xᵀ is a
 * broadcast multiply of a column by a row.
 */
import * as tf from '@tensorflow/tfjs';
import { Activation, LAYER_NORM_EPSILON, MlpConfig, MlpParams, ParamName, activate } from './small-mlp';

export type LossName = 'mse' | 'bce';

export type Gradients = Partial<Record<ParamName, tf.Tensor>>;

export interface SampleResult {
  grads: Gradients;
  /** The sample's loss, computed only when asked for (it costs extra ops). */
  loss?: tf.Scalar;
}

/** f'(z) for the activation, given z and a = f(z). */
function activationSlope(z: tf.Tensor, a: tf.Tensor, activation: Activation, slope: number): tf.Tensor {
  // σ'(z) = σ(z)(1 − σ(z)); LeakyReLU'(z) = 1 for z > 0, slope otherwise (tf.step's second argument).
  return activation === 'sigmoid' ? a.sub(a.square()) : tf.step(z, slope);
}

/** The loss of outputs y against targets t, averaged over the outputs (PyTorch's default reduction). */
export function lossValue(y: tf.Tensor, t: tf.Tensor, loss: LossName): tf.Scalar {
  return tf.tidy(() => {
    if (loss === 'mse') return y.sub(t).square().mean() as tf.Scalar;
    // nn.BCELoss clamps each log at −100 so that a saturated output gives a large, finite loss.
    const logY = tf.log(y).maximum(-100);
    const logNotY = tf.log(tf.sub(1, y)).maximum(-100);
    return t.mul(logY).add(tf.sub(1, t).mul(logNotY)).mean().neg() as tf.Scalar;
  });
}

/**
 * Forward and backward pass for one sample: x [1, inputs] and its one-hot
 * target t [1, outputs] as rows (slices of the dataset). Call inside tf.tidy.
 */
export function sampleGradients(
  params: MlpParams,
  config: MlpConfig,
  loss: LossName,
  x: tf.Tensor2D,
  t: tf.Tensor2D,
  withLoss = false,
): SampleResult {
  if (loss === 'bce' && config.outputActivation !== 'sigmoid') {
    throw new Error('The BCE loss expects probabilities: use it with a sigmoid output.');
  }
  const n = config.outputs;
  const xCol = x.reshape([config.inputs, 1]);
  const tCol = t.reshape([n, 1]);

  // Forward, keeping what the backward pass needs.
  const z1 = params.w1.matMul(xCol).add(params.b1);
  const a1 = activate(z1, config.hiddenActivation, config.leakySlope);
  let h = a1;
  let normed: tf.Tensor | undefined; // (a1 − mean) / std, before gamma and beta
  let invStd: tf.Tensor | undefined;
  if (config.layerNorm) {
    const { mean, variance } = tf.moments(a1, 0, true);
    invStd = tf.rsqrt(variance.add(LAYER_NORM_EPSILON));
    normed = a1.sub(mean).mul(invStd);
    h = normed.mul(params.gamma!).add(params.beta!);
  }
  const z2 = params.w2.matMul(h).add(params.b2);
  const y = activate(z2, config.outputActivation, config.leakySlope);

  // Backward. dz2 = ∂L/∂z2 for L averaged over the n outputs.
  const dz2 =
    loss === 'bce'
      ? y.sub(tCol).div(n) // BCE after a sigmoid: σ' cancels against BCE's 1/(y(1−y))
      : y.sub(tCol).mul(2 / n).mul(activationSlope(z2, y, config.outputActivation, config.leakySlope));
  const grads: Gradients = { w2: dz2.mul(h.reshape([1, config.hidden])), b2: dz2 };
  let da1 = params.w2.matMul(dz2, true, false); // ∂L/∂h = W2ᵀ dz2
  if (config.layerNorm) {
    grads.gamma = da1.mul(normed!);
    grads.beta = da1;
    // Through the normalisation: dnormed = dh·gamma, then remove the parts along 1 and along normed.
    const dNormed = da1.mul(params.gamma!);
    da1 = dNormed.sub(dNormed.mean()).sub(normed!.mul(dNormed.mul(normed!).mean())).mul(invStd!);
  }
  const dz1 = da1.mul(activationSlope(z1, a1, config.hiddenActivation, config.leakySlope));
  grads.w1 = dz1.mul(x); // outer product dz1 xᵀ: [hidden, 1] × [1, inputs]
  grads.b1 = dz1;

  return withLoss ? { grads, loss: lossValue(y, tCol, loss) } : { grads };
}
