// The demo's drawing pad, driven from a test: a digit of the MNIST test set put on it as if drawn.
import type { Page } from 'playwright-core';
import { datasetFiles, PIXELS, readImageSet } from '../../src/data/mnist';

/** Puts a 28×28 digit on the pad, enlarged to the pad's size, and waits for the demo's answer. */
export async function drawDigit(page: Page, pixels: number[]): Promise<number> {
  return page.evaluate(async (digit) => {
    const root = document.querySelector<HTMLElement>('.digit-demo')!;
    const pad = root.querySelector<HTMLCanvasElement>('.digit-canvas')!;
    const small = document.createElement('canvas');
    [small.width, small.height] = [28, 28];
    const image = small.getContext('2d')!.createImageData(28, 28);
    digit.forEach((v, i) => image.data.set([v, v, v, 255], 4 * i));
    small.getContext('2d')!.putImageData(image, 0, 0);
    const context = pad.getContext('2d')!;
    context.fillStyle = 'black';
    context.fillRect(0, 0, pad.width, pad.height);
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, pad.width, pad.height);
    const before = Number(root.dataset.predictions ?? 0);
    pad.dispatchEvent(new Event('digit-drawn'));
    if (Number(root.dataset.predictions ?? 0) === before) throw new Error('the demo did not predict');
    return Number(root.dataset.prediction);
  }, pixels);
}

/** Draws the first `count` digits of the MNIST test set; how many the demo read right, and each label→prediction. */
export async function readTestDigits(page: Page, count: number): Promise<{ correct: number; answers: string }> {
  const files = datasetFiles('mnist');
  const test = readImageSet(files.testImages, files.testLabels);
  const answers: string[] = [];
  let correct = 0;
  for (let n = 0; n < count; n++) {
    const predicted = await drawDigit(page, Array.from(test.images.subarray(n * PIXELS, (n + 1) * PIXELS)));
    answers.push(`${test.labels[n]}→${predicted}`);
    if (predicted === test.labels[n]) correct++;
  }
  return { correct, answers: answers.join(' ') };
}

/** The first digit of the MNIST test set, for a screenshot. */
export function firstTestDigit(): number[] {
  const files = datasetFiles('mnist');
  return Array.from(readImageSet(files.testImages, files.testLabels).images.subarray(0, PIXELS));
}
