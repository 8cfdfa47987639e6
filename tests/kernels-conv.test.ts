/**
 * Convolution kernels and their gradients (the course's, on wasm and cpu) against the cpu backend's shipped ones,
 * and a small conv net's gradients against finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CONV_CASES, ConvCase, convOutShape, describeConv, expectClose, expectMatchesReference, expectWasmMatchesCpu, forEachWasmPath, KernelCall, seededNormal, setUpKernelTests } from './helpers/kernel-checks';

setUpKernelTests();

/** Conv2DBackpropFilter on conv case `c` (the i-th), with seeded x and dy. */
function filterGradientCall(c: ConvCase, i: number): KernelCall {
  const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, !!c.nchw, c.rounding);
  return {
    kernel: 'Conv2DBackpropFilter',
    inputs: {
      x: { shape: c.x, values: seededNormal(tf.util.sizeFromShape(c.x), 100 + i) },
      dy: { shape: dyShape, values: seededNormal(tf.util.sizeFromShape(dyShape), 200 + i) },
    },
    attrs: { strides: c.strides, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC', dimRoundingMode: c.rounding, filterShape: c.filter },
  };
}

describe("Conv2DBackpropFilter on cpu (the course's) matches the shipped cpu kernel", () => {
  CONV_CASES.forEach((c, i) => {
    it(describeConv(c), async () => {
      await expectMatchesReference('cpu', filterGradientCall(c, i), describeConv(c));
    });
  });
});

describe('dilated convolutions', () => {
  it('run forward on wasm, and their gradients fail with a clear message (tfjs has none for dilations > 1)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededNormal(1 * 7 * 7 * 2, 41), [1, 7, 7, 2]);
    const f = tf.tensor4d(seededNormal(3 * 3 * 2 * 2, 42), [3, 3, 2, 2]);
    const y = tf.conv2d(x, f, 1, 'same', 'NHWC', 2);
    expect(y.shape).toEqual([1, 7, 7, 2]);
    expect(() => tf.grad((g: tf.Tensor) => tf.conv2d(x, g as tf.Tensor4D, 1, 'same', 'NHWC', 2))(f)).toThrow(/dilation/);
    tf.dispose([x, f, y]);
  });
});

