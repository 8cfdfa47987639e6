/** Classification metrics on tensors. */
import * as tf from '@tensorflow/tfjs';

/**
 * How many rows of `scores` ([n, classes] logits or probabilities) put their
 * maximum on the true class. `labels` is either class ids [n] or one-hot [n, classes].
 */
export function countCorrect(scores: tf.Tensor, labels: tf.Tensor): number {
  return tf.tidy(() => {
    const predicted = scores.argMax(-1);
    const truth = labels.rank === scores.rank ? labels.argMax(-1) : labels.toInt();
    return predicted.equal(truth).sum().dataSync()[0];
  });
}

/** Fraction of correct predictions, in [0, 1]. */
export function accuracy(scores: tf.Tensor, labels: tf.Tensor): number {
  const n = scores.shape[0] ?? 0;
  return n === 0 ? 0 : countCorrect(scores, labels) / n;
}
