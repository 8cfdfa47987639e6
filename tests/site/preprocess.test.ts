// The demo's preprocessing, in Node: an MNIST digit drawn ten times larger comes back close to itself,
// which is what lets a model trained on MNIST read a drawing.
import { describe, expect, it } from 'vitest';
import { datasetFiles, PIXELS, readImageSet } from '../../src/data/mnist';
import { inkBoundingBox, resizeArea, toMnistInput } from '../../site/src/lib/preprocess';

const SCALE = 10;

function upscale(digit: Float32Array): Float32Array {
  const size = 28 * SCALE;
  const big = new Float32Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) big[y * size + x] = digit[Math.floor(y / SCALE) * 28 + Math.floor(x / SCALE)];
  return big;
}

describe('demo preprocessing', () => {
  it('finds the ink and averages areas when resizing', () => {
    const ink = new Float32Array(100);
    ink[3 * 10 + 4] = 1;
    ink[6 * 10 + 7] = 0.5;
    expect(inkBoundingBox(ink, 10, 10)).toEqual({ left: 4, top: 3, width: 4, height: 4 });
    expect(inkBoundingBox(new Float32Array(100), 10, 10)).toBeUndefined();
    expect(Array.from(resizeArea(Float32Array.from([1, 0, 0, 1]), 2, 2, 1, 1))).toEqual([0.5]);
    expect(toMnistInput(new Float32Array(100), 10, 10)).toBeUndefined();
  });

  it('turns MNIST digits drawn ten times larger back into themselves', () => {
    const files = datasetFiles('mnist');
    const test = readImageSet(files.testImages, files.testLabels);
    let totalError = 0;
    for (let n = 0; n < 50; n++) {
      const digit = Float32Array.from(test.images.subarray(n * PIXELS, (n + 1) * PIXELS), (v) => v / 255);
      const input = toMnistInput(upscale(digit), 28 * SCALE, 28 * SCALE)!;
      let error = 0;
      for (let i = 0; i < PIXELS; i++) error += Math.abs(input[i] - digit[i]);
      totalError += error / PIXELS;
    }
    // MNIST digits already fill a 20×20 box centred by mass, so the round trip is nearly exact (about 1e-5);
    // centring on the wrong pixel (13.5 instead of 14) gives 0.06.
    expect(totalError / 50).toBeLessThan(0.005);
  });
});
