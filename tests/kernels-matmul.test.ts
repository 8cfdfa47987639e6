/**
 * Matrix products (BatchMatMul, _FusedMatMul) and a bias's Add and Sum on wasm against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useNativeBlas } from '../src/kernels/native-blas';
import { KernelCall, expectWasmMatchesCpu, forEachWasmPath, runOn, seededNormal, setUpKernelTests } from './helpers/kernel-checks';

setUpKernelTests();

forEachWasmPath((path) => {
  describe('BatchMatMul on wasm matches cpu', () => {
    // [a shape, b shape] before transposition; the flags then transpose the last two axes.
    const shapes: Array<[number[], number[]]> = [
      [[256, 400], [400, 120]], // a dense layer of the course's LeNet
      [[1, 7], [7, 1]],
      [[5, 1], [1, 6]], // an outer product: one sample's weight gradient
      [[3, 4, 1], [3, 1, 2]], // outer products, batched
      [[13, 9], [9, 11]],
      [[3, 4, 5], [3, 5, 2]], // batched
      [[1, 4, 5], [3, 5, 2]], // broadcast batch
      [[2, 3, 4, 5], [2, 3, 5, 6]], // rank 4
      [[3, 0], [0, 4]], // empty inner dimension: all zeros
      [[0, 5], [5, 2]], // empty result
    ];
    shapes.forEach(([aShape, bShape], i) => {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const flip = (shape: number[], t: boolean) => (t ? [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]] : shape);
          const a = flip(aShape, transposeA);
          const b = flip(bShape, transposeB);
          const what = `[${a}]${transposeA ? '^T' : ''} x [${b}]${transposeB ? '^T' : ''}`;
          it(what, async () => {
            await expectWasmMatchesCpu(
              {
                kernel: 'BatchMatMul',
                inputs: {
                  a: { shape: a, values: seededNormal(tf.util.sizeFromShape(a), 900 + i) },
                  b: { shape: b, values: seededNormal(tf.util.sizeFromShape(b), 950 + i) },
                },
                attrs: { transposeA, transposeB },
              },
              what,
            );
          });
        }
      }
    });

    it('is not fooled by a reshape of data it has multiplied before', async () => {
      // The shipped kernel reused XNNPACK's packing of the [6, 4] tensor for its [4, 6] reshape.
      await tf.setBackend('wasm');
      const second = tf.tidy(() => {
        const data = tf.tensor2d(Array.from({ length: 24 }, (_, i) => i), [6, 4]);
        tf.matMul(tf.ones([2, 6]), data).dataSync();
        return tf.matMul(tf.ones([2, 4]), data.reshape([4, 6]));
      });
      // Each column j of the [4, 6] reshape holds j, j+6, j+12, j+18: sum 4j + 36.
      const column = Array.from({ length: 6 }, (_, j) => 4 * j + 36);
      expect(second.arraySync()).toEqual([column, column]);
      second.dispose();
    });
  });

  describe('_FusedMatMul on wasm matches cpu', () => {
    // [a, b] as tfjs passes them (rank 3), bias shape or null, activation.
    const cases: Array<{ a: number[]; b: number[]; tA?: boolean; tB?: boolean; bias: number[] | null; activation: string }> = [
      { a: [1, 64, 784], b: [1, 784, 250], bias: [250], activation: 'relu' }, // the bench MLP's first layer
      { a: [1, 64, 200], b: [1, 200, 10], bias: [10], activation: 'linear' },
      { a: [1, 1, 784], b: [1, 784, 200], bias: [200], activation: 'sigmoid' }, // one sample
      { a: [1, 13, 9], b: [1, 11, 9], tB: true, bias: [1, 11], activation: 'relu6' },
      { a: [1, 9, 13], b: [1, 9, 11], tA: true, bias: [13, 11], activation: 'elu' },
      { a: [1, 9, 13], b: [1, 11, 9], tA: true, tB: true, bias: [1], activation: 'leakyrelu' },
      { a: [3, 4, 5], b: [3, 5, 6], bias: [6], activation: 'prelu' },
      { a: [3, 4, 5], b: [1, 5, 6], bias: null, activation: 'linear' }, // broadcast batch
      { a: [2, 4, 5], b: [2, 5, 6], bias: [2, 4, 6], activation: 'relu' }, // a bias the addon leaves to the fallback
      { a: [1, 7, 1], b: [1, 1, 5], bias: [5], activation: 'sigmoid' }, // inner dimension 1
    ];
    cases.forEach((c, i) => {
      const what = `[${c.a}]${c.tA ? '^T' : ''} x [${c.b}]${c.tB ? '^T' : ''} + bias [${c.bias ?? 'none'}], ${c.activation}`;
      it(what, async () => {
        const cols = c.tB ? c.b[1] : c.b[2];
        const inputs: KernelCall['inputs'] = {
          a: { shape: c.a, values: seededNormal(tf.util.sizeFromShape(c.a), 1100 + i) },
          b: { shape: c.b, values: seededNormal(tf.util.sizeFromShape(c.b), 1150 + i) },
        };
        if (c.bias) inputs.bias = { shape: c.bias, values: seededNormal(tf.util.sizeFromShape(c.bias), 1200 + i) };
        if (c.activation === 'prelu') inputs.preluActivationWeights = { shape: [cols], values: seededNormal(cols, 1250 + i) };
        await expectWasmMatchesCpu(
          { kernel: '_FusedMatMul', inputs, attrs: { transposeA: !!c.tA, transposeB: !!c.tB, activation: c.activation, leakyreluAlpha: 0.3 } },
          what,
        );
      });
    });

    it('is not fooled by a reshape of data it has multiplied before', async () => {
      await tf.setBackend('wasm');
      const second = tf.tidy(() => {
        const data = tf.tensor2d(Array.from({ length: 24 }, (_, i) => i), [6, 4]);
        const bias = tf.zeros([4]);
        tf.fused.matMul({ a: tf.ones([2, 6]), b: data, bias }).dataSync();
        return tf.fused.matMul({ a: tf.ones([2, 4]), b: data.reshape([4, 6]), bias: tf.zeros([6]) });
      });
      const column = Array.from({ length: 6 }, (_, j) => 4 * j + 36);
      expect(second.arraySync()).toEqual([column, column]);
      second.dispose();
    });
  });

  describe("Sum on wasm matches cpu (a bias's gradient runs in the addon, where loaded)", () => {
    const cases: Array<{ x: number[]; axis: number | number[]; keepDims?: boolean }> = [
      { x: [4, 28, 28, 6], axis: [0, 1, 2] }, // a LeNet convolution's bias gradient
      { x: [64, 250], axis: 0 }, // a dense layer's
      { x: [3, 4, 5], axis: [-3, -2], keepDims: true },
      { x: [3, 4, 5], axis: [0, 2] }, // not all but the last: the shipped kernel
      { x: [3, 4, 5], axis: -1 },
      { x: [7], axis: 0 },
    ];
    cases.forEach(({ x, axis, keepDims }, i) => {
      const what = `[${x}] over ${JSON.stringify(axis)}${keepDims ? ', keepDims' : ''}`;
      const call: KernelCall = {
        kernel: 'Sum',
        inputs: { x: { shape: x, values: seededNormal(tf.util.sizeFromShape(x), 1900 + i) } },
        attrs: { axis, keepDims: !!keepDims },
      };
      it(what, async () => {
        await expectWasmMatchesCpu(call, what);
        if (path !== 'native BLAS') return;
        // The addon adds in the shipped kernel's order: the very same floats, so lessons' numbers do not move.
        const native = await runOn('wasm', call);
        useNativeBlas(false);
        const shipped = await runOn('wasm', call).finally(() => useNativeBlas(true));
        expect(native.shape).toEqual(shipped.shape);
        expect(Array.from(native.values)).toEqual(Array.from(shipped.values));
      });
    });
  });

  describe('Add on wasm matches cpu (a bias added to every row runs in the addon, where loaded)', () => {
    const cases: Array<{ a: number[]; b: number[] }> = [
      { a: [4, 28, 28, 6], b: [6] }, // a LeNet convolution's bias
      { a: [6], b: [4, 10, 10, 6] }, // the bias first
      { a: [64, 250], b: [250] }, // a dense layer's bias
      { a: [3, 5], b: [3, 5] }, // same shapes: the shipped kernel
      { a: [3, 1], b: [3, 5] }, // other broadcasting: the shipped kernel
      { a: [4], b: [4] }, // rank 1: not a bias of rows
    ];
    cases.forEach(({ a, b }, i) => {
      const what = `[${a}] + [${b}]`;
      it(what, async () => {
        const inputs = {
          a: { shape: a, values: seededNormal(tf.util.sizeFromShape(a), 1700 + i) },
          b: { shape: b, values: seededNormal(tf.util.sizeFromShape(b), 1800 + i) },
        };
        await expectWasmMatchesCpu({ kernel: 'Add', inputs, attrs: {} }, what);
      });
    });
  });
});
