/**
 * Pooling gradients, GatherV2 and Identity on wasm against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { KernelCall, POOL_CASES, describePool, expectWasmMatchesCpu, forEachWasmPath, poolOutShape, seededNormal, setUpKernelTests } from './helpers/kernel-checks';

setUpKernelTests();

describe('GatherV2 on wasm matches cpu', () => {
  const CASES: Array<{ what: string; shape: number[]; dtype: 'float32' | 'int32'; indices: number[]; indexShape?: number[]; axis: number; batchDims?: number }> = [
    { what: 'rows of a matrix (a minibatch)', shape: [50, 40], dtype: 'float32', indices: [7, 0, 49, 7, 13], axis: 0 },
    { what: 'images [n, 6, 6, 1]', shape: [20, 6, 6, 1], dtype: 'float32', indices: [19, 3, 3, 0], axis: 0 },
    { what: 'labels (one value per index)', shape: [30], dtype: 'int32', indices: [29, 1, 2, 2, 0], axis: 0 },
    { what: 'columns (axis 1)', shape: [4, 9, 3], dtype: 'float32', indices: [8, 0, 4], axis: 1 },
    { what: 'a 2-D index tensor', shape: [10, 3], dtype: 'float32', indices: [1, 2, 3, 4, 5, 6], indexShape: [2, 3], axis: 0 },
    { what: 'batchDims 1', shape: [3, 5, 2], dtype: 'float32', indices: [0, 4, 1, 1, 2, 3], indexShape: [3, 2], axis: 1, batchDims: 1 },
    { what: 'no indices', shape: [6, 4], dtype: 'float32', indices: [], axis: 0 },
  ];
  for (const c of CASES) {
    it(c.what, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        const values = Array.from(seededNormal(tf.util.sizeFromShape(c.shape), 900), (v) => (c.dtype === 'int32' ? Math.round(100 * v) : v));
        const x = tf.tensor(values, c.shape, c.dtype);
        const indices = tf.tensor(c.indices, c.indexShape ?? [c.indices.length], 'int32');
        const out = tf.gather(x, indices, c.axis, c.batchDims ?? 0);
        const result = { shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync()) };
        tf.dispose([x, indices, out]);
        return result;
      };
      expect(await run('wasm')).toEqual(await run('cpu'));
    });
  }

  it('rejects an index out of range, naming it, and keeps no buffer', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([5, 3]);
    const indices = tf.tensor1d([1, 5], 'int32');
    const buffers = tf.engine().backend.numDataIds();
    expect(() => tf.gather(x, indices)).toThrow(/index value 5 is not in \[0, 4\]/);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    tf.dispose([x, indices]);
  });
});

describe('Identity on wasm', () => {
  it('shares the data instead of copying it, and frees it with the last tensor that uses it', async () => {
    await tf.setBackend('wasm');
    const backend = tf.engine().backend as unknown as { numDataIds(): number; getMemoryOffset(dataId: object): number };
    const buffers = backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const copy = tf.clone(x);
    expect(backend.getMemoryOffset(copy.dataId)).toBe(backend.getMemoryOffset(x.dataId));
    expect(backend.numDataIds()).toBe(buffers + 1);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4]); // still there: the clone holds a reference
    copy.dispose();
    expect(backend.numDataIds()).toBe(buffers);
  });

  it('keeps a variable and its clone apart when the variable is assigned', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    tf.tidy(() => v.assign(tf.tensor1d([7, 8, 9])));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });
});

forEachWasmPath((path) => {
  describe('MaxPoolGrad on wasm matches cpu', () => {
    POOL_CASES.forEach((c, i) => {
      const poolCall = (x: Float32Array, shift: number): KernelCall => {
        const outShape = poolOutShape(c);
        const shifted = x.map((v) => v + shift);
        return {
          kernel: 'MaxPoolGrad',
          inputs: {
            dy: { shape: outShape, values: seededNormal(tf.util.sizeFromShape(outShape), 600 + i) },
            input: { shape: c.x, values: shifted },
            // MaxPoolGrad's `output` input is the forward result; the kernels recompute what they need from `input`.
            output: { shape: outShape, values: new Float32Array(tf.util.sizeFromShape(outShape)) },
          },
          attrs: { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
        };
      };
      it(describePool(c), async () => {
        const x = seededNormal(tf.util.sizeFromShape(c.x), 500 + i);
        await expectWasmMatchesCpu(poolCall(x, 0), describePool(c));
        // All-negative windows: what the shipped wasm kernel got wrong.
        await expectWasmMatchesCpu(poolCall(x, -10), `${describePool(c)}, all values negative`);
      });
    });
  });

  describe('AvgPoolGrad on wasm matches cpu', () => {
    POOL_CASES.forEach((c, i) => {
      it(describePool(c), async () => {
        const outShape = poolOutShape(c);
        await expectWasmMatchesCpu(
          {
            kernel: 'AvgPoolGrad',
            inputs: {
              dy: { shape: outShape, values: seededNormal(tf.util.sizeFromShape(outShape), 700 + i) },
              input: { shape: c.x, values: seededNormal(tf.util.sizeFromShape(c.x), 800 + i) },
            },
            attrs: { filterSize: c.filterSize, strides: c.strides, pad: c.pad },
          },
          describePool(c),
        );
      });
    });
  });
});
