/**
 * A notebook that makes every kind of output the course's lessons make, through the course's own helpers:
 * the lesson header, plotly figures (two from one cell, a digit grid, a live plot redrawn in place), a
 * table, an image with probability bars, a progress bar redrawn in place, a metric, stdout, stderr, and
 * a cell that fails. Each code cell's metadata says how many outputs the page must show for it.
 */
import type { Notebook } from '../../tools/notebooks';

const CELLS: Array<{ outputs: number; source: string }> = [
  {
    outputs: 2, // the lesson header, and stdout
    source: `import * as tf from '@tensorflow/tfjs';
import { setupLesson, recordMetric } from './src/lesson';
const lesson = await setupLesson({ seed: 1 });
console.log(\`kernel: \${process.argv[1]}\`);`,
  },
  {
    outputs: 2, // two figures from one cell: both wait for the same load of plotly.js
    source: `import { showPlot, lineChart, livePlot } from './src/plots/figures';
showPlot(lineChart({ title: 'first figure', x: [1, 2, 3], series: { loss: [3, 2, 1] } }));
showPlot(lineChart({ title: 'second figure, same cell', x: [1, 2, 3], series: { accuracy: [0.5, 0.7, 0.9] }, logY: true }));`,
  },
  {
    outputs: 1,
    source: `import { loadDataset, PIXELS } from './src/data/mnist';
import { digitGrid } from './src/plots/digit-plots';
const mnist = loadDataset('mnist');
showPlot(digitGrid({ images: mnist.test.images.subarray(0, 6 * PIXELS), titles: Array.from(mnist.test.labels.subarray(0, 6), (label) => \`label \${label}\`), columns: 6 }));`,
  },
  {
    outputs: 1, // one figure, redrawn three times
    source: `const live = livePlot();
for (let epoch = 1; epoch <= 3; epoch++) {
  const epochs = Array.from({ length: epoch }, (_, i) => i + 1);
  live.update(lineChart({ title: 'live: loss by epoch', x: epochs, series: { loss: epochs.map((e) => 1 / e) } }));
  await new Promise((resolve) => setTimeout(resolve, 200));
}`,
  },
  {
    outputs: 1,
    source: `import { showTable } from './src/notebook/table';
showTable(['optimizer', 'accuracy'], [['SGD', 0.91], ['Adam', 0.95]], 'a table');`,
  },
  {
    outputs: 1,
    source: `import { displayBundle } from './src/notebook/display';
import { grayPngDataUri } from './src/images/preview';
import { probabilityBarsHtml } from './src/notebook/probability-bars';
const digit = await grayPngDataUri(mnist.test.images.subarray(0, PIXELS), 28, 28, 3);
const bars = probabilityBarsHtml([0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.55, 0.05, 0.05], { truth: mnist.test.labels[0] });
displayBundle({ 'text/plain': 'a digit and its probabilities', 'text/html': \`<table><tr><td><img src="\${digit}"></td><td>\${bars}</td></tr></table>\` });`,
  },
  {
    outputs: 1, // one bar, redrawn in place
    source: `import { ProgressBar } from './src/training/progress';
const bar = new ProgressBar(20, { label: 'epoch 1/1', throttleMs: 100 });
for (let step = 0; step < 20; step++) {
  await new Promise((resolve) => setTimeout(resolve, 30));
  bar.tick(1, { loss: 1 / (step + 1) });
}
bar.finish();`,
  },
  {
    outputs: 3, // the metric, stdout, stderr
    source: `recordMetric('fixture_metric', 0.5);
console.log('plain text on stdout');
console.error('a warning on stderr');`,
  },
  {
    outputs: 1, // tslab reports the error on stderr
    source: `throw new Error('this cell fails on purpose');`,
  },
];

export function everyOutputNotebook(): Notebook {
  return {
    cells: CELLS.map(({ outputs, source }) => ({ cell_type: 'code', source, metadata: { outputs }, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
