/**
 * Whole training runs on wasm against cpu from the same weights (a LeNet, an MLP), and kernels that free their temporaries.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConvCase, convOutShape, expectClose, forEachWasmPath, seededNormal, setUpKernelTests, tinyLeNet, trainLosses, wasmBackend, withShippedCpuKernels } from './helpers/kernel-checks';

setUpKernelTests();

/** Runs `runAll` once to warm up, then three times more: the wasm backend's buffers and the tensors stay as many. */
function expectNoBuffersLeft(runAll: () => void): void {
  runAll();
  const buffers = wasmBackend().numDataIds();
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) runAll();
  expect(wasmBackend().numDataIds()).toBe(buffers);
  expect(tf.memory().numTensors).toBe(tensors);
}

forEachWasmPath((path) => {
  describe('training a LeNet-like model on wasm', () => {
    for (const modern of [false, true]) {
      const name = modern ? 'relu + max pooling + Adam' : 'sigmoid + average pooling + SGD';
      it(`${name}: same losses as on cpu from the same weights`, async () => {
        const cpu = await withShippedCpuKernels(() => trainLosses('cpu', modern, 5));
        const wasm = await trainLosses('wasm', modern, 5);
        expectClose(wasm, cpu, 1e-4, name);
        expect(cpu[4]).toBeLessThan(cpu[0]); // it does learn
      });
    }

    for (const backend of ['wasm', 'cpu']) {
      it(`does not accumulate tensors or ${backend} buffers across steps`, async () => {
        await tf.setBackend(backend);
        const buffersOf = () => (tf.findBackend(backend) as unknown as { numDataIds(): number }).numDataIds();
        for (const modern of [false, true]) {
          const model = tinyLeNet(modern);
          const xs = tf.tensor4d(seededNormal(16 * 12 * 12, 31), [16, 12, 12, 1]);
          const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10);
          await model.trainOnBatch(xs, labels); // creates the optimizer's slots
          await model.trainOnBatch(xs, labels);
          const tensors = tf.memory().numTensors;
          const buffers = buffersOf();
          for (let i = 0; i < 4; i++) await model.trainOnBatch(xs, labels);
          expect(tf.memory().numTensors).toBe(tensors);
          expect(buffersOf()).toBe(buffers);
          model.dispose();
          tf.dispose([xs, labels]);
        }
      });
    }
  });

  describe('training an MLP (dense layers: _FusedMatMul and BatchMatMul) on wasm', () => {
    function mlp(): tf.Sequential {
      let seed = 7;
      const init = () => tf.initializers.glorotUniform({ seed: seed++ });
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [20], units: 16, activation: 'relu', kernelInitializer: init() }),
          tf.layers.dense({ units: 12, activation: 'sigmoid', kernelInitializer: init() }),
          tf.layers.dense({ units: 10, kernelInitializer: init() }),
        ],
      });
      model.compile({ optimizer: tf.train.adam(0.01), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
      return model;
    }
    async function run(backend: string, steps: number): Promise<{ losses: number[]; tensorsAfterWarmUp: number; tensorsAtEnd: number }> {
      await tf.setBackend(backend);
      const model = mlp();
      const xs = tf.tensor2d(seededNormal(32 * 20, 51), [32, 20]);
      const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i * 3) % 10), 'int32'), 10);
      const losses: number[] = [];
      losses.push((await model.trainOnBatch(xs, ys)) as number);
      const tensorsAfterWarmUp = tf.memory().numTensors;
      for (let i = 1; i < steps; i++) losses.push((await model.trainOnBatch(xs, ys)) as number);
      const tensorsAtEnd = tf.memory().numTensors;
      model.dispose();
      tf.dispose([xs, ys]);
      return { losses, tensorsAfterWarmUp, tensorsAtEnd };
    }
    it('gives the losses cpu gives, and its tensor count stays flat', async () => {
      const cpu = await withShippedCpuKernels(() => run('cpu', 6));
      const wasm = await run('wasm', 6);
      expectClose(wasm.losses, cpu.losses, 1e-4, 'MLP losses');
      expect(wasm.losses[5]).toBeLessThan(wasm.losses[0]);
      expect(wasm.tensorsAtEnd).toBe(wasm.tensorsAfterWarmUp);
    });
  });

  describe('the wasm kernels free their temporaries', () => {
    it('leave the wasm backend holding no more buffers than before', async () => {
      await tf.setBackend('wasm');
      // Strided with unused input rows (cropped, spread out): the paths with the most temporaries.
      const c: ConvCase = { x: [2, 10, 10, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' };
      const nchw: ConvCase = { x: [2, 2, 9, 9], filter: [3, 3, 2, 5], strides: 2, pad: 'valid', nchw: true };
      const x = tf.tensor(seededNormal(tf.util.sizeFromShape(c.x), 1), c.x);
      const filter = tf.tensor(seededNormal(tf.util.sizeFromShape(c.filter), 2), c.filter) as tf.Tensor4D;
      const dy = tf.tensor(seededNormal(tf.util.sizeFromShape(convOutShape(c.x, c.filter, c.strides, c.pad, false)), 3), convOutShape(c.x, c.filter, c.strides, c.pad, false));
      const xc = tf.tensor(seededNormal(tf.util.sizeFromShape(nchw.x), 4), nchw.x);
      const dyc = tf.tensor(seededNormal(tf.util.sizeFromShape(convOutShape(nchw.x, nchw.filter, nchw.strides, nchw.pad, true)), 5), convOutShape(nchw.x, nchw.filter, nchw.strides, nchw.pad, true));
      const filterc = tf.tensor(seededNormal(tf.util.sizeFromShape(nchw.filter), 6), nchw.filter) as tf.Tensor4D;
      const runAll = () => {
        const outs = tf.tidy(() => [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap),
          tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap),
          tf.engine().runKernel('Conv2DBackpropFilter', { x: xc, dy: dyc }, { strides: nchw.strides, pad: nchw.pad, dataFormat: 'NCHW', filterShape: nchw.filter } as unknown as tf.NamedAttrMap),
          tf.engine().runKernel('Conv2DBackpropInput', { dy: dyc, filter: filterc }, { strides: nchw.strides, pad: nchw.pad, dataFormat: 'NCHW', inputShape: nchw.x } as unknown as tf.NamedAttrMap),
          tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'))(x),
          tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 3, 2, 'same'))(x),
          tf.matMul(x.reshape([20, 20]), x.reshape([20, 20]), true, false),
          tf.matMul(x.reshape([40, 10]), x.reshape([40, 10]), false, true),
          tf.matMul(x.reshape([40, 10]), x.reshape([10, 40])),
          tf.matMul(x.reshape([4, 10, 10]), x.reshape([4, 10, 10]), true, true),
        ] as tf.Tensor[]);
        tf.dispose(outs);
      };
      expectNoBuffersLeft(runAll);
      tf.dispose([x, filter, dy, xc, dyc, filterc]);
    });
  });

  it('Conv2D, FusedConv2D and _FusedMatMul free their temporaries', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seededNormal(2 * 3 * 7 * 6, 61), [2, 3, 7, 6]); // NCHW: 3 channels; NHWC: 6
    const w = tf.tensor4d(seededNormal(3 * 3 * 3 * 9, 62), [3, 3, 3, 9]);
    const w6 = tf.tensor4d(seededNormal(3 * 3 * 6 * 9, 64), [3, 3, 6, 9]);
    const bias = tf.tensor1d(seededNormal(9, 63));
    const runAll = () =>
      tf.dispose(
        tf.tidy(() => [
          ...(path === 'native BLAS' ? [tf.conv2d(x, w, 1, 'same', 'NCHW')] : []),
          tf.conv2d(x, w6, 1, 'same'),
          tf.fused.conv2d({ x, filter: w6, strides: 1, pad: 'same', bias, activation: 'relu' }),
          tf.fused.conv2d({ x, filter: w6, strides: 1, pad: 'same', bias, activation: 'prelu', preluActivationWeights: bias }),
          tf.fused.matMul({ a: x.reshape([42, 6]), b: x.reshape([42, 6]), transposeA: true, bias: tf.ones([6]), activation: 'relu' }),
          tf.fused.matMul({ a: x.reshape([2, 21, 6]), b: x.reshape([2, 21, 6]), transposeB: true, bias: tf.ones([2, 21, 21]) }),
        ]),
      );
    expectNoBuffersLeft(runAll);
    tf.dispose([x, w, w6, bias]);
  });
});
