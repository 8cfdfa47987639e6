/**
 * A lesson notebook as the blocks of its page: markdown rendered to HTML, code cells (highlighted
 * by the page with Expressive Code) followed by their outputs, and what the page needs to know
 * about the whole: headings for the table of contents, and whether there are plots to draw.
 */
import { withBase } from './base';
import { joinText, listLessons, type Cell, type Lesson } from './course';
import { newMarkdownContext, renderMarkdown, type Heading } from './markdown';
import { renderOutputs } from './outputs';

export type Block =
  | { kind: 'markdown'; html: string }
  | { kind: 'code'; source: string; executionCount?: number; outputsHtml: string };

export interface LessonPage {
  blocks: Block[];
  headings: Heading[];
  plots: number;
}

/**
 * Links between notebooks (`02-softmax.ipynb#loss`) become links between lesson pages, and links from
 * a notebook to a page of this site (`../site/src/content/docs/under-the-hood.md#adam`, the path that
 * opens the page's source in Jupyter) become links to the page.
 */
export function lessonLink(url: string): string {
  const page = /^\.\.\/site\/src\/content\/docs\/([\w-]+)\.mdx?(#.*)?$/.exec(url);
  if (page) return withBase(`/${page[1]}/${page[2] ?? ''}`);
  const match = /^(?:\.\/)?(\d\d-[^/#?]+)\.ipynb(#.*)?$/.exec(url);
  if (!match || !listLessons().some((l) => l.slug === match[1])) return url;
  return withBase(`/lessons/${match[1]}/${match[2] ?? ''}`);
}

/** `![](attachment:plot.png)` refers to an image stored in the cell itself. */
function attachmentUrl(cell: Cell, url: string): string {
  const name = /^attachment:(.+)$/.exec(url)?.[1];
  const bundle = name ? cell.attachments?.[decodeURIComponent(name)] : undefined;
  if (!bundle) return url;
  const [mime, data] = Object.entries(bundle)[0];
  return `data:${mime};base64,${String(data).replace(/\s/g, '')}`;
}

function isCheckCell(cell: Cell): boolean {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) && tags.includes('check');
}

export function renderLesson(lesson: Lesson): LessonPage {
  let currentCell: Cell | undefined;
  const markdown = newMarkdownContext((url) => lessonLink(currentCell ? attachmentUrl(currentCell, url) : url));
  const context = { markdown, thresholds: lesson.meta.thresholds };
  let plots = 0;
  const blocks: Block[] = [];
  for (const cell of lesson.notebook.cells) {
    // A graded exercise's checks are for the teacher's grader (npm run homework), not for readers.
    if (isCheckCell(cell)) continue;
    currentCell = cell;
    const source = joinText(cell.source);
    if (cell.cell_type === 'markdown') {
      blocks.push({ kind: 'markdown', html: renderMarkdown(source, markdown) });
    } else if (cell.cell_type === 'code') {
      const outputs = renderOutputs(cell.outputs ?? [], context);
      plots += outputs.plots;
      blocks.push({ kind: 'code', source, executionCount: cell.execution_count ?? undefined, outputsHtml: outputs.html });
    }
  }
  return { blocks, headings: markdown.headings, plots };
}
