/**
 * The classification loss of lessons 5 on: softmax cross-entropy computed from
 * logits. With p = softmax(z), the loss of one example of class y is
 * −log p_y = −(z_y − logsumexp(z)), i.e. the negative log-likelihood of the
 * log-softmax. Computing log-softmax directly (tf.logSoftmax subtracts the
 * maximum logit first) never forms exp(z) on its own, so it neither overflows
 * for large logits nor takes log(0) for very small probabilities.
 */
import * as tf from '@tensorflow/tfjs';

/** Mean negative log-likelihood of `labels` (class ids, [n]) under softmax(`logits`) ([n, classes]). */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(logits);
    // Pick log p_y in each row: a one-hot mask times the row, summed.
    const picked = logProbabilities.mul(tf.oneHot(labels.toInt(), logits.shape[1])).sum(1);
    return picked.mean().neg() as tf.Scalar;
  });
}
