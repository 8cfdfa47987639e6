/**
 * Interactive plots with plotly.js. A figure is plain data (traces + layout),
 * shown as a bundle of three representations:
 *   application/vnd.plotly.v1+json  the figure itself: JupyterLab and the course site render it;
 *   text/html                       a <div> and a script for the classic notebook, which loads the
 *                                   plotly.js that npm installed through the Jupyter server (no CDN),
 *                                   and says to run the cell where Jupyter runs no script (a notebook
 *                                   it does not trust);
 *   text/plain                      a one-line summary for terminals.
 */
import { randomBytes } from 'node:crypto';
import { displayBundle, escapeHtml, liveDisplay, MimeBundle } from '../notebook/display';
import { PLOTLY_MIME } from '../notebook/mime-types';

/** A plotly trace; the fields the course uses are typed, the rest pass through. */
export interface Trace {
  type?: 'scatter' | 'bar' | 'heatmap' | 'histogram' | 'image';
  mode?: 'lines' | 'markers' | 'lines+markers' | 'markers+text' | 'text';
  name?: string;
  x?: ArrayLike<number | string>;
  y?: ArrayLike<number | string>;
  z?: ArrayLike<ArrayLike<number>>;
  text?: string | string[];
  [key: string]: unknown;
}

export interface Layout {
  title?: string | { text: string };
  xaxis?: Record<string, unknown>;
  yaxis?: Record<string, unknown>;
  height?: number;
  width?: number;
  [key: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout?: Layout;
}

export { PLOTLY_MIME };

/** The classic notebook serves the files under its root (the repository, for `npm start`) at <base URL>files/. */
const PLOTLY_SCRIPT_FROM_SERVER_ROOT = 'files/node_modules/plotly.js-dist-min/plotly.min.js';

/**
 * The classic notebook's script for a figure. Every figure on the page waits for one load of plotly.js
 * (a figure that ran before the load ended drew nothing); plotly.js 3 defines window.Plotly and no AMD
 * module, so it is loaded with a script tag, not the notebook's require.js.
 */
function drawScript(id: string, fig: Figure): string {
  return `(function () {
  var fig = ${JSON.stringify(fig).replace(/</g, '\\u003c')};
  var div = document.getElementById(${JSON.stringify(id)});
  var base = (document.body && document.body.getAttribute('data-base-url')) || '/';
  var url = base + ${JSON.stringify(PLOTLY_SCRIPT_FROM_SERVER_ROOT)};
  window.coursePlotly = window.coursePlotly || new Promise(function (resolve, reject) {
    if (window.Plotly) return resolve(window.Plotly);
    var script = document.createElement('script');
    script.src = url;
    script.onload = function () { window.Plotly ? resolve(window.Plotly) : reject(new Error(url + ' defined no Plotly')); };
    script.onerror = function () { reject(new Error('could not load ' + url)); };
    document.head.appendChild(script);
  });
  window.coursePlotly.then(function (Plotly) {
    div.textContent = '';
    return Plotly.newPlot(div, fig.data, fig.layout || {}, { responsive: true });
  }).catch(function (error) {
    div.textContent = 'The figure could not be drawn: ' + error.message + '. Open the notebook from the Jupyter that npm start opens.';
  });
})();`;
}

/** Typed arrays become plain arrays so that the figure survives JSON. */
function plain(figure: Figure): Figure {
  return JSON.parse(JSON.stringify(figure, (_key, value) => (ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value)));
}

/** plotly.js 3 accepts titles only as {text}; the course also lets lessons write plain strings. */
function withTitleObjects(layout: Layout | undefined): Layout | undefined {
  if (!layout) return layout;
  const fixed: Layout = { ...layout };
  const asObject = (title: unknown) => (typeof title === 'string' ? { text: title } : title);
  if (fixed.title !== undefined) fixed.title = asObject(fixed.title) as Layout['title'];
  for (const key of Object.keys(fixed).filter((k) => /^[xy]axis\d*$/.test(k))) {
    const axis = fixed[key] as Record<string, unknown> | undefined;
    if (axis?.title !== undefined) fixed[key] = { ...axis, title: asObject(axis.title) };
  }
  return fixed;
}

function titleOf(figure: Figure): string {
  const title = figure.layout?.title;
  return typeof title === 'string' ? title : title?.text ?? 'untitled';
}

export function figureBundle(figure: Figure): MimeBundle {
  const fig = plain({ ...figure, layout: withTitleObjects(figure.layout) });
  const id = `plot-${randomBytes(6).toString('hex')}`;
  const height = fig.layout?.height ?? 420;
  // What shows until the script has drawn, and instead of the figure where Jupyter runs no script.
  const title = titleOf(fig) === 'untitled' ? '' : ` “${escapeHtml(titleOf(fig))}”`;
  const placeholder = `Run this cell to draw the figure${title}. (Jupyter does not draw figures saved in a notebook it does not trust.)`;
  const html = `<div id="${id}" class="course-plot" style="width:100%;height:${height}px"><p class="course-plot-placeholder">${placeholder}</p></div>
<script>
${drawScript(id, fig)}
</script>`;
  const traces = fig.data.map((t) => t.name ?? t.type ?? 'trace').join(', ');
  return { 'text/plain': `[plot: ${titleOf(fig)} — ${traces}]`, 'text/html': html, [PLOTLY_MIME]: fig };
}

/** Shows a figure once. */
export function showPlot(figure: Figure): void {
  displayBundle(figureBundle(figure));
}

/** A figure redrawn in place as training goes (e.g. after every epoch). */
export function livePlot(): { update(figure: Figure): void } {
  const display = liveDisplay();
  return { update: (figure) => display.show(figureBundle(figure)) };
}

/** A line per series over a shared x axis: the usual loss/accuracy-per-epoch chart. */
export function lineChart(options: {
  title: string;
  x: ArrayLike<number>;
  series: Record<string, ArrayLike<number>>;
  xTitle?: string;
  yTitle?: string;
  logY?: boolean;
}): Figure {
  return {
    data: Object.entries(options.series).map(([name, y]) => ({ type: 'scatter', mode: 'lines+markers', name, x: options.x, y })),
    layout: {
      title: options.title,
      xaxis: { title: { text: options.xTitle ?? '' } },
      yaxis: { title: { text: options.yTitle ?? '' }, type: options.logY ? 'log' : 'linear' },
    },
  };
}
