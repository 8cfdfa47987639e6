// How the site renders each kind of notebook output (in Node; the browser tests cover real lessons).
import { describe, expect, it } from 'vitest';
import type { Output } from '../../site/src/lib/course';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newMarkdownContext, renderMarkdown } from '../../site/src/lib/markdown';
import { lessonLink } from '../../site/src/lib/notebook';
import { listLessons, readNotebook } from '../../tools/notebooks';
import { renderOutputs } from '../../site/src/lib/outputs';
import { ansiToHtml, finalState } from '../../site/src/lib/terminal';

const render = (outputs: Output[]) => renderOutputs(outputs, { markdown: newMarkdownContext(), thresholds: { accuracy: { min: 0.9 } } });
const display = (data: Record<string, unknown>): Output => ({ output_type: 'display_data', data, metadata: {} });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('terminal text', () => {
  it('keeps only the final state of lines redrawn with \\r, \\b and erase-line', () => {
    expect(finalState('epoch 1 [#---] 25%\repoch 1 [####] 100%\ndone\n')).toBe('epoch 1 [####] 100%\ndone\n');
    expect(finalState('abc\b\bX')).toBe('aXc');
    expect(finalState('long line\r\x1b[Kshort')).toBe('short');
    expect(finalState('a\r\nb')).toBe('a\nb');
  });

  it('turns ANSI colours into classes and drops other escapes', () => {
    expect(ansiToHtml('\x1b[31mError\x1b[0m: <x>')).toBe('<span class="ansi-fg-red">Error</span>: &lt;x&gt;');
    expect(ansiToHtml('\x1b[1;32mok\x1b[39m\x1b[22m\x1b[?25l')).toBe('<span class="ansi-bold ansi-fg-green">ok</span>');
  });
});

describe('notebook outputs', () => {
  it('joins stream writes and shows them in their final state, stderr apart', () => {
    const { html } = render([
      { output_type: 'stream', name: 'stdout', text: 'step 1/2\r' },
      { output_type: 'stream', name: 'stdout', text: ['step 2/2\n', 'done\n'] },
      { output_type: 'stream', name: 'stderr', text: 'warning\n' },
    ]);
    expect(html).toContain('<pre class="nb-stream nb-stdout">step 2/2\ndone\n</pre>');
    expect(html).toContain('<pre class="nb-stream nb-stderr">warning\n</pre>');
  });

  it('draws plotly figures in the browser, never with the notebook\'s script fallback', () => {
    const figure = { data: [{ type: 'scatter', x: [1], y: ['</script>'] }], layout: { title: 'Loss' } };
    const { html, plots } = render([display({ 'application/vnd.plotly.v1+json': figure, 'text/html': '<script>Plotly.newPlot()</script>', 'text/plain': '[plot: Loss]' })]);
    expect(plots).toBe(1);
    expect(html).toContain('class="plotly-figure"');
    expect(html).not.toContain('Plotly.newPlot');
    expect(html).not.toContain('"</script>"'); // escaped inside the JSON carrier
    expect(html).toContain('\\u003c/script>');
  });

  it('shows HTML (tables, progress bars) without its scripts', () => {
    const { html } = render([display({ 'text/html': '<table><tr><td>1</td></tr></table><script>alert(1)</script>', 'text/plain': 'table' })]);
    expect(html).toBe('<div class="nb-html"><table><tr><td>1</td></tr></table></div>');
  });

  it('shows images, markdown, LaTeX, JSON and plain text', () => {
    const { html } = render([
      display({ 'image/png': PNG, 'text/plain': '<Figure>' }),
      display({ 'image/svg+xml': '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
      display({ 'text/markdown': '**bold** and $x^2$' }),
      display({ 'text/latex': '$$\\frac{a}{b}$$' }),
      display({ 'application/json': { a: 1 } }),
      { output_type: 'execute_result', data: { 'text/plain': 'Tensor [1, 2]' }, metadata: {} },
    ]);
    expect(html).toContain(`<img alt="figure" src="data:image/png;base64,${PNG}">`);
    expect(html).toContain('src="data:image/svg+xml;base64,');
    expect(html).toMatch(/<strong>bold<\/strong> and <span class="katex">/);
    expect(html).toMatch(/<div class="nb-latex"><span class="katex-display">/);
    expect(html).toContain('&quot;a&quot;: 1');
    expect(html).toContain('<pre class="nb-text">Tensor [1, 2]</pre>');
  });

  it('shows recorded metrics beside their thresholds, and errors with their traceback', () => {
    const metric = (value: number) => display({ 'application/vnd.course.metric+json': { name: 'accuracy', value }, 'text/plain': '' });
    expect(render([metric(0.95)]).html).toContain('✓ threshold ≥ 0.9');
    expect(render([metric(0.5)]).html).toContain('nb-metric failed');
    const { html } = render([{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: ['\x1b[31mTypeError\x1b[0m: x is undefined'] }]);
    expect(html).toBe('<pre class="nb-error"><span class="ansi-fg-red">TypeError</span>: x is undefined</pre>');
  });
});

describe('notebook markdown', () => {
  it('renders math with KaTeX, gives headings unique ids for the table of contents, and drops the title', () => {
    const context = newMarkdownContext((url) => url.replace(/^02-x\.ipynb$/, '/lessons/02-x/'));
    const first = renderMarkdown('# Lesson 1\n\n## Data\n\n$$y = Xw + b$$\n\n[next](02-x.ipynb)', context);
    const second = renderMarkdown('## Data', context);
    expect(first).not.toContain('Lesson 1');
    expect(first).toContain('<h2 id="data">Data</h2>');
    expect(first).toContain('class="katex-display"');
    expect(first).toContain('href="/lessons/02-x/"');
    expect(second).toContain('<h2 id="data-1">Data</h2>');
    expect(context.headings).toEqual([{ depth: 2, slug: 'data', text: 'Data' }, { depth: 2, slug: 'data-1', text: 'Data' }]);
  });
});

describe('links in the lessons', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  process.env.COURSE_ROOT ??= root; // the site's lesson list, read when a link names a notebook

  it("go to lesson pages and to the site's own pages; anything else is left alone", () => {
    expect(lessonLink('../site/src/content/docs/under-the-hood.md')).toBe('/under-the-hood/');
    expect(lessonLink('../site/src/content/docs/under-the-hood.md#adam')).toBe('/under-the-hood/#adam');
    expect(lessonLink('01-linear-regression.ipynb#training')).toBe('/lessons/01-linear-regression/#training');
    expect(lessonLink('../docs/performance.md')).toBe('../docs/performance.md');
    expect(lessonLink('https://example.org/page.md')).toBe('https://example.org/page.md');
  });

  it("point at pages that exist (a lesson opens the page's source in Jupyter, the site its page)", () => {
    const links = listLessons().flatMap((lesson) =>
      readNotebook(lesson.path).cells
        .filter((cell) => cell.cell_type === 'markdown')
        .flatMap((cell) => [...[cell.source].flat().join('').matchAll(/\]\((\.\.\/site\/src\/content\/docs\/[^)#]+)/g)].map((m) => ({ lesson: lesson.slug, target: m[1] }))),
    );
    for (const { lesson, target } of links) expect(existsSync(join(root, 'lessons', target)), `${lesson} links to ${target}`).toBe(true);
  });
});
