/**
 * MNIST digits as plotly heatmaps: a grid of small images with a title each.
 * Lesson 2 introduces it; later lessons use it to show what a network saw.
 */
import { Figure, Trace } from './plots';

export const DIGIT_SIZE = 28;

/** One 28×28 image (784 bytes, row-major) as heatmap rows; plotly draws row 0 at the top once the y axis is reversed. */
export function digitRows(pixels: ArrayLike<number>): number[][] {
  if (pixels.length !== DIGIT_SIZE * DIGIT_SIZE) throw new RangeError(`A digit has 784 pixels, got ${pixels.length}.`);
  return Array.from({ length: DIGIT_SIZE }, (_, r) => Array.from({ length: DIGIT_SIZE }, (_, c) => Number(pixels[r * DIGIT_SIZE + c])));
}

/**
 * A grid of digits. `images` holds the digits back to back (n × 784);
 * `titles[i]` goes above digit i. Gray reversed: 0 is white paper, 255 black ink.
 */
export function digitGrid(options: { images: ArrayLike<number>; titles: string[]; columns?: number; title?: string; cellSize?: number }): Figure {
  const count = options.titles.length;
  const columns = Math.min(options.columns ?? 8, count);
  const rows = Math.ceil(count / columns);
  const cell = options.cellSize ?? 110;
  const data: Trace[] = [];
  const axes: Record<string, unknown> = {};
  const annotations: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const pixels = Array.prototype.slice.call(options.images, i * 784, (i + 1) * 784) as number[];
    const suffix = i === 0 ? '' : String(i + 1);
    data.push({
      type: 'heatmap', z: digitRows(pixels), colorscale: 'Greys', reversescale: true, zmin: 0, zmax: 255,
      showscale: false, xaxis: `x${suffix}`, yaxis: `y${suffix}`, hovertemplate: 'row %{y}, column %{x}: %{z}<extra></extra>',
    });
    const [row, col] = [Math.floor(i / columns), i % columns];
    const gap = 0.02;
    const x0 = col / columns + gap / 2;
    const x1 = (col + 1) / columns - gap / 2;
    const y1 = 1 - row / rows - 0.12 / rows;
    const y0 = 1 - (row + 1) / rows + gap / 2;
    axes[`xaxis${suffix}`] = { domain: [x0, x1], visible: false, anchor: `y${suffix}` };
    axes[`yaxis${suffix}`] = { domain: [y0, y1], visible: false, autorange: 'reversed', scaleanchor: `x${suffix}`, anchor: `x${suffix}` };
    annotations.push({ text: options.titles[i], x: (x0 + x1) / 2, y: y1, xref: 'paper', yref: 'paper', xanchor: 'center', yanchor: 'bottom', showarrow: false, font: { size: 12 } });
  }
  return {
    data,
    layout: {
      ...(options.title ? { title: options.title } : {}),
      ...axes,
      annotations,
      height: rows * cell + (options.title ? 60 : 20),
      width: columns * cell,
      margin: { l: 10, r: 10, t: options.title ? 50 : 10, b: 10 },
    },
  };
}
