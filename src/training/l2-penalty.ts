/**
 * An L2 penalty, (λ/2)·Σ w², added to the loss. Its gradient is λ·w, which is
 * exactly what PyTorch's `weight_decay=λ` adds to every parameter's gradient
 * (biases included) in SGD and Adam, so training with this penalty reproduces
 * those recipes. (AdamW's decoupled weight decay is different: it shrinks the
 * weights outside Adam's per-parameter scaling.)
 */
import * as tf from '@tensorflow/tfjs';

export function l2Penalty(weights: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => {
    if (weights.length === 0) return tf.scalar(0);
    const squares = weights.map((w) => w.square().sum());
    return tf.addN(squares).mul(lambda / 2) as tf.Scalar;
  });
}
