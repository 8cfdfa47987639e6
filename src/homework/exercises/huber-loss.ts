/**
 * Lesson 1, the Huber loss: how its checks call the student's `huberLoss` and judge what it gave,
 * shared by the grader's hidden checks and the student's self-check (../self-check).
 */
import * as tf from '@tensorflow/tfjs';
import { expect, expectClose, round, studentCall } from '../checks';
import type { ExerciseCheck } from '../self-check';
import { expectTensor, leakedTensors } from '../tensor-checks';

type HuberLoss = (residuals: tf.Tensor, delta?: number) => tf.Scalar;

/** The loss on each case; expected: the mean Huber loss of each. */
export const huberLossValues: ExerciseCheck<HuberLoss, Array<{ delta: number; residuals: number[] }>, number[]> = {
  answer: (huberLoss, cases) =>
    cases.map(({ delta, residuals }) =>
      tf.tidy(() => {
        // A 2-D input: the mean is over every element, not per row.
        const shape: [number, number] = residuals.length % 10 === 0 ? [residuals.length / 10, 10] : [1, residuals.length];
        const loss = studentCall('huberLoss', () => huberLoss()(tf.tensor2d(residuals, shape), delta));
        expectTensor(`huberLoss(residuals, ${delta})`, loss, []);
        return loss.dataSync()[0];
      }),
    ),
  judge: (cases, expected, losses) => {
    cases.forEach(({ delta, residuals }, i) => {
      expectClose(`huberLoss(residuals, ${delta}) on ${residuals.length} residuals`, (losses as unknown[])[i], expected[i]);
    });
  },
};

/** Tensors left behind and the gradient (delta 1) at the residuals; expected: that gradient. */
export const huberLossGradient: ExerciseCheck<HuberLoss, number[], number[]> = {
  answer: (huberLoss, residuals) => {
    const r = tf.tensor1d(residuals);
    const leaked = leakedTensors('huberLoss', () => huberLoss()(r));
    const gradient = tf.tidy(() => Array.from(studentCall('tf.grad of huberLoss', () => tf.grad((x: tf.Tensor) => huberLoss()(x))(r)).dataSync()));
    r.dispose();
    return { leaked, gradient };
  },
  judge: (residuals, expected, answer) => {
    const { leaked, gradient } = answer as { leaked: unknown; gradient: unknown };
    expect(typeof leaked === 'number' && leaked <= 0, `huberLoss leaves ${leaked} tensor(s) behind on every call: wrap the work in tf.tidy`);
    expectClose(`the gradient of huberLoss at [${residuals.map(round).join(', ')}]`, gradient, expected);
  },
};
