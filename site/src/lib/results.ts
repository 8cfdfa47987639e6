/** The recorded results of a lesson run, as the rows and words the pages show. */
import type { Lesson, Threshold } from './course';

export interface MetricRow {
  name: string;
  value: string;
  threshold: string;
  passed?: boolean;
  /** "min – max" over the seeds `npm run seeds` ran, or '' when it has not run. */
  spread: string;
  /** False when some seed missed the threshold. */
  heldOnEverySeed?: boolean;
}

export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

export function describeThreshold(t: Threshold): string {
  return [t.min !== undefined ? `≥ ${t.min}` : '', t.max !== undefined ? `≤ ${t.max}` : ''].filter(Boolean).join(' and ');
}

/** One row per declared threshold, in the order the notebook declares them, with the recorded value. */
export function metricRows(lesson: Lesson): MetricRow[] {
  const results = lesson.meta.results;
  return Object.entries(lesson.meta.thresholds).map(([name, threshold]) => {
    const check = results?.checks.find((c) => c.metric === name);
    const overSeeds = lesson.seeds?.metrics[name];
    const spread = !overSeeds ? '' : overSeeds.min === null ? 'not recorded' : `${formatNumber(overSeeds.min)} – ${formatNumber(overSeeds.max ?? undefined)}`;
    return {
      name,
      value: formatNumber(results?.metrics[name]),
      threshold: describeThreshold(threshold),
      passed: check?.passed,
      spread,
      heldOnEverySeed: overSeeds && overSeeds.held === overSeeds.runs,
    };
  });
}

/** The caption under the seeds column: which seeds, and whether the lesson has changed since. */
export function seedsSummary(lesson: Lesson): string | undefined {
  const seeds = lesson.seeds;
  if (!seeds) return undefined;
  const list = seeds.runs.map((r) => r.seed).join(', ');
  const stale = seeds.current ? '' : ' (measured on an earlier version of this lesson)';
  return `Range over ${seeds.runs.length} runs with seeds ${list} (npm run seeds, ${seeds.finished_at.slice(0, 10)})${stale}.`;
}

export function status(lesson: Lesson): { label: string; tone: 'success' | 'danger' | 'caution' } {
  const results = lesson.meta.results;
  if (!results) return { label: 'not run yet', tone: 'caution' };
  return results.passed ? { label: 'passed', tone: 'success' } : { label: 'failed', tone: 'danger' };
}

export function runSummary(lesson: Lesson): string {
  const results = lesson.meta.results;
  if (!results) return 'No recorded run yet: npm run site executes it.';
  const date = results.finished_at.slice(0, 10);
  const memory = results.peak_rss_mib === undefined ? '' : `, peak memory ${Math.round(results.peak_rss_mib)} MiB`;
  return `${results.seconds} s on the ${results.backend ?? 'unknown'} backend${memory}, ${date}`;
}
