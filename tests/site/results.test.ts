// The lesson cards show each metric's spread over the seeds `npm run seeds` ran (build/seeds.json).
import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../site/src/lib/course';
import { metricRows, seedsSummary } from '../../site/src/lib/results';
import { type SeedRun, spreadOf } from '../../tools/seed-spread';

const run = (seed: number, metrics: Record<string, number>): SeedRun => ({ seed, passed: true, seconds: 1, metrics });

describe('the site shows the spread', () => {
  const runs = [run(1, { accuracy: 0.95 }), run(2024, { accuracy: 0.91 })];
  const lesson = (current: boolean, accuracies = runs): Lesson =>
    ({
      number: 3,
      slug: '03-x',
      title: 'x',
      cleanPath: '',
      notebook: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 },
      meta: { lesson: 3, title: 'x', thresholds: { accuracy: { min: 0.9 } } },
      seeds: {
        lesson: 3,
        slug: '03-x',
        notebook_sha256: 'h',
        runs: accuracies,
        metrics: spreadOf({ accuracy: { min: 0.9 } }, accuracies),
        current,
        finished_at: '2026-11-30T10:00:00Z',
      },
    }) as Lesson;

  it('as a range per metric and a caption naming the seeds', () => {
    const [row] = metricRows(lesson(true));
    expect(row).toMatchObject({ name: 'accuracy', spread: '0.91 – 0.95', heldOnEverySeed: true });
    expect(seedsSummary(lesson(true))).toBe('Range over 2 runs with seeds 1, 2024 (npm run seeds, 2026-11-30).');
  });

  it('marks a threshold missed on some seed, and a spread measured on an older notebook', () => {
    expect(metricRows(lesson(true, [...runs, run(3, { accuracy: 0.85 })]))[0].heldOnEverySeed).toBe(false);
    expect(seedsSummary(lesson(false))).toContain('measured on an earlier version of this lesson');
  });

  it('shows nothing extra where npm run seeds has not run', () => {
    const plain = { ...lesson(true), seeds: undefined };
    expect(metricRows(plain)[0].spread).toBe('');
    expect(seedsSummary(plain)).toBeUndefined();
  });
});
