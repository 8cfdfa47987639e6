/**
 * What every lesson does first and last: choose a backend and seed the
 * randomness at the top; record its results at the bottom. Results travel as
 * a MIME bundle in the cell's output, so the executed notebook itself is the
 * record that the lesson runner checks against the thresholds declared in
 * the notebook's metadata and that the site shows.
 */
import { BackendInfo, describeBackend, selectBackend } from './backend';
import { CourseError } from './errors';
import { displayBundle } from './notebook/display';
import { LESSON_INFO_MIME, METRIC_MIME } from './notebook/mime-types';
import { createRng, Rng } from './random';
import { formatNumber } from './training/progress';

export interface Lesson {
  backend: BackendInfo;
  seed: number;
  rng: Rng;
}

/**
 * Selects the backend, seeds the lesson's randomness, and says both. COURSE_SEED, when set, replaces
 * the lesson's own seed (`npm run lesson -- N --seed n`), to check that its results hold on others.
 */
export async function setupLesson(options: { seed: number }): Promise<Lesson> {
  const seed = seedOverride() ?? options.seed;
  const backend = await selectBackend();
  const info = { backend: backend.choice, seed };
  const seedText = seed === options.seed ? `Seed: ${seed}` : `Seed: ${seed} (from COURSE_SEED; the lesson's own is ${options.seed})`;
  displayBundle({ 'text/plain': `${describeBackend(backend)}\n${seedText}`, [LESSON_INFO_MIME]: info });
  return { backend, seed, rng: createRng(seed) };
}

/** COURSE_SEED as a seed, or undefined when it is not set. */
export function seedOverride(env: Record<string, string | undefined> = process.env): number | undefined {
  const text = env.COURSE_SEED?.trim();
  if (!text) return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw new CourseError(`COURSE_SEED must be a whole number from 0 to 999999999, not "${text}".`, 'set it to a number, e.g. COURSE_SEED=7, or unset it to use the lesson\'s own seed.');
  }
  return Number(text);
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
