/**
 * A dropout layer whose masks are reproducible and new at every training step.
 *
 * tf.layers.dropout({ rate, seed }) passes its seed to every mask it draws, so with a seed each
 * training step drops the very same units, and without one it draws from Math.random, which nothing
 * seeds. `dropout(args)` takes tf.layers.dropout's arguments; its `seed` starts a sequence, and each
 * training call draws its mask with the next seed of that sequence. Outside training it passes its
 * input through, as tf.layers.dropout does, and a saved model holds it as an ordinary `Dropout`
 * layer that any TensorFlow.js program loads.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dropout } from '@tensorflow/tfjs-layers/dist/layers/core';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { createRng, Rng } from '../random';

type DropoutArgs = Parameters<typeof tf.layers.dropout>[0];

/** The class behind tf.layers.dropout, as tfjs registered it for loading saved models. */
const DropoutLayer = tf.serialization.SerializationMap.getMap().classNameMap.Dropout[0] as unknown as typeof Dropout;

class DropoutWithFreshMasks extends DropoutLayer {
  private readonly masks: Rng | undefined;
  private readonly firstSeed: number | undefined;

  constructor(args: DropoutArgs) {
    super(args);
    this.firstSeed = args.seed;
    this.masks = args.seed === undefined ? undefined : createRng(`dropout ${args.seed}`);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    // tf.layers.dropout reads its `seed` field for every mask; giving it a new one per call gives a new mask.
    if (this.masks && kwargs.training === true) (this as unknown as { seed: number }).seed = this.masks.seed();
    return super.call(inputs, kwargs);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.firstSeed === undefined ? super.getConfig() : { ...super.getConfig(), seed: this.firstSeed };
  }
}

/** tf.layers.dropout with the same arguments; with a `seed`, every training step draws a new, reproducible mask. */
export function dropout(args: DropoutArgs): Dropout {
  return new DropoutWithFreshMasks(args);
}
