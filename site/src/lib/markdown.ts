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
 * Jupyter shows `$$…$$` as display math wherever it stands, where remark-math sees display math only
 * between lines that are `$$` alone. So a line that is only `$$…$$`, or a block that opens with `$$…`
 * at the start of a line and closes with `…$$` at the end of a later one, becomes a math block, as the
 * author meant (code fences aside).
 */
export function displayMathBlocks(markdown: string): string {
  let fenced = false;
  let inMath = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (!inMath && /^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return line;
      if (inMath) {
        const end = /^(.*)\$\$\s*$/.exec(line);
        if (!end) return line;
        inMath = false;
        return end[1].trim() ? `${end[1]}\n$$` : '$$';
      }
      const oneLine = /^(\s*)\$\$(.+)\$\$\s*$/.exec(line);
      if (oneLine) return `${oneLine[1]}$$\n${oneLine[1]}${oneLine[2].trim()}\n${oneLine[1]}$$`;
      const opens = /^(\s*)\$\$(.*)$/.exec(line);
      if (opens && !opens[2].includes('$$')) {
        inMath = true;
        return opens[2].trim() ? `${opens[1]}$$\n${opens[1]}${opens[2].trim()}` : line;
      }
      return line;
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
