// Lesson 7's second dataset may be missing on a student's machine, never in CI (src/data/mnist.ts, optionalDataset).
import { describe, expect, it } from 'vitest';
import { optionalDataset } from '../src/data/mnist';

describe('optionalDataset', () => {
  const missing = () => false;

  it('loads a dataset that is installed', () => {
    expect(optionalDataset('mnist', {})?.train.count).toBe(60000);
  });

  it('is undefined for a missing dataset, so that a lesson can skip the part that needs it', () => {
    expect(optionalDataset('fashion-mnist', {}, missing)).toBeUndefined();
    expect(optionalDataset('fashion-mnist', { COURSE_REQUIRE_ALL: '0' }, missing)).toBeUndefined();
  });

  it('fails, naming the package, under COURSE_REQUIRE_ALL=1 (CI)', () => {
    expect(() => optionalDataset('fashion-mnist', { COURSE_REQUIRE_ALL: '1' }, missing))
      .toThrow(/fashion-mnist dataset is not installed, and COURSE_REQUIRE_ALL=1 requires every optional part[\s\S]*apt-get install dataset-fashion-mnist/);
  });
});
