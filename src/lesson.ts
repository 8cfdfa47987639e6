/**
 * What every lesson does first and last: choose a backend and seed the
 * randomness at the top; record its results at the bottom. Results travel as
 * a MIME bundle in the cell's output, so the executed notebook itself is the
 * record that the lesson runner checks against the thresholds declared in
 * the notebook's metadata and that the site shows.
 */
import { BackendInfo, describeBackend, selectBackend } from './backend';
import { displayBundle } from './notebook/display';
import { createRng, Rng } from './random';
import { formatNumber } from './training/progress';

export const METRIC_MIME = 'application/vnd.course.metric+json';
export const LESSON_INFO_MIME = 'application/vnd.course.lesson+json';

export interface Lesson {
  backend: BackendInfo;
  seed: number;
  rng: Rng;
}

/** Selects the backend, seeds the lesson's randomness, and says both. */
export async function setupLesson(options: { seed: number }): Promise<Lesson> {
  const backend = await selectBackend();
  const info = { backend: backend.choice, seed: options.seed };
  displayBundle({ 'text/plain': `${describeBackend(backend)}\nSeed: ${options.seed}`, [LESSON_INFO_MIME]: info });
  return { backend, seed: options.seed, rng: createRng(options.seed) };
}

/**
 * Records one result of the lesson (an accuracy, a final loss). The lesson
 * runner compares it with the threshold of the same name in the notebook's
 * metadata; a non-finite value (a diverged loss) always fails.
 */
export function recordMetric(name: string, value: number): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`Metric names are snake_case identifiers; got "${name}".`);
  // JSON has no NaN or Infinity: a diverged value travels as a string and fails its check.
  const metric = { name, value: Number.isFinite(value) ? value : String(value) };
  displayBundle({ 'text/plain': `[metric] ${name} = ${formatNumber(value)}`, [METRIC_MIME]: metric });
}
