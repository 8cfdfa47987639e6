// `npm run seeds` summarises each metric over seeds (the site's lesson cards: tests/site/results.test.ts).
import { describe, expect, it } from 'vitest';
import { type SeedRun, spreadOf } from '../tools/seed-spread';

const run = (seed: number, metrics: Record<string, number>): SeedRun => ({ seed, passed: true, seconds: 1, metrics });

describe('spread over seeds', () => {
  const thresholds = { accuracy: { min: 0.9 }, loss: { max: 0.1 } };

  it('gives min, mean and max, and on how many seeds each threshold held', () => {
    const spread = spreadOf(thresholds, [run(1, { accuracy: 0.95, loss: 0.05 }), run(2, { accuracy: 0.89, loss: 0.07 }), run(3, { accuracy: 0.92, loss: 0.2 })]);
    expect(spread.accuracy).toMatchObject({ min: 0.89, max: 0.95, held: 2, runs: 3 });
    expect(spread.accuracy.mean).toBeCloseTo(0.92, 10);
    expect(spread.loss).toMatchObject({ min: 0.05, max: 0.2, held: 2, runs: 3 });
  });

  it('counts a missing or diverged metric as not held', () => {
    const spread = spreadOf(thresholds, [run(1, { accuracy: 0.95, loss: Number.NaN }), run(2, { loss: 0.01 })]);
    expect(spread.accuracy).toMatchObject({ min: 0.95, max: 0.95, held: 1, runs: 2 });
    expect(spread.loss).toMatchObject({ min: 0.01, held: 1, runs: 2 });
    expect(spreadOf(thresholds, [run(1, {})]).accuracy).toMatchObject({ min: null, mean: null, max: null, held: 0 });
  });
});
