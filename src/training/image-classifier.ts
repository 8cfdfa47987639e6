/**
 * Training image classifiers whose input is an image tensor [n, 28, 28, 1]
 * rather than a row of 784 pixels (lessons 7 and 8). The epoch itself is
 * lesson 5's (classifier-epoch.ts): it reads the images only through
 * tf.gather and the model, so any rank works; these wrappers just say so in
 * their types, and add the loop over epochs that lesson 8 runs many times.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { EpochStats, evaluateClassifier, trainClassifierEpoch } from './classifier-epoch';

/** One shuffled pass over (x, labels); x is [n, ...image shape], labels are class ids [n]. */
export function trainImageEpoch(
  model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, labels: tf.Tensor1D,
  options: { batchSize: number; rng: Rng },
): EpochStats {
  return trainClassifierEpoch(model, optimizer, x as tf.Tensor2D, labels, options);
}

/** Loss and accuracy on a whole set, in batches of `batchSize`. */
export function evaluateImages(model: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor1D, batchSize = 1000): EpochStats {
  return evaluateClassifier(model, x as tf.Tensor2D, labels, batchSize);
}

/** Pixels [n, 784] → images [n, 28, 28, 1] (NHWC, one channel). A reshape: no data is copied. */
export function asImages(pixels: tf.Tensor2D, size = 28): tf.Tensor4D {
  return pixels.reshape([pixels.shape[0], size, size, 1]);
}

export interface EpochReport {
  epoch: number;
  train_loss: number;
  train_accuracy: number;
  /** Accuracy on the evaluation set (validation or test, whichever was given). */
  eval_accuracy: number;
  seconds: number;
  examples_per_second: number;
  tensors: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  rng: Rng;
  /** Called after every epoch, e.g. to redraw a plot. */
  onEpoch?: (report: EpochReport, history: EpochReport[]) => void;
}

/** Trains for `options.epochs` epochs, evaluating on (evalX, evalLabels) after each. */
export function fitImageClassifier(
  model: tf.LayersModel, optimizer: tf.Optimizer,
  train: { x: tf.Tensor; labels: tf.Tensor1D }, evaluation: { x: tf.Tensor; labels: tf.Tensor1D },
  options: FitOptions,
): EpochReport[] {
  const history: EpochReport[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    const stats = trainImageEpoch(model, optimizer, train.x, train.labels, { batchSize: options.batchSize, rng: options.rng });
    const seconds = (performance.now() - started) / 1000;
    const evaluated = evaluateImages(model, evaluation.x, evaluation.labels);
    const report: EpochReport = {
      epoch, train_loss: stats.loss, train_accuracy: stats.accuracy, eval_accuracy: evaluated.accuracy,
      seconds, examples_per_second: train.x.shape[0] / seconds, tensors: tf.memory().numTensors,
    };
    history.push(report);
    options.onEpoch?.(report, history);
  }
  return history;
}
