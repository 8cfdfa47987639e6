/**
 * Plotly figures as the page draws them: a curve of tens of thousands of points (a loss per training
 * sample) is down-sampled with Largest-Triangle-Three-Buckets, which keeps its shape and its peaks, and
 * its numbers are shortened to what a plot can show. The notebook keeps every point.
 */
import { LTTB } from 'downsample';

/** More points than a figure a column wide can show apart. */
export const MAX_POINTS = 1500;
const SIGNIFICANT_DIGITS = 5;

export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
}

export interface DisplayFigure {
  figure: PlotlyFigure;
  /** The longest curve's length before down-sampling, when some curve was down-sampled. */
  downsampledFrom?: number;
}

const isNumbers = (value: unknown): value is number[] => Array.isArray(value) && value.every((v) => typeof v === 'number');
const isNumbersWithGaps = (value: unknown): value is Array<number | null> =>
  Array.isArray(value) && value.every((v) => v === null || typeof v === 'number');

const shorten = (value: number): number => (Number.isFinite(value) ? Number(value.toPrecision(SIGNIFICANT_DIGITS)) : value);

/** The runs of consecutive numbers between gaps (nulls, which plotly leaves undrawn). */
function runsBetweenGaps(x: number[], y: Array<number | null>): Array<Array<[number, number]>> {
  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> = [];
  y.forEach((yi, i) => {
    if (yi === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([x[i], yi]);
  });
  if (run.length) runs.push(run);
  return runs;
}

/**
 * A trace's y values against its x (or their index), each run between gaps down-sampled in proportion
 * to its length, with the gaps kept.
 */
function downsampleTrace(trace: Record<string, unknown>): { trace: Record<string, unknown>; from?: number } {
  const y = trace.y;
  if (!isNumbersWithGaps(y) || y.length <= MAX_POINTS) return { trace };
  const x = isNumbers(trace.x) && trace.x.length === y.length ? trace.x : y.map((_, i) => i);
  const runs = runsBetweenGaps(x, y);
  const total = runs.reduce((sum, run) => sum + run.length, 0);
  const xs: number[] = [];
  const ys: Array<number | null> = [];
  for (const run of runs) {
    if (xs.length) {
      xs.push(xs[xs.length - 1]);
      ys.push(null);
    }
    const kept = run.length <= 2 ? run : (LTTB(run, Math.max(2, Math.round((MAX_POINTS * run.length) / total))) as Array<[number, number]>);
    for (const [xi, yi] of kept) {
      xs.push(shorten(xi));
      ys.push(shorten(yi));
    }
  }
  return { trace: { ...trace, x: xs, y: ys }, from: y.length };
}

/** Only x/y curves are reduced; heatmaps, images and bars are drawn as the notebook made them. */
export function displayFigure(figure: PlotlyFigure): DisplayFigure {
  let downsampledFrom: number | undefined;
  const data = figure.data.map((trace) => {
    const result = downsampleTrace(trace);
    if (result.from !== undefined) downsampledFrom = Math.max(downsampledFrom ?? 0, result.from);
    return result.trace;
  });
  return { figure: { ...figure, data }, downsampledFrom };
}
