/**
 * Lesson 8, drawing random-search settings: how its checks call the student's `sampleSetting` and
 * judge what it gave, shared by the grader's hidden checks and the student's self-check (../self-check).
 * Both checks test properties of the draws, so they need no expected answers.
 */
import { expect, studentCall } from '../checks';
import { createRng } from '../../random';
import type { ExerciseCheck } from '../self-check';

type Setting = { learningRate: number; batchSize: number };
type SampleSetting = (rng: { next(): number }) => Setting;
type Draws = { seed: string; draws: number };
const BATCH_SIZES = [32, 64, 128, 256, 512];

/** `draws` settings from each of two generators with the same seed: valid, and the same. */
export const sampleSettingValid: ExerciseCheck<SampleSetting, Draws, null> = {
  answer: (sampleSetting, { seed, draws }) => {
    const [a, b] = [createRng(seed), createRng(seed)];
    const [first, second]: Setting[][] = [[], []];
    for (let i = 0; i < draws; i++) {
      first.push(studentCall('sampleSetting', () => sampleSetting()(a)));
      second.push(studentCall('sampleSetting', () => sampleSetting()(b)));
    }
    return { first, second };
  },
  judge: ({ draws }, _, answer) => {
    const { first, second } = answer as { first: unknown; second: unknown };
    expect(Array.isArray(first) && first.length === draws && Array.isArray(second) && second.length === draws, `expected ${draws} settings from each generator`);
    first.forEach((s: Partial<Setting> | undefined, i) => {
      const t = second[i] as Partial<Setting> | undefined;
      expect(typeof s?.learningRate === 'number' && s.learningRate >= 0.01 && s.learningRate <= 1, `sampleSetting drew the learning rate ${s?.learningRate}, outside [0.01, 1]`);
      expect(BATCH_SIZES.includes(s.batchSize as number), `sampleSetting drew the batch size ${s.batchSize}, not one of ${BATCH_SIZES.join(', ')}`);
      expect(s.learningRate === t?.learningRate && s.batchSize === t?.batchSize, 'sampleSetting drew different settings from two generators with the same seed: use only rng.next()');
    });
  },
};

/** `draws` settings from one seeded generator: log-uniform learning rates, uniform batch sizes. */
export const sampleSettingDistribution: ExerciseCheck<SampleSetting, Draws, null> = {
  answer: (sampleSetting, { seed, draws }) => {
    const rng = createRng(seed);
    return Array.from({ length: draws }, () => studentCall('sampleSetting', () => sampleSetting()(rng)));
  },
  judge: ({ draws }, _, answer) => {
    const settings = answer as Array<Partial<Setting> | undefined>;
    expect(Array.isArray(settings) && settings.length === draws, `expected ${draws} settings`);
    // Log-uniform on [-2, 0]: each of the four ranges [0.01, 0.0316), ..., [0.316, 1] holds a quarter of the draws.
    for (let q = 0; q < 4; q++) {
      const share = settings.filter((d) => Math.log10(d?.learningRate as number) >= -2 + q / 2 && Math.log10(d?.learningRate as number) < -1.5 + q / 2).length / draws;
      expect(Math.abs(share - 0.25) < 0.04, `${(100 * share).toFixed(1)}% of the learning rates have log10 in [${-2 + q / 2}, ${-1.5 + q / 2}); a log-uniform draw puts 25% there`);
    }
    for (const size of BATCH_SIZES) {
      const share = settings.filter((d) => d?.batchSize === size).length / draws;
      expect(Math.abs(share - 0.2) < 0.04, `${(100 * share).toFixed(1)}% of the batch sizes are ${size}; a uniform draw gives 20%`);
    }
  },
};
