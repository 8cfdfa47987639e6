/**
 * Small 2-D arrays as a grid of heatmaps: convolution kernels, feature maps,
 * a digit next to its edges. Any size and value range works, and each map may
 * get its own colour range or share one; digitGrid (digit-plots.ts) is the
 * special case of 28×28 bytes on a fixed 0–255 grey scale.
 */
import { Figure, Layout, Trace } from './figures';

export interface MapGridOptions {
  /** maps[i] is a 2-D array of rows; row 0 is drawn at the top. */
  maps: number[][][];
  titles: string[];
  columns?: number;
  title?: string;
  cellSize?: number;
  /** Plotly colour scale; 'RdBu' suits signed values (kernels, edges), 'Greys' intensities. */
  colorscale?: string;
  /** One colour range for all maps (so they compare), or each its own (the default). */
  shared?: boolean;
  /** Centre the colour range on zero (for signed values). */
  symmetric?: boolean;
  /** Print each value in its cell (for tiny examples). */
  showValues?: boolean;
  /** A fixed colour range for every map (e.g. [0, 255] for pixels), instead of one computed from the values. */
  range?: [number, number];
}

function range(values: number[][][], symmetric: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const map of values) for (const row of map) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (symmetric) { const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1; return [-m, m]; }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** Where each of `count` small plots goes: one x and y axis per plot in a grid, and its title above it. */
function gridLayout(count: number, options: { titles: string[]; columns?: number; cellSize?: number; title?: string }): Layout {
  const columns = Math.min(options.columns ?? 6, count);
  const rows = Math.ceil(count / columns);
  const cell = options.cellSize ?? 130;
  const axes: Record<string, unknown> = {};
  const annotations: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const suffix = i === 0 ? '' : String(i + 1);
    const [row, col] = [Math.floor(i / columns), i % columns];
    const gap = 0.03;
    const x0 = col / columns + gap / 2;
    const x1 = (col + 1) / columns - gap / 2;
    const y1 = 1 - row / rows - 0.14 / rows;
    const y0 = 1 - (row + 1) / rows + gap / 2;
    axes[`xaxis${suffix}`] = { domain: [x0, x1], visible: false, anchor: `y${suffix}` };
    axes[`yaxis${suffix}`] = { domain: [y0, y1], visible: false, autorange: 'reversed', scaleanchor: `x${suffix}`, anchor: `x${suffix}` };
    annotations.push({ text: options.titles[i], x: (x0 + x1) / 2, y: y1, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 12 } });
  }
  return {
    ...(options.title ? { title: options.title } : {}),
    ...axes,
    annotations,
    height: rows * cell + (options.title ? 60 : 20),
    width: columns * cell,
    margin: { l: 10, r: 10, t: options.title ? 50 : 10, b: 10 },
  };
}

export function mapGrid(options: MapGridOptions): Figure {
  const count = options.maps.length;
  if (options.titles.length !== count) throw new RangeError(`${count} maps but ${options.titles.length} titles.`);
  const symmetric = options.symmetric ?? false;
  const sharedRange = options.range ?? (options.shared ? range(options.maps, symmetric) : undefined);
  const data: Trace[] = options.maps.map((map, i) => {
    const [zmin, zmax] = sharedRange ?? range([map], symmetric);
    const suffix = i === 0 ? '' : String(i + 1);
    const trace: Trace = {
      type: 'heatmap', z: map, zmin, zmax, colorscale: options.colorscale ?? 'Greys', reversescale: (options.colorscale ?? 'Greys') === 'Greys',
      showscale: false, xaxis: `x${suffix}`, yaxis: `y${suffix}`, hovertemplate: 'row %{y}, column %{x}: %{z:.3f}<extra></extra>',
    };
    if (options.showValues) {
      trace.text = map.map((row) => row.map((v) => String(Math.round(v * 1000) / 1000))) as unknown as string[];
      trace.texttemplate = '%{text}';
    }
    return trace;
  });
  return { data, layout: gridLayout(count, options) };
}

/** Pictures (PNG or JPEG data: URIs, e.g. photos) in a grid with a title above each, drawn as plotly image traces. */
export function pictureGrid(options: { sources: string[]; titles: string[]; columns?: number; cellSize?: number; title?: string }): Figure {
  const count = options.sources.length;
  if (options.titles.length !== count) throw new RangeError(`${count} pictures but ${options.titles.length} titles.`);
  const data: Trace[] = options.sources.map((source, i) => {
    const suffix = i === 0 ? '' : String(i + 1);
    return { type: 'image', source, xaxis: `x${suffix}`, yaxis: `y${suffix}`, hoverinfo: 'skip' };
  });
  return { data, layout: gridLayout(count, options) };
}

/** A [height, width] slice of a flat row-major array: one channel of an NHWC image (batch 1). */
export function channelOf(values: ArrayLike<number>, height: number, width: number, channels: number, channel: number): number[][] {
  return Array.from({ length: height }, (_, r) => Array.from({ length: width }, (_, c) => Number(values[(r * width + c) * channels + channel])));
}
