import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../src/backend';
import { figureBundle, lineChart, PLOTLY_MIME } from '../src/plots/figures';
import { Accumulator } from '../src/training/accumulator';
import { evaluateAccuracy } from '../src/training/evaluate';
import { accuracy, countCorrect } from '../src/training/metrics';
import { formatNumber, ProgressBar } from '../src/training/progress';
import { Timer } from '../src/training/timer';
import { createRng, shuffledIndices } from '../src/random';
import { recordMetric } from '../src/lesson';
import { METRIC_MIME } from '../src/notebook/mime-types';

beforeAll(async () => {
  await selectBackend();
});

describe('Accumulator', () => {
  it('sums values slot by slot and gives ratios', () => {
    const acc = new Accumulator(2);
    acc.add(3, 10);
    acc.add(4, 10);
    expect(acc.get(0)).toBe(7);
    expect(acc.ratio(0, 1)).toBeCloseTo(0.35);
    acc.reset();
    expect(acc.get(1)).toBe(0);
  });

  it('refuses the wrong number of values and unknown slots', () => {
    const acc = new Accumulator(2);
    expect(() => acc.add(1)).toThrow('Accumulator of 2 values was given 1.');
    expect(() => acc.get(2)).toThrow('Accumulator has no slot 2');
  });
});

describe('Timer', () => {
  it('records each measurement and averages them', async () => {
    const timer = new Timer();
    timer.start();
    await new Promise((r) => setTimeout(r, 20));
    const first = timer.stop();
    expect(first).toBeGreaterThanOrEqual(0.015);
    timer.start();
    timer.stop();
    expect(timer.times).toHaveLength(2);
    expect(timer.sum()).toBeCloseTo(timer.times[0] + timer.times[1]);
    expect(timer.average()).toBeCloseTo(timer.sum() / 2);
    expect(() => timer.stop()).toThrow('before start');
  });
});

describe('metrics', () => {
  it('counts correct predictions against class ids and one-hot labels', () => {
    const scores = tf.tensor2d([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    expect(countCorrect(scores, tf.tensor1d([1, 0, 0], 'int32'))).toBe(2);
    expect(accuracy(scores, tf.tensor2d([[0, 1], [1, 0], [0, 1]]))).toBe(1);
    expect(accuracy(tf.zeros([0, 2]), tf.zeros([0], 'int32'))).toBe(0);
  });

  it('evaluates a model in batches and frees what it creates', () => {
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]]);
    const labels = tf.tensor1d([0, 1, 0, 0, 0], 'int32');
    const before = tf.memory().numTensors;
    const identity = (batch: tf.Tensor) => batch.mul(1);
    expect(evaluateAccuracy(identity, x, labels, 2)).toBeCloseTo(4 / 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('random', () => {
  it('replays the same sequence for the same seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    expect([a.next(), a.seed()]).toEqual([b.next(), b.seed()]);
    expect(Array.from(shuffledIndices(10, createRng(1)))).toEqual(Array.from(shuffledIndices(10, createRng(1))));
    expect(Array.from(shuffledIndices(10, createRng(1))).sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('progress bar', () => {
  it('renders a text bar with its values', () => {
    const bar = new ProgressBar(200, { label: 'epoch 1' });
    bar.tick(50, { loss: 0.123456 });
    expect(bar.text()).toMatch(/^epoch 1 \[#{8}-{22}\] 25% 50\/200 loss 0\.1235 \(\d+\.\ds\)$/);
    bar.tick(1000);
    expect(bar.text()).toContain('100% 200/200');
  });

  it('moves to an absolute position with update, e.g. the examples seen so far', () => {
    const bar = new ProgressBar(200, { label: 'epoch 1' });
    bar.update(64, { loss: 0.5 });
    bar.update(128);
    expect(bar.text()).toMatch(/^epoch 1 \[#{19}-{11}\] 64% 128\/200 loss 0\.5 /);
    bar.update(500);
    expect(bar.text()).toContain('100% 200/200');
  });

  it('prints its final state once when not in a notebook or a terminal', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const bar = new ProgressBar(2);
    bar.tick(2, { acc: 0.5 });
    bar.finish();
    bar.finish();
    expect(log.mock.calls.filter((c) => String(c[0]).includes('2/2 acc 0.5'))).toHaveLength(process.stderr.isTTY ? 0 : 1);
    log.mockRestore();
  });

  it('formats numbers readably', () => {
    expect(formatNumber(0.000048)).toBe('4.800e-5');
    expect(formatNumber(0.97123)).toBe('0.9712');
    expect(formatNumber(60000)).toBe('60000');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});

describe('plots', () => {
  it('keeps the figure data in the plotly MIME type, with HTML and text fallbacks', () => {
    const figure = lineChart({ title: 'loss', x: [1, 2], series: { train: Float32Array.from([0.5, 0.25]) } });
    const bundle = figureBundle(figure);
    const stored = bundle[PLOTLY_MIME] as { data: Array<{ y: number[]; name: string }>; layout: { title: unknown } };
    expect(stored.data[0]).toMatchObject({ name: 'train', y: [0.5, 0.25] }); // typed arrays become JSON arrays
    expect(stored.layout.title).toEqual({ text: 'loss' }); // plotly.js 3 ignores plain-string titles
    expect(bundle['text/plain']).toBe('[plot: loss — train]');
    expect(bundle['text/html']).toContain('Plotly.newPlot');
    expect(bundle['text/html']).toContain('files/node_modules/plotly.js-dist-min/plotly.min.js');
  });

  it('turns plain-string axis titles into the {text} form plotly.js 3 requires', () => {
    const bundle = figureBundle({ data: [], layout: { title: { text: 'kept' }, xaxis: { title: 'epoch' }, yaxis2: { title: 'loss' } } });
    const layout = (bundle[PLOTLY_MIME] as { layout: Record<string, { title?: unknown; text?: string }> }).layout;
    expect(layout.title).toEqual({ text: 'kept' });
    expect(layout.xaxis.title).toEqual({ text: 'epoch' });
    expect(layout.yaxis2.title).toEqual({ text: 'loss' });
  });
});

describe('recordMetric', () => {
  it('prints the metric outside a notebook and refuses names the runner cannot match', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    recordMetric('test_accuracy', 0.9712);
    expect(log).toHaveBeenCalledWith('[metric] test_accuracy = 0.9712');
    log.mockRestore();
    expect(METRIC_MIME).toBe('application/vnd.course.metric+json');
    expect(() => recordMetric('Test Accuracy', 1)).toThrow('snake_case');
  });
});
