/**
 * Minibatches: the epoch's examples in a fresh random order, cut into slices.
 * Lesson 1 writes this by hand; later lessons import it from here.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, shuffledIndices } from '../random';

/** Index batches covering 0..count-1 once, in a random order when `rng` is given. */
export function* indexBatches(count: number, batchSize: number, rng?: Rng): Generator<Int32Array> {
  const order = rng ? shuffledIndices(count, rng) : Int32Array.from({ length: count }, (_, i) => i);
  for (let start = 0; start < count; start += batchSize) yield order.subarray(start, Math.min(start + batchSize, count));
}

/**
 * Yields [x, y] batches gathered from whole-dataset tensors, in order without `rng`. The caller owns
 * (and must dispose) each batch. Gathered even in order, not sliced: the wasm backend's slice copies
 * the whole source tensor out of wasm memory first.
 */
export function* tensorBatches<X extends tf.Tensor, Y extends tf.Tensor>(
  x: X, y: Y, batchSize: number, rng?: Rng,
): Generator<[X, Y]> {
  for (const indices of indexBatches(x.shape[0], batchSize, rng)) {
    const idx = tf.tensor1d(indices, 'int32');
    const batch: [X, Y] = [tf.gather(x, idx) as X, tf.gather(y, idx) as Y];
    idx.dispose();
    yield batch;
  }
}
