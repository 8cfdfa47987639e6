/**
 * Training one sample at a time, as the seed's PyTorch loop does: for every
 * image in turn, one forward pass, one backward pass, one update. The loss of
 * every `recordEvery`-th sample is kept, which gives the long, noisy loss
 * curve of lessons 3 and 4.
 */
import * as tf from '@tensorflow/tfjs';
import { ProgressBar } from './progress';

/** One training step on one sample (rows [1, …]); returns the sample's loss when `withLoss`. */
export type SampleStep = (x: tf.Tensor2D, target: tf.Tensor2D, withLoss: boolean) => number | undefined;

export interface OneSampleTrainingOptions {
  /** Inputs [n, features] and targets [n, outputs], one row per sample. */
  x: tf.Tensor2D;
  targets: tf.Tensor2D;
  epochs: number;
  step: SampleStep;
  /** Keep the loss of every this-many-th sample (the seed: 10). */
  recordEvery?: number;
  /** The order of the samples in an epoch; default: the file's order, every epoch, as in the seed. */
  order?: (epoch: number) => ArrayLike<number>;
  /** Shown beside the progress bar. */
  label?: string;
}

export interface OneSampleTrainingResult {
  /** The recorded losses, and how many samples had been seen at each. */
  losses: number[];
  samplesSeen: number[];
  /** tf.memory().numTensors after each epoch: flat when nothing leaks. */
  tensorsAfterEpoch: number[];
  /**
   * tf.memory().numTensors after the very first step, which may create state
   * (Adam's moments). A run of any length, even one epoch, leaked nothing if
   * the count after the last epoch equals this one.
   */
  tensorsAfterFirstStep: number;
  secondsPerEpoch: number[];
}

export function trainOneSampleAtATime(options: OneSampleTrainingOptions): OneSampleTrainingResult {
  const { x, targets, epochs, step, recordEvery = 10 } = options;
  const count = x.shape[0];
  const result: OneSampleTrainingResult = { losses: [], samplesSeen: [], tensorsAfterEpoch: [], secondsPerEpoch: [], tensorsAfterFirstStep: 0 };
  let seen = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = options.order?.(epoch);
    const bar = new ProgressBar(count, { label: `${options.label ? `${options.label}, ` : ''}epoch ${epoch + 1}/${epochs}`, throttleMs: 1000 });
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const row = order ? order[i] : i;
      seen += 1;
      const wantLoss = seen % recordEvery === 0;
      // gather, not slice: on the wasm backend tf.slice copies the whole source tensor to JavaScript first.
      const loss = tf.tidy(() => {
        const index = tf.tensor1d([row], 'int32');
        return step(x.gather(index) as tf.Tensor2D, targets.gather(index) as tf.Tensor2D, wantLoss);
      });
      if (seen === 1) result.tensorsAfterFirstStep = tf.memory().numTensors;
      if (wantLoss && loss !== undefined) {
        result.losses.push(loss);
        result.samplesSeen.push(seen);
      }
      if ((i + 1) % 1000 === 0) bar.tick(1000, { loss: result.losses[result.losses.length - 1] ?? NaN });
    }
    bar.tick(count % 1000);
    result.secondsPerEpoch.push((performance.now() - started) / 1000);
    result.tensorsAfterEpoch.push(tf.memory().numTensors);
    bar.finish();
  }
  return result;
}
