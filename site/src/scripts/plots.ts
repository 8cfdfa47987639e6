/**
 * Draws the notebook's plotly figures in the browser. plotly.js (from the npm package
 * plotly.js-dist-min) is served by the site as a file of its own and loaded on demand, so pages
 * without figures never download it. Figures follow the light/dark theme.
 */
import plotlyUrl from 'plotly.js-dist-min/plotly.min.js?url';

interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
}

interface Plotly {
  newPlot(element: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  relayout(element: HTMLElement, update: Record<string, unknown>): Promise<unknown>;
}

declare global {
  interface Window {
    Plotly?: Plotly;
  }
}

function loadPlotly(): Promise<Plotly> {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = plotlyUrl;
    script.onload = () => (window.Plotly ? resolve(window.Plotly) : reject(new Error('plotly.js loaded without defining Plotly')));
    script.onerror = () => reject(new Error(`could not load ${plotlyUrl}`));
    document.head.append(script);
  });
}

/** Colours from Starlight's theme variables, so that axes and text stay readable in both themes. */
function themeLayout(): Record<string, unknown> {
  const style = getComputedStyle(document.documentElement);
  const text = style.getPropertyValue('--sl-color-gray-2').trim() || '#444';
  const grid = style.getPropertyValue('--sl-color-gray-5').trim() || '#ddd';
  const axis = { color: text, gridcolor: grid, zerolinecolor: grid };
  return { paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', font: { color: text }, xaxis: axis, yaxis: axis };
}

/** plotly.js 3 dropped titles given as plain strings (`title: 'Loss'`); notebooks still write them. */
function titled<T>(value: T): T {
  if (!value || typeof value !== 'object') return value;
  const title = (value as { title?: unknown }).title;
  return typeof title === 'string' ? { ...value, title: { text: title } } : value;
}

/** Merges the theme into the figure's layout without overriding what the lesson set explicitly. */
function withTheme(layout: Record<string, unknown> = {}): Record<string, unknown> {
  const theme = themeLayout();
  const merged: Record<string, unknown> = titled({ ...theme, ...layout, autosize: true });
  for (const key of Object.keys(merged)) {
    if (/^[xy]axis\d*$/.test(key)) merged[key] = titled({ ...(theme[key.slice(0, 5)] as object), ...(merged[key] as object) });
  }
  delete merged.width; // the figure fills the column, on a phone too
  return merged;
}

async function draw(Plotly: Plotly, element: HTMLElement): Promise<void> {
  const figure = JSON.parse(element.nextElementSibling?.textContent ?? '{"data":[]}') as PlotlyFigure;
  await Plotly.newPlot(element, figure.data, withTheme(figure.layout), { responsive: true, displaylogo: false });
  element.dataset.drawn = 'true';
  // Starlight switches themes by changing data-theme on <html>.
  new MutationObserver(() => void Plotly.relayout(element, withTheme(figure.layout))).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['data-theme'],
  });
}

/**
 * Each figure is drawn when it comes within a screen of the viewport, and plotly.js is loaded with the
 * first one: the page's text shows at once, and a reader who stops early draws nothing below.
 */
export function drawFigures(): void {
  const figures = [...document.querySelectorAll<HTMLElement>('.plotly-figure')];
  if (figures.length === 0) return;
  let plotly: Promise<Plotly> | undefined;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        plotly ??= loadPlotly();
        void plotly.then((Plotly) => draw(Plotly, entry.target as HTMLElement));
      }
    },
    { rootMargin: '100% 0px' },
  );
  for (const element of figures) observer.observe(element);
}
