/**
 * One epoch of training a classifier that outputs logits, and its evaluation.
 * Lesson 5 writes this loop step by step; later lessons import it from here.
 * Our own loop (not `model.fit`) keeps the shuffle seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorBatches } from '../data/batches';
import { Rng } from '../random';
import { Accumulator } from './accumulator';
import { l2Penalty } from './l2-penalty';
import { countCorrect } from './metrics';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

export interface EpochStats {
  /** Mean softmax cross-entropy (without the L2 penalty, so that it compares with evaluation). */
  loss: number;
  accuracy: number;
}

export interface TrainEpochOptions {
  batchSize: number;
  rng: Rng;
  /** λ of the L2 penalty (λ/2)·Σw² on every trainable weight; 0 for none. */
  l2?: number;
  /** Called after each batch with the number of examples seen so far and the running statistics. */
  onBatch?: (seen: number, running: EpochStats) => void;
}

/** The model's trainable variables, to tell the optimizer exactly what to update. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * One pass over (x, labels) in shuffled minibatches. The statistics are averaged
 * over the epoch while the weights change, so they lag behind the model at
 * the end of the epoch: a cheap, slightly pessimistic estimate.
 */
export function trainClassifierEpoch(
  model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor2D, labels: tf.Tensor1D, options: TrainEpochOptions,
): EpochStats {
  const variables = trainableVariables(model);
  const lambda = options.l2 ?? 0;
  const totals = new Accumulator(3); // summed loss, correct, seen
  for (const [xb, yb] of tensorBatches(x, labels, options.batchSize, options.rng)) {
    const [loss, correct] = tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      let dataLoss: tf.Scalar | undefined;
      optimizer.minimize(() => {
        // keep() lets the logits and the loss outlive minimize's own cleanup; this tidy frees them.
        logits = tf.keep(model.apply(xb) as tf.Tensor2D);
        dataLoss = tf.keep(softmaxCrossEntropy(logits, yb));
        return lambda > 0 ? dataLoss.add(l2Penalty(variables, lambda)) : dataLoss.clone();
      }, false, variables);
      const result = [dataLoss!.dataSync()[0], countCorrect(logits!, yb)];
      tf.dispose([logits!, dataLoss!]);
      return result;
    });
    tf.dispose([xb, yb]);
    const size = xb.shape[0];
    totals.add(loss * size, correct, size);
    options.onBatch?.(totals.get(2), { loss: totals.ratio(0, 2), accuracy: totals.ratio(1, 2) });
  }
  return { loss: totals.ratio(0, 2), accuracy: totals.ratio(1, 2) };
}

/** Mean cross-entropy and accuracy of `model` on a whole set, in batches to bound memory. */
export function evaluateClassifier(model: tf.LayersModel, x: tf.Tensor2D, labels: tf.Tensor1D, batchSize = 1000): EpochStats {
  const totals = new Accumulator(3);
  const n = x.shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [loss, correct] = tf.tidy(() => {
      // gather, not slice: on the wasm backend slicing rows out of a large tensor copies the whole
      // tensor through JavaScript (hundreds of ms for 60000×784), gathering them does not.
      const indices = tf.range(start, start + size, 1, 'int32');
      const xb = tf.gather(x, indices) as tf.Tensor2D;
      const yb = tf.gather(labels, indices) as tf.Tensor1D;
      // predict() would cut the batch into pieces of 32 (its default batchSize) and concatenate the results.
      const logits = model.predict(xb, { batchSize: size }) as tf.Tensor2D;
      return [softmaxCrossEntropy(logits, yb).dataSync()[0], countCorrect(logits, yb)];
    });
    totals.add(loss * size, correct, size);
  }
  return { loss: totals.ratio(0, 2), accuracy: totals.ratio(1, 2) };
}
