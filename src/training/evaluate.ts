/** Evaluating a model on a whole dataset, a batch at a time to bound memory. */
import * as tf from '@tensorflow/tfjs';
import { tensorBatches } from '../data/batches';
import { Accumulator } from './accumulator';
import { countCorrect } from './metrics';

/** Anything that maps a batch of inputs to class scores: a LayersModel's predict, or a hand-written net. */
export type Predictor = (x: tf.Tensor) => tf.Tensor;

export function asPredictor(model: tf.LayersModel | Predictor): Predictor {
  // One forward pass per batch: predict()'s default cuts it into pieces of 32 and concatenates them.
  return typeof model === 'function' ? model : (x) => model.predict(x, { batchSize: x.shape[0] }) as tf.Tensor;
}

/** Accuracy of `model` on (x, labels), computed in order in batches of `batchSize`. */
export function evaluateAccuracy(model: tf.LayersModel | Predictor, x: tf.Tensor, labels: tf.Tensor, batchSize = 1000): number {
  const predict = asPredictor(model);
  const totals = new Accumulator(2); // correct, seen
  for (const [xb, yb] of tensorBatches(x, labels, batchSize)) {
    totals.add(tf.tidy(() => countCorrect(predict(xb), yb)), xb.shape[0]);
    tf.dispose([xb, yb]);
  }
  return totals.ratio(0, 1);
}
