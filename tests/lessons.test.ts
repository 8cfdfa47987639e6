// Every lesson, executed end to end through the real tslab kernel, reaches the thresholds declared in
// its own notebook metadata. A lesson that fails names the cell, or each metric with its value and threshold.
import { describe, expect, it } from 'vitest';
import { describeThreshold, lessonsLongestFirst } from '../tools/notebooks';
import { peakMemoryText } from '../tools/report';
import { runLesson } from '../tools/run-lesson';
import { installHint, SYSTEM_PARTS } from '../tools/system-parts.mjs';
import { optionalPart } from './helpers/optional-part';

const MINUTES = 60_000;

/** Lesson 7 trains on Fashion-MNIST too where Debian's dataset is installed, and records its accuracy. */
const FASHION_MNIST = optionalPart('Fashion-MNIST', SYSTEM_PARTS.fashionMnist.present(), installHint(SYSTEM_PARTS.fashionMnist), {
  skips: "lesson 7's Fashion-MNIST part",
});

describe.concurrent('lessons', () => {
  for (const lesson of lessonsLongestFirst()) {
    it(`lesson ${lesson.number} (${lesson.slug}) runs and reaches its thresholds`, async () => {
      const { results, executedPath } = await runLesson(lesson);
      const summary = `lesson ${lesson.number}: ${results.seconds} s on ${results.backend}${peakMemoryText(results)}; executed notebook: ${executedPath}`;
      console.log(summary, results.metrics);
      expect(results.failure, summary).toBeUndefined();
      const misses = results.checks
        .filter((c) => !c.passed)
        .map((c) => `${c.metric} ${c.problem} (threshold ${describeThreshold(c.threshold)})`);
      expect(misses, summary).toEqual([]);
      expect(Object.keys(lesson.meta.thresholds).length, 'a lesson must declare what it guards').toBeGreaterThan(0);
      if (lesson.number === 7 && FASHION_MNIST) expect(results.metrics, 'lesson 7 ran its Fashion-MNIST part').toHaveProperty('fashion_test_accuracy');
    }, 30 * MINUTES);
  }
});
