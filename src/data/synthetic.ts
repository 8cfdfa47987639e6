/** Data we make ourselves, where the true answer is known. */
import * as tf from '@tensorflow/tfjs';

export interface LinearData {
  features: tf.Tensor2D;
  labels: tf.Tensor2D;
}

/**
 * y = Xw + b + ε, with X ~ N(0, 1) and ε ~ N(0, noise²).
 * Returns `count` examples: features [count, w.length] and labels [count, 1].
 */
export function syntheticLinearData(options: { w: number[]; b: number; count: number; noise: number; seed: number }): LinearData {
  const { w, b, count, noise, seed } = options;
  return tf.tidy(() => {
    const features = tf.randomNormal([count, w.length], 0, 1, 'float32', seed) as tf.Tensor2D;
    const clean = features.matMul(tf.tensor2d(w, [w.length, 1])).add(b);
    const labels = clean.add(tf.randomNormal(clean.shape, 0, noise, 'float32', seed + 1)) as tf.Tensor2D;
    return { features, labels };
  });
}
