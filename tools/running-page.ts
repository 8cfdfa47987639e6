/**
 * The site's "Running the course" page is docs/running.md, with the site's front matter and with links
 * to the other docs (which the site does not publish) as their paths. `npx tsx tools/running-page.ts`
 * writes it; tests/running-page.test.ts fails when the committed page differs from docs/running.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './jupyter.mjs';

export const RUNNING_DOC = join(REPO_ROOT, 'docs', 'running.md');
export const RUNNING_PAGE = join(REPO_ROOT, 'site', 'src', 'content', 'docs', 'running.md');

const FRONT_MATTER = [
  '---',
  'title: Running the course',
  'description: The commands that set up, run and test the course, and build this site.',
  '---',
  '',
  '<!-- Generated from docs/running.md by tools/running-page.ts: edit that file, then run `npx tsx tools/running-page.ts`. -->',
  '',
  '',
].join('\n');

/** The page for `doc`, the text of docs/running.md. */
export function runningPage(doc: string): string {
  const body = doc.replace(/^# .*\n+/, '');
  // [text](other.md#part) → text (`docs/other.md`); in-page anchors and web links stay links.
  const linked = body.replace(/\[([^\]]+)\]\(([\w-]+\.md)(#[\w-]*)?\)/g, (_, text: string, file: string) =>
    text === file ? `\`docs/${file}\`` : `${text} (\`docs/${file}\`)`,
  );
  return FRONT_MATTER + linked;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(RUNNING_PAGE, runningPage(readFileSync(RUNNING_DOC, 'utf8')));
  console.log(`Written: ${RUNNING_PAGE}`);
}
