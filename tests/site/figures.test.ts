// What the site draws of a notebook's plotly figures (in Node; the browser tests draw real lessons).
import { describe, expect, it } from 'vitest';
import { displayFigure, MAX_POINTS, type PlotlyFigure } from '../../site/src/lib/figures';

const curve = (length: number, at: (i: number) => number | null) => Array.from({ length }, (_, i) => at(i));

describe('figures on the page', () => {
  it('draws a long curve with at most MAX_POINTS points, keeping its ends, its peak and its x values', () => {
    const y = curve(18_000, (i) => 1 / (1 + i / 100) + 0.01 * Math.sin(i));
    y[9_001] = 5; // one spike, as a bad batch makes
    const x = curve(18_000, (i) => 10 * (i + 1)) as number[];
    const { figure, downsampledFrom } = displayFigure({ data: [{ type: 'scatter', mode: 'markers', x, y }] });
    const [trace] = figure.data as Array<{ x: number[]; y: number[] }>;
    expect(downsampledFrom).toBe(18_000);
    expect(trace.y.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(trace.x.length).toBe(trace.y.length);
    expect([trace.x[0], trace.x.at(-1)]).toEqual([10, 180_000]);
    expect(Math.max(...trace.y)).toBe(5);
    expect(trace.x).toContain(90_020);
  });

  it('keeps the gaps (nulls) of a curve, such as a moving average before its window fills', () => {
    const y = curve(6_000, (i) => (i < 100 || (i >= 3_000 && i < 3_010) ? null : Math.cos(i / 500)));
    const [trace] = displayFigure({ data: [{ type: 'scatter', y }] }).figure.data as Array<{ x: number[]; y: Array<number | null> }>;
    expect(trace.y.length).toBeLessThan(MAX_POINTS + 2);
    expect(trace.y.filter((v) => v === null)).toHaveLength(1);
    expect(trace.x[0]).toBe(100); // drawn from where the curve starts
  });

  it('leaves short curves, heatmaps and bars as the notebook made them', () => {
    const figure: PlotlyFigure = { data: [{ type: 'scatter', y: curve(1_000, (i) => i) }, { type: 'heatmap', z: [[1, 2]] }, { type: 'bar', y: [1, 2] }] };
    const shown = displayFigure(figure);
    expect(shown.downsampledFrom).toBeUndefined();
    expect(shown.figure.data).toEqual(figure.data);
  });
});
