/**
 * A code cell's outputs to HTML. Each display picks one representation, the richest the site can show:
 * a plotly figure (drawn in the browser by plotly.js; its text/html twin is the classic notebook's
 * script fallback and is never used here), HTML, markdown, LaTeX, SVG, bitmaps, JSON, then plain text.
 * Consecutive stream writes are joined and shown in their final state.
 */
import katex from 'katex';
import { joinText, type Output, type Threshold } from './course';
import { displayFigure, type PlotlyFigure } from './figures';
import { renderMarkdown, type MarkdownContext } from './markdown';
import { escapeHtml } from '../../../src/notebook/escape-html';
import { ansiToHtml, finalState } from './terminal';

import { METRIC_MIME, PLOTLY_MIME } from '../../../src/notebook/mime-types';

export { METRIC_MIME, PLOTLY_MIME };

export interface OutputContext {
  markdown: MarkdownContext;
  thresholds: Record<string, Threshold>;
}

export interface RenderedOutputs {
  html: string;
  plots: number;
}

/** Joins consecutive writes to the same stream, so that a \r in one write overwrites the last. */
function mergeStreams(outputs: Output[]): Output[] {
  const merged: Output[] = [];
  for (const output of outputs) {
    const last = merged[merged.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: joinText(last.text) + joinText(output.text) };
    } else {
      merged.push(output);
    }
  }
  return merged;
}

export function renderOutputs(outputs: Output[], context: OutputContext): RenderedOutputs {
  let plots = 0;
  const parts = mergeStreams(outputs).map((output) => {
    switch (output.output_type) {
      case 'stream':
        return `<pre class="nb-stream nb-${output.name ?? 'stdout'}">${ansiToHtml(finalState(joinText(output.text)))}</pre>`;
      case 'error': {
        const traceback = output.traceback?.length ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`;
        return `<pre class="nb-error">${ansiToHtml(finalState(traceback))}</pre>`;
      }
      case 'display_data':
      case 'execute_result': {
        const data = output.data ?? {};
        if (data[PLOTLY_MIME]) plots++;
        return renderBundle(data, output.metadata ?? {}, context);
      }
      default:
        return '';
    }
  });
  return { html: parts.filter(Boolean).join('\n'), plots };
}

/** Scripts in notebook HTML are dropped: the site runs only its own code, so a page never breaks on them. */
function withoutScripts(html: string): string {
  return html.replace(/<script\b[\s\S]*?<\/script\s*>/gi, '');
}

/** Stops `</script>` in the data from ending the script element that carries it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function imageSize(metadata: Record<string, unknown>, mime: string): string {
  const own = metadata[mime] as { width?: number; height?: number } | undefined;
  return [own?.width ? ` width="${own.width}"` : '', own?.height ? ` height="${own.height}"` : ''].join('');
}

function renderLatex(latex: string): string {
  // Notebooks wrap display math in $$…$$ or $…$; KaTeX wants the bare expression.
  const bare = latex.trim().replace(/^\$\$([\s\S]*)\$\$$/, '$1').replace(/^\$([\s\S]*)\$$/, '$1');
  return katex.renderToString(bare, { displayMode: true, throwOnError: false, strict: 'ignore' });
}

function formatMetric(value: unknown): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e5) ? n.toExponential(2) : String(Number(n.toPrecision(4)));
}

function describeThreshold(t: Threshold): string {
  return [t.min !== undefined ? `≥ ${t.min}` : '', t.max !== undefined ? `≤ ${t.max}` : ''].filter(Boolean).join(' and ');
}

function renderMetric(metric: { name: string; value: unknown }, thresholds: Record<string, Threshold>): string {
  const threshold = thresholds[metric.name];
  const value = Number(metric.value);
  const passed = threshold
    ? Number.isFinite(value) && (threshold.min === undefined || value >= threshold.min) && (threshold.max === undefined || value <= threshold.max)
    : undefined;
  const verdict = passed === undefined ? '' : `<span class="nb-metric-threshold">${passed ? '✓' : '✗'} threshold ${escapeHtml(describeThreshold(threshold!))}</span>`;
  return `<div class="nb-metric${passed === false ? ' failed' : ''}"><span class="nb-metric-name">${escapeHtml(metric.name)}</span> <code>${escapeHtml(formatMetric(metric.value))}</code> ${verdict}</div>`;
}

function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown>, context: OutputContext): string {
  const text = (mime: string) => joinText(data[mime] as string | string[]);
  if (data[PLOTLY_MIME]) {
    const { figure, downsampledFrom } = displayFigure(data[PLOTLY_MIME] as PlotlyFigure);
    const note = downsampledFrom
      ? `<p class="nb-plot-note">Curves of ${downsampledFrom.toLocaleString('en')} points are drawn here with fewer; the notebook has every point.</p>`
      : '';
    return `<div class="nb-plot"><div class="plotly-figure" role="img" aria-label="${escapeHtml(text('text/plain'))}"></div><script type="application/json" class="plotly-data">${jsonForScript(figure)}</script>${note}</div>`;
  }
  if (data[METRIC_MIME]) return renderMetric(data[METRIC_MIME] as { name: string; value: unknown }, context.thresholds);
  if (data['text/html'] !== undefined) return `<div class="nb-html">${withoutScripts(text('text/html'))}</div>`;
  if (data['text/markdown'] !== undefined) {
    // Headings inside outputs stay out of the table of contents, which follows the lesson's own text.
    const markdown = { ...context.markdown, headings: [], dropFirstH1: false };
    return `<div class="nb-markdown">${renderMarkdown(text('text/markdown'), markdown)}</div>`;
  }
  if (data['text/latex'] !== undefined) return `<div class="nb-latex">${renderLatex(text('text/latex'))}</div>`;
  if (data['image/svg+xml'] !== undefined) {
    // As an <img>, the SVG cannot clash with the page's ids and styles.
    const svg = Buffer.from(text('image/svg+xml')).toString('base64');
    return `<div class="nb-image"><img alt="figure" src="data:image/svg+xml;base64,${svg}"${imageSize(metadata, 'image/svg+xml')}></div>`;
  }
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) {
    if (data[mime] !== undefined) {
      const base64 = text(mime).replace(/\s/g, '');
      return `<div class="nb-image"><img alt="figure" src="data:${mime};base64,${base64}"${imageSize(metadata, mime)}></div>`;
    }
  }
  if (data['application/json'] !== undefined) return `<pre class="nb-text">${escapeHtml(JSON.stringify(data['application/json'], null, 2))}</pre>`;
  if (data['text/plain'] !== undefined) return `<pre class="nb-text">${ansiToHtml(finalState(text('text/plain')))}</pre>`;
  return '';
}
