/**
 * A training dashboard: loss and accuracy per epoch side by side, one line per
 * split (train, validation, test). Built from log records, so the same figure
 * can be redrawn live during training or later from the log file alone.
 */
import { Figure, Trace } from '../plots/figures';

export interface EpochRecord {
  epoch: number;
  [metric: string]: number | string | boolean | null;
}

export interface DashboardOptions {
  title: string;
  /** Splits to draw; each needs `<split>_loss` and `<split>_accuracy` in the records. */
  splits: string[];
  /** Optional vertical marker, e.g. the epoch of the best checkpoint. */
  marker?: { epoch: number; label: string };
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

export function trainingDashboard(records: readonly EpochRecord[], options: DashboardOptions): Figure {
  const epochs = records.map((r) => r.epoch);
  const data: Trace[] = [];
  options.splits.forEach((split, i) => {
    const style = { color: COLORS[i % COLORS.length] };
    const values = (metric: string) => records.map((r) => Number(r[`${split}_${metric}`]));
    data.push({ type: 'scatter', mode: 'lines+markers', name: `${split} loss`, legendgroup: split, x: epochs, y: values('loss'), line: style, xaxis: 'x', yaxis: 'y' });
    data.push({ type: 'scatter', mode: 'lines+markers', name: `${split} accuracy`, legendgroup: split, x: epochs, y: values('accuracy'), line: { ...style, dash: 'dot' }, xaxis: 'x2', yaxis: 'y2' });
  });
  const shapes = options.marker
    ? ['x', 'x2'].map((xref) => ({ type: 'line', xref, yref: 'paper', x0: options.marker!.epoch, x1: options.marker!.epoch, y0: 0, y1: 1, line: { dash: 'dash', color: 'gray' } }))
    : [];
  const annotations = options.marker
    ? [{ xref: 'x2', yref: 'paper', x: options.marker.epoch, y: 1.02, text: options.marker.label, showarrow: false, font: { size: 11 } }]
    : [];
  return {
    data,
    layout: {
      title: { text: options.title },
      height: options.height ?? 380,
      grid: { rows: 1, columns: 2, pattern: 'independent' },
      xaxis: { title: { text: 'epoch' }, domain: [0, 0.45] },
      yaxis: { title: { text: 'loss' } },
      xaxis2: { title: { text: 'epoch' }, domain: [0.55, 1] },
      yaxis2: { title: { text: 'accuracy' }, anchor: 'x2' },
      shapes,
      annotations,
    },
  };
}
