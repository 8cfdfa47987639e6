/**
 * MNIST digits as plotly heatmaps: a grid of small images with a title each.
 * Lesson 2 introduces it; later lessons use it to show what a network saw.
 */
import { mapGrid } from './feature-maps';
import { Figure } from './figures';

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
  const maps = options.titles.map((_, i) => digitRows(Array.prototype.slice.call(options.images, i * 784, (i + 1) * 784) as number[]));
  return mapGrid({
    maps,
    titles: options.titles,
    columns: options.columns ?? 8,
    title: options.title,
    cellSize: options.cellSize ?? 110,
    colorscale: 'Greys',
    range: [0, 255],
  });
}
