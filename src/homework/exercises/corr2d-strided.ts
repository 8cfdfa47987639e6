/**
 * Lesson 7, cross-correlation with stride and padding: how its check calls the student's
 * `corr2dStrided` and judges what it gave, shared by the grader's hidden check and the student's
 * self-check (../self-check).
 */
import { expect, expectClose, studentCall } from '../checks';
import type { ExerciseCheck } from '../self-check';

type Corr2dStrided = (image: number[][], kernel: number[][], stride?: number, padding?: number) => number[][];
type Case = { image: number[][]; kernel: number[][]; stride: number; padding: number };

/** The result on each case; expected: what `tf.conv2d` gives on each. */
export const corr2dStridedCheck: ExerciseCheck<Corr2dStrided, Case[], number[][][]> = {
  answer: (corr2d, cases) => cases.map(({ image, kernel, stride, padding }) => studentCall('corr2dStrided', () => corr2d()(image, kernel, stride, padding))),
  judge: (cases, expected, results) => {
    cases.forEach(({ image, kernel, stride, padding }, i) => {
      const [want, got] = [expected[i], (results as unknown[])[i]];
      const setting = `a ${image.length}×${image[0].length} image, a ${kernel.length}×${kernel[0].length} kernel, stride ${stride}, padding ${padding}`;
      expect(Array.isArray(got) && got.length === want.length && got.every((row) => Array.isArray(row) && row.length === want[0].length),
        `corr2dStrided with ${setting}: expected ${want.length}×${want[0].length} values, got ${Array.isArray(got) ? `${got.length} rows` : typeof got}`);
      expectClose(`corr2dStrided with ${setting}`, (got as number[][]).flat(), want.flat());
    });
  },
};
