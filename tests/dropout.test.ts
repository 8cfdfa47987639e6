// The course's dropout layer (src/models/dropout.ts): tf.layers.dropout's behaviour, with a new mask at every
// training step that the seed still reproduces.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend';
import { fileSystemHandler } from '../src/checkpoints/file-io-handler';
import { dropout } from '../src/models/dropout';

beforeAll(async () => {
  await selectBackend();
});

const ones = tf.ones([4, 50]);
afterAll(() => ones.dispose());

/** The layer's output for `ones`, as a flat array. */
function output(layer: tf.layers.Layer, training: boolean): number[] {
  return tf.tidy(() => Array.from((layer.apply(ones, { training }) as tf.Tensor).dataSync()));
}

describe('dropout', () => {
  it('draws a new mask at every training call; tf.layers.dropout with a seed repeats its mask', () => {
    const ours = dropout({ rate: 0.5, seed: 3 });
    expect(output(ours, true)).not.toEqual(output(ours, true));
    const theirs = tf.layers.dropout({ rate: 0.5, seed: 3 });
    expect(output(theirs, true)).toEqual(output(theirs, true));
  });

  it('replays the same sequence of masks for the same seed, and another for another seed', () => {
    const [a, b, c] = [dropout({ rate: 0.3, seed: 7 }), dropout({ rate: 0.3, seed: 7 }), dropout({ rate: 0.3, seed: 8 })];
    const first = [output(a, true), output(a, true)];
    expect([output(b, true), output(b, true)]).toEqual(first);
    expect(output(c, true)).not.toEqual(first[0]);
  });

  it('zeroes about `rate` of its inputs and scales the rest by 1/(1 − rate), so the mean is kept', () => {
    const values = output(dropout({ rate: 0.25, seed: 1 }), true);
    const dropped = values.filter((v) => v === 0).length / values.length;
    expect(dropped).toBeGreaterThan(0.15);
    expect(dropped).toBeLessThan(0.35);
    values.filter((v) => v !== 0).forEach((v) => expect(v).toBeCloseTo(1 / 0.75, 5));
  });

  it('passes its input through outside training, as tf.layers.dropout does', () => {
    expect(output(dropout({ rate: 0.5, seed: 2 }), false)).toEqual(new Array(200).fill(1));
  });

  it('is saved as an ordinary Dropout layer and loads as one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dropout-'));
    try {
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] }), dropout({ rate: 0.4, seed: 9 })] });
      await model.save(fileSystemHandler(dir));
      const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
      expect(loaded.layers[1].getClassName()).toBe('Dropout');
      expect(loaded.layers[1].getConfig()).toMatchObject({ rate: 0.4, seed: 9 });
      model.dispose();
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
