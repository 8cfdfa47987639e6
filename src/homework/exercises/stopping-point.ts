/**
 * Lesson 6, early stopping: how its checks call the student's `stoppingPoint` and judge what it
 * gave, shared by the grader's hidden checks and the student's self-check (../self-check).
 */
import { expect, studentCall } from '../checks';
import type { ExerciseCheck } from '../self-check';

type Point = { best: number; stop: number };
type StoppingPoint = (valAccuracies: number[], patience: number) => Point;

/** `stoppingPoint` on each curve and patience; expected: the rule's `{ best, stop }` for each. */
export const stoppingPoints: ExerciseCheck<StoppingPoint, Array<[number[], number]>, Point[]> = {
  answer: (stoppingPoint, curves) => curves.map(([accuracies, patience]) => studentCall('stoppingPoint', () => stoppingPoint()(accuracies, patience))),
  judge: (curves, expected, answers) => {
    curves.forEach(([accuracies, patience], i) => {
      const [got, want] = [(answers as Array<Partial<Point> | undefined>)[i], expected[i]];
      expect(got?.best === want.best && got?.stop === want.stop,
        `stoppingPoint([${accuracies}], ${patience}): expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    });
  },
};
