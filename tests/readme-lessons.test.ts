import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../tools/jupyter.mjs';
import { listLessons } from '../tools/notebooks';

/** The README's lessons table: one row per lesson, keyed by its number. */
function readmeRows(): Map<number, string> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const rows = new Map<number, string>();
  for (const line of readme.split('\n')) {
    const row = /^\| (\d+) \| (.*)\|$/.exec(line);
    if (row) rows.set(Number(row[1]), row[2]);
  }
  return rows;
}

describe("the README's lessons table", () => {
  const rows = readmeRows();

  it('lists every lesson, linked to its notebook, and nothing else', () => {
    const lessons = listLessons();
    expect([...rows.keys()]).toEqual(lessons.map((l) => l.number));
    for (const lesson of lessons) expect(rows.get(lesson.number), lesson.slug).toContain(`](lessons/${lesson.slug}.ipynb)`);
  });

  // The table repeats the lesson's promises for readers; the notebook's metadata is the source.
  it("promises only thresholds the lesson's metadata holds", () => {
    for (const lesson of listLessons()) {
      const promised = [...(rows.get(lesson.number) ?? '').matchAll(/([≥≤]) ([0-9.e-]+)/g)];
      // Each promise needs a threshold of its own: two "≥ 0.94" need two metrics with that minimum.
      const unused = Object.values(lesson.meta.thresholds);
      for (const [text, sign, value] of promised) {
        const key = sign === '≥' ? 'min' : 'max';
        const match = unused.findIndex((b) => b[key] === Number(value));
        expect(match, `lesson ${lesson.number}: "${text}" is no ${key} of its thresholds (or one promised twice)`).toBeGreaterThanOrEqual(0);
        unused.splice(match, 1);
      }
    }
  });
});
