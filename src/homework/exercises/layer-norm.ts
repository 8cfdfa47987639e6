/**
 * Lesson 4, layer normalisation: how its checks call the student's `layerNorm` and judge what it
 * gave, shared by the grader's hidden checks and the student's self-check (../self-check).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, expectClose, studentCall } from '../checks';
import type { ExerciseCheck } from '../self-check';
import { expectTensor, leakedTensors } from '../tensor-checks';

type LayerNorm = (x: tf.Tensor2D, epsilon?: number) => tf.Tensor2D;

/** `layerNorm(rows, epsilon)` as one flat list; expected: the normalised rows, flat. */
export const layerNormValues: ExerciseCheck<LayerNorm, { rows: number[][]; epsilon: number }, number[]> = {
  answer: (layerNorm, { rows, epsilon }) =>
    tf.tidy(() => {
      const y = studentCall('layerNorm', () => layerNorm()(tf.tensor2d(rows), epsilon));
      expectTensor(`layerNorm(x, ${epsilon})`, y, [rows.length, rows[0].length]);
      return Array.from(y.dataSync());
    }),
  judge: ({ rows, epsilon }, expected, normalised) => {
    expectClose(`layerNorm on a ${rows.length}×${rows[0].length} input with epsilon ${epsilon}`, normalised, expected, 1e-3);
  },
};

/** How many tensors one call leaves behind; none may stay. */
export const layerNormLeaks: ExerciseCheck<LayerNorm, number[][], null> = {
  answer: (layerNorm, rows) => {
    const x = tf.tensor2d(rows);
    const leaked = leakedTensors('layerNorm', () => layerNorm()(x));
    x.dispose();
    return leaked;
  },
  judge: (_, __, leaked) => {
    expect(typeof leaked === 'number' && leaked <= 0, `layerNorm leaves ${leaked} tensor(s) behind on every call: wrap the work in tf.tidy`);
  },
};
