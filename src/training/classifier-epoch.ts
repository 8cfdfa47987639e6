/**
 * One epoch of training a classifier that outputs logits, and its evaluation: the code lesson 5
 * writes and trains with, kept here for the lessons after it. tests/lesson-code.test.ts checks that
 * lesson 5's notebook holds these declarations word for word.
 * Our own loop (not `model.fit`) keeps the shuffle seeded.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorBatches } from '../data/batches';
import { Rng } from '../random';
import { l2Penalty } from './l2-penalty';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

export interface EpochStats {
  /** Mean cross-entropy, without the L2 penalty, so that training and evaluation compare. */
  loss: number;
  accuracy: number;
}

export interface TrainEpochOptions {
  batchSize: number;
  rng: Rng;
  /** λ of the L2 penalty on every trainable weight; 0 or absent for none. */
  l2?: number;
  /** Called after each batch with the number of examples seen so far and the statistics so far. */
  onBatch?: (seen: number, running: EpochStats) => void;
}

/**
 * One pass over (x, labels) in shuffled minibatches, one optimizer step per batch. The statistics are
 * averaged over the epoch while the weights change: a cheap estimate, behind the model at its end.
 */
export function trainClassifierEpoch(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, labels: tf.Tensor1D,
  options: TrainEpochOptions): EpochStats {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const lambda = options.l2 ?? 0;
  let lossSum = 0, correct = 0, seen = 0;
  for (const [xb, yb] of tensorBatches(x, labels, options.batchSize, options.rng)) {
    tf.tidy(() => {
      let logits: tf.Tensor2D | undefined;
      let dataLoss: tf.Scalar | undefined;
      optimizer.minimize(() => {
        // training: true switches on what only training does (dropout). keep() lets the logits and the
        // loss outlive minimize, which frees everything else made here, and the value it is given.
        logits = tf.keep(model.apply(xb, { training: true }) as tf.Tensor2D);
        dataLoss = tf.keep(softmaxCrossEntropy(logits, yb));
        return lambda > 0 ? dataLoss.add(l2Penalty(variables, lambda)) : dataLoss.clone();
      }, false, variables);
      lossSum += dataLoss!.dataSync()[0] * xb.shape[0];
      correct += logits!.argMax(1).equal(yb).sum().dataSync()[0];
      seen += xb.shape[0];
      tf.dispose([logits!, dataLoss!]);
    });
    tf.dispose([xb, yb]);
    options.onBatch?.(seen, { loss: lossSum / seen, accuracy: correct / seen });
  }
  return { loss: lossSum / seen, accuracy: correct / seen };
}

/** Mean cross-entropy and accuracy of `model` on a whole set, in order, a batch at a time to bound memory. */
export function evaluateClassifier(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor1D, batchSize = 1000): EpochStats {
  let lossSum = 0, correct = 0;
  for (const [xb, yb] of tensorBatches(x, labels, batchSize)) {
    tf.tidy(() => {
      // predict would otherwise cut the batch into pieces of 32, its default batchSize.
      const logits = model.predict(xb, { batchSize: xb.shape[0] }) as tf.Tensor2D;
      lossSum += softmaxCrossEntropy(logits, yb).dataSync()[0] * xb.shape[0];
      correct += logits.argMax(1).equal(yb).sum().dataSync()[0];
    });
    tf.dispose([xb, yb]);
  }
  return { loss: lossSum / x.shape[0], accuracy: correct / x.shape[0] };
}