forEachWasmPath((path) => {
  describe('Conv2DBackpropFilter on wasm matches cpu', () => {
    CONV_CASES.forEach((c, i) => {
      it(describeConv(c), async () => {
        await expectWasmMatchesCpu(filterGradientCall(c, i), describeConv(c));
      });
    });
  });

  describe('Conv2DBackpropInput on wasm matches cpu', () => {
    CONV_CASES.forEach((c, i) => {
      it(describeConv(c), async () => {
        const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, !!c.nchw, c.rounding);
        await expectWasmMatchesCpu(
          {
            kernel: 'Conv2DBackpropInput',
            inputs: {
              dy: { shape: dyShape, values: seededNormal(tf.util.sizeFromShape(dyShape), 300 + i) },
              filter: { shape: c.filter, values: seededNormal(tf.util.sizeFromShape(c.filter), 400 + i) },
            },
            attrs: { strides: c.strides, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC', dimRoundingMode: c.rounding, inputShape: c.x },
          },
          describeConv(c),
        );
      });
    });
  });

  describe('Conv2D and FusedConv2D on wasm match cpu', () => {
    // CONV_CASES (mostly few output channels: the shipped XNNPACK kernel) and wider ones (the addon, where loaded).
    const wide: Array<ConvCase & { dilations?: number }> = [
      { x: [4, 14, 14, 6], filter: [5, 5, 6, 16], strides: 1, pad: 'valid' }, // LeNet's second layer
      { x: [2, 9, 9, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'same' },
      { x: [2, 7, 9, 4], filter: [3, 2, 4, 12], strides: [1, 2], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
      { x: [2, 8, 8, 5], filter: [3, 3, 5, 8], strides: 1, pad: 'same', dilations: 2 },
      { x: [2, 9, 7, 2], filter: [2, 3, 2, 9], strides: 1, pad: 'valid', dilations: 2 },
      { x: [2, 6, 6, 9], filter: [1, 1, 9, 10], strides: 1, pad: 'valid' }, // pointwise
      { x: [2, 8, 8, 2], filter: [3, 3, 2, 8], strides: 2, pad: 0, rounding: 'ceil' },
      { x: [2, 3, 7, 6], filter: [3, 3, 3, 9], strides: 1, pad: 'same', nchw: true },
      { x: [1, 4, 4, 2], filter: [5, 5, 2, 8], strides: 1, pad: 'same' }, // filter larger than the image
    ];
    [...CONV_CASES, ...wide].forEach((c: ConvCase & { dilations?: number }, i) => {
      const what = `${describeConv(c)}${c.dilations ? ` dilations ${c.dilations}` : ''}`;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC', dilations: c.dilations ?? 1, dimRoundingMode: c.rounding };
      const x = { shape: c.x, values: seededNormal(tf.util.sizeFromShape(c.x), 1300 + i) };
      const filter = { shape: c.filter, values: seededNormal(tf.util.sizeFromShape(c.filter), 1400 + i) };
      // The shipped XNNPACK convolution (the pure-wasm path) rejects NCHW and mishandles dimRoundingMode 'ceil'.
      const shippedCannot = !!c.nchw || (c.rounding !== undefined && c.rounding !== 'floor');
      if (path === 'pure wasm' && shippedCannot) return;
      it(`Conv2D ${what}`, async () => {
        await expectWasmMatchesCpu({ kernel: 'Conv2D', inputs: { x, filter }, attrs }, what);
      });
      if (c.nchw) return; // the wasm backend's FusedConv2D is channels-last only
      const activation = ['relu', 'sigmoid', 'linear', 'leakyrelu', 'elu', 'relu6', 'prelu'][i % 7];
      it(`FusedConv2D ${what}, bias, ${activation}`, async () => {
        const channels = c.filter[3];
        const inputs: KernelCall['inputs'] = { x, filter, bias: { shape: [channels], values: seededNormal(channels, 1500 + i) } };
        if (activation === 'prelu') inputs.preluActivationWeights = { shape: [channels], values: seededNormal(channels, 1600 + i) };
        await expectWasmMatchesCpu({ kernel: 'FusedConv2D', inputs, attrs: { ...attrs, activation, leakyreluAlpha: 0.3 } }, `${what}, ${activation}`);
      });
    });
  });

  describe('gradients of a small conv net on wasm', () => {
    it("match finite differences of the loss with respect to the conv filters", async () => {
      await tf.setBackend('wasm');
      // conv 3x3 'same' -> sigmoid -> max pool -> conv 2x2 stride 2 'valid' -> tanh -> weighted sum.
      const x = tf.tensor4d(seededNormal(2 * 8 * 8 * 2, 11), [2, 8, 8, 2]);
      const readout = tf.tensor4d(seededNormal(2 * 2 * 2 * 3, 12), [2, 2, 2, 3]);
      const loss = (f1: tf.Tensor4D, f2: tf.Tensor4D): tf.Scalar =>
        tf.tidy(() => {
          const h = tf.maxPool(tf.sigmoid(tf.conv2d(x, f1, 1, 'same')), 2, 2, 'valid');
          return tf.sum(tf.mul(tf.tanh(tf.conv2d(h, f2, 2, 'valid')), readout));
        });
      const f1 = tf.tensor4d(seededNormal(3 * 3 * 2 * 4, 13), [3, 3, 2, 4]);
      const f2 = tf.tensor4d(seededNormal(2 * 2 * 4 * 3, 14), [2, 2, 4, 3]);
      const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([f1, f2]);

      // Central differences, computed in float64 from float32 losses: eps is
      // large enough that float32 rounding of the loss stays well below the
      // tolerance and small enough that the O(eps^2) truncation error does too.
      const eps = 1e-2;
      const numeric = (which: 0 | 1): Float64Array => {
        const base = [f1.dataSync().slice(), f2.dataSync().slice()] as Float32Array[];
        const out = new Float64Array(base[which].length);
        for (let i = 0; i < out.length; i++) {
          const at = (delta: number) => {
            const values = base[which].slice();
            values[i] += delta;
            const moved = tf.tensor4d(values, (which === 0 ? f1 : f2).shape);
            const l = which === 0 ? loss(moved, f2) : loss(f1, moved);
            const v = l.dataSync()[0];
            tf.dispose([moved, l]);
            return v;
          };
          out[i] = (at(eps) - at(-eps)) / (2 * eps);
        }
        return out;
      };
      expectClose(g1.dataSync(), numeric(0), 2e-3, 'first conv filter');
      expectClose(g2.dataSync(), numeric(1), 2e-3, 'second conv filter');
      tf.dispose([x, readout, f1, f2, g1, g2]);
    });
  });
});
