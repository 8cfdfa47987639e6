/**
 * Notebook markdown to HTML: GitHub-flavoured markdown, $…$ / $$…$$ math rendered by KaTeX at build
 * time (the page ships only KaTeX's CSS and fonts), heading ids unique across the whole notebook, and
 * the headings collected for Starlight's table of contents.
 */
import GithubSlugger from 'github-slugger';
import type { Element, Root } from 'hast';
import { toString } from 'hast-util-to-string';
import rehypeKatex from 'rehype-katex';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';

export interface Heading {
  depth: number;
  slug: string;
  text: string;
}

export interface MarkdownContext {
  slugger: GithubSlugger;
  headings: Heading[];
  /** Rewrites a link or image address (notebook links to lesson pages, attachments to data URLs). */
  rewriteUrl?: (url: string) => string;
  /** Drops a leading `# Title`: the page already shows the lesson's title. */
  dropFirstH1?: boolean;
}

export function newMarkdownContext(rewriteUrl?: MarkdownContext['rewriteUrl']): MarkdownContext {
  return { slugger: new GithubSlugger(), headings: [], rewriteUrl, dropFirstH1: true };
}

/** The rehype step that needs the notebook-wide context. */
function notebookHeadings(context: MarkdownContext) {
  return () => (tree: Root) => {
    if (context.dropFirstH1) {
      context.dropFirstH1 = false;
      const first = tree.children.find((node) => node.type === 'element');
      if (first?.type === 'element' && first.tagName === 'h1') tree.children.splice(tree.children.indexOf(first), 1);
    }
    visit(tree, 'element', (node: Element) => {
      const depth = /^h([1-6])$/.exec(node.tagName)?.[1];
      if (depth) {
        const text = toString(node);
        const slug = context.slugger.slug(text);
        node.properties.id = slug;
        context.headings.push({ depth: Number(depth), slug, text });
      }
      if (context.rewriteUrl) {
        for (const attribute of ['href', 'src'] as const) {
          const value = node.properties[attribute];
          if (typeof value === 'string') node.properties[attribute] = context.rewriteUrl(value);
        }
      }
    });
  };
}

/**
 * Jupyter shows `$$…$$` as display math even on one line inside a paragraph, where remark-math sees
 * inline math; a line that is only `$$…$$` becomes a math block, as the author meant (code fences aside).
 */
export function displayMathBlocks(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      const math = fenced ? null : /^(\s*)\$\$(.+)\$\$\s*$/.exec(line);
      return math ? `${math[1]}$$\n${math[1]}${math[2].trim()}\n${math[1]}$$` : line;
    })
    .join('\n');
}

export function renderMarkdown(markdown: string, context: MarkdownContext): string {
  return String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkMath)
      .use(remarkRehype, { allowDangerousHtml: true })
      .use(rehypeKatex, { strict: 'ignore' })
      .use(notebookHeadings(context))
      .use(rehypeStringify, { allowDangerousHtml: true })
      .processSync(displayMathBlocks(markdown)),
  );
}
