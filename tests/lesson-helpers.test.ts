// Small helpers of lessons 2-4: rolling mean, digit grids, tables.
import { describe, expect, it } from 'vitest';
import { digitGrid, digitRows } from '../src/plots/digit-plots';
import { tableBundle } from '../src/notebook/table';
import { rollingMean } from '../src/training/rolling-mean';

describe('rollingMean', () => {
  it('matches pandas rolling(window).mean()', () => {
    const out = rollingMean([1, 2, 3, 4, 5], 3);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out.slice(2)).toEqual([2, 3, 4]);
    expect(rollingMean([4, 6], 1)).toEqual([4, 6]);
    expect(() => rollingMean([1], 0)).toThrow(RangeError);
  });
});

describe('digitGrid', () => {
  it('draws one reversed-gray heatmap per digit, row 0 at the top', () => {
    const images = new Uint8Array(2 * 784);
    images[0] = 255; // top-left pixel of the first digit
    const figure = digitGrid({ images, titles: ['a', 'b'], columns: 2 });
    expect(figure.data).toHaveLength(2);
    expect(figure.data[0].type).toBe('heatmap');
    expect((figure.data[0].z as number[][])[0][0]).toBe(255);
    expect(figure.data[1].xaxis).toBe('x2');
    expect((figure.layout!.yaxis as Record<string, unknown>).autorange).toBe('reversed');
    expect(() => digitRows(new Uint8Array(10))).toThrow(RangeError);
  });
});

describe('tableBundle', () => {
  it('renders HTML and aligned text, escaping cells', () => {
    const bundle = tableBundle(['format', 'seconds'], [['<csv>', 1.23456], ['npy', 2]]);
    expect(bundle['text/html']).toContain('&lt;csv&gt;');
    expect(bundle['text/plain'].split('\n')).toEqual(['format  seconds', '------  -------', '<csv>     1.235', 'npy           2']);
  });
});
