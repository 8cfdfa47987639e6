/**
 * What `npm run seeds` records in build/seeds.json: every lesson run on several seeds, and for each
 * metric its smallest, mean and largest value beside its threshold. The site's lesson cards show the
 * spread; a threshold moves only with this spread as the reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import type { Threshold } from './lesson-results';

export const SEEDS_REPORT = join(REPO_ROOT, 'build', 'seeds.json');

export interface SeedRun {
  /** null only if the lesson did not say which seed it used. */
  seed: number | null;
  passed: boolean;
  seconds: number;
  metrics: Record<string, number>;
  /** Why the run failed, when it did. */
  failure?: string;
}

export interface MetricSpread {
  threshold: Threshold;
  /** null when no seed recorded a finite value. */
  min: number | null;
  mean: number | null;
  max: number | null;
  /** Seeds on which the metric was recorded, finite, and within its threshold. */
  held: number;
  /** Seeds run. */
  runs: number;
}

export interface LessonSpread {
  lesson: number;
  slug: string;
  /** sha256 of the lesson's notebook file: a spread measured on another version of the lesson is stale. */
  notebook_sha256: string;
  runs: SeedRun[];
  metrics: Record<string, MetricSpread>;
}

export interface SeedsReport {
  finished_at: string;
  commit?: string;
  backend?: string;
  lessons: Record<string, LessonSpread>;
}

export function notebookHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Each threshold's metric over the runs; a missing or non-finite value counts as not held. */
export function spreadOf(thresholds: Record<string, Threshold>, runs: SeedRun[]): Record<string, MetricSpread> {
  const spread: Record<string, MetricSpread> = {};
  for (const [name, threshold] of Object.entries(thresholds)) {
    const values = runs.map((run) => run.metrics[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const within = (v: number) => (threshold.min === undefined || v >= threshold.min) && (threshold.max === undefined || v <= threshold.max);
    spread[name] = {
      threshold,
      min: values.length ? Math.min(...values) : null,
      mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
      max: values.length ? Math.max(...values) : null,
      held: values.filter(within).length,
      runs: runs.length,
    };
  }
  return spread;
}
