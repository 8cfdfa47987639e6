/**
 * Lesson 3, binary cross-entropy: how its checks call the student's `binaryCrossEntropy` and judge
 * what it gave, shared by the grader's hidden checks and the student's self-check (../self-check).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, expectClose, studentCall } from '../checks';
import type { ExerciseCheck } from '../self-check';
import { expectTensor } from '../tensor-checks';

type BinaryCrossEntropy = (outputs: tf.Tensor, targets: tf.Tensor) => tf.Scalar;
type Case = { soft: boolean; outputs: number[][]; targets: number[][] };

function lossOn(binaryCrossEntropy: () => BinaryCrossEntropy, outputs: number[][], targets: number[][]): number {
  return tf.tidy(() => {
    const loss = studentCall('binaryCrossEntropy', () => binaryCrossEntropy()(tf.tensor2d(outputs), tf.tensor2d(targets)));
    expectTensor('binaryCrossEntropy(outputs, targets)', loss, []);
    return loss.dataSync()[0];
  });
}

/** The loss on each case; expected: the mean cross-entropy of each. */
export const binaryCrossEntropyValues: ExerciseCheck<BinaryCrossEntropy, Case[], number[]> = {
  answer: (binaryCrossEntropy, cases) => cases.map(({ outputs, targets }) => lossOn(binaryCrossEntropy, outputs, targets)),
  judge: (cases, expected, losses) => {
    cases.forEach(({ soft, outputs }, i) => {
      expectClose(`binaryCrossEntropy on ${outputs.flat().length} ${soft ? 'soft' : '0/1'} targets`, (losses as unknown[])[i], expected[i]);
    });
  },
};

/** The loss on outputs of exactly 0 and 1; it must be large but finite. */
export const binaryCrossEntropySaturated: ExerciseCheck<BinaryCrossEntropy, { outputs: number[][]; targets: number[][] }, null> = {
  answer: (binaryCrossEntropy, { outputs, targets }) => lossOn(binaryCrossEntropy, outputs, targets),
  judge: (_, __, value) => {
    // JSON carries an infinite or NaN loss as null.
    expect(typeof value === 'number' && value > 5, `binaryCrossEntropy with outputs exactly 0 and 1 should be large but finite, got ${value ?? 'Infinity or NaN'}: clip the outputs first`);
  },
};
