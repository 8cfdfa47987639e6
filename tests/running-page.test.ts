// One list of commands: the site's "Running the course" page is generated from docs/running.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNNING_DOC, RUNNING_PAGE, runningPage } from '../tools/running-page';

describe("the site's Running the course page", () => {
  it('is docs/running.md as generated (npx tsx tools/running-page.ts rewrites it)', () => {
    expect(readFileSync(RUNNING_PAGE, 'utf8')).toBe(runningPage(readFileSync(RUNNING_DOC, 'utf8')));
  });

  it('takes its title from the front matter and turns links to other docs into their paths', () => {
    const page = runningPage('# Running the course\n\nSee [the guide](teachers.md#grading), [maintainers.md](maintainers.md), [below](#stopping) and [tslab](https://github.com/yunabe/tslab).\n');
    expect(page).toMatch(/^---\ntitle: Running the course\n/);
    expect(page).not.toContain('# Running the course');
    expect(page).toContain('See the guide (`docs/teachers.md`), `docs/maintainers.md`, [below](#stopping) and [tslab](https://github.com/yunabe/tslab).');
  });
});
