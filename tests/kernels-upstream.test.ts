/**
 * Is each upstream problem a course kernel replacement answers still there? Each test runs tfjs's OWN
 * kernel (the course's are unregistered) and reproduces the bug, or shows the slow algorithm as a
 * property (copies made, functions called), never as a time. After a tfjs upgrade, a failing test here
 * names the replacement to retire (docs/kernels.md); passing ones are re-verified on the new version.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../src/backend';
import { COURSE_KERNELS, registerCourseKernels, unregisterCourseKernels } from '../src/kernels';
import type { BackendWasm } from '../src/kernels/wasm-memory';

/** The failure message of a reproduction: what to do when upstream no longer shows the problem. */
const retire = (kernel: string, file: string) =>
  `tfjs's own ${kernel} no longer shows the problem src/kernels/${file} answers: retire that replacement (docs/kernels.md)`;

/** Replacements whose upstream slowness lies inside compiled C++ with no property visible from JavaScript: re-measured with npm run bench (docs/kernels.md). */
const MEASURED_BY_BENCH = ['wasm/Conv2DBackpropInput', 'wasm/AvgPoolGrad', 'wasm/GatherV2', 'wasm/Conv2D', 'wasm/FusedConv2D', 'wasm/Add'];
const REPRODUCED_HERE = [
  'wasm/MaxPoolGrad', 'wasm/BatchMatMul', 'wasm/_FusedMatMul', 'wasm/Identity', 'wasm/Sum', 'cpu/Conv2DBackpropFilter',
  'wasm/CourseSigmoidGrad', 'wasm/CourseReluGrad',
];

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
  unregisterCourseKernels('wasm');
  unregisterCourseKernels('cpu');
});

afterAll(async () => {
  registerCourseKernels('cpu');
  await tf.setBackend('wasm');
  registerCourseKernels('wasm');
});

describe("the upstream problems the course's replacements answer", () => {
  it('are each reproduced here or left to the benchmark, none forgotten', () => {
    const replacements = COURSE_KERNELS.filter((k) => k.upstream).map((k) => `${k.config.backendName}/${k.config.kernelName}`);
    expect([...replacements].sort()).toEqual([...REPRODUCED_HERE, ...MEASURED_BY_BENCH].sort());
  });

  it("wasm MaxPoolGrad: a window of values all <= 0 sends its gradient to the wrong element", () => {
    const x = tf.tensor4d([-4, -1, -3, -2], [1, 2, 2, 1]);
    const dx = tf.grad((input: tf.Tensor) => tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid').sum())(x);
    expect(Array.from(dx.dataSync()), retire('MaxPoolGrad', 'wasm-max-pool-grad.ts')).not.toEqual([0, 1, 0, 0]);
    tf.dispose([x, dx]);
  });

  for (const kernel of ['BatchMatMul', '_FusedMatMul'] as const) {
    const file = kernel === 'BatchMatMul' ? 'wasm-batch-mat-mul.ts' : 'wasm-fused-mat-mul.ts';
    it(`wasm ${kernel}: after a product with b, a product with a reshape of b reuses b's old packing`, () => {
      const multiply = (a: tf.Tensor2D, b: tf.Tensor2D) => (kernel === 'BatchMatMul' ? tf.matMul(a, b) : tf.fused.matMul({ a, b }));
      const b = tf.tensor2d(Array.from({ length: 24 }, (_, i) => i + 1), [6, 4]);
      const first = multiply(tf.ones([1, 6]), b);
      const reshaped = b.reshape([4, 6]) as tf.Tensor2D;
      const second = multiply(tf.ones([1, 4]), reshaped);
      const expected = [0, 1, 2, 3, 4, 5].map((j) => [0, 1, 2, 3].reduce((sum, i) => sum + (i * 6 + j + 1), 0));
      expect(Array.from(second.dataSync()), retire(kernel, file)).not.toEqual(expected);
      tf.dispose([b, first, reshaped, second]);
    });
  }

  it('wasm _FusedMatMul: a bias of one value per output element (rank 2) is refused or misread', () => {
    const [a, b] = [tf.ones([2, 3]) as tf.Tensor2D, tf.ones([3, 2]) as tf.Tensor2D];
    const bias = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    let result: number[] | string;
    try {
      result = Array.from(tf.fused.matMul({ a, b, bias }).dataSync());
    } catch (error) {
      result = String(error);
    }
    expect(result, retire('_FusedMatMul', 'wasm-fused-mat-mul.ts')).not.toEqual([4, 5, 6, 7]);
    tf.dispose([a, b, bias]);
  });

  it('wasm Identity: copies the tensor (a new buffer) where sharing its data does', () => {
    const backend = tf.backend() as BackendWasm;
    const x = tf.ones([100]);
    const before = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds() - before, retire('Identity', 'wasm-identity.ts')).toBe(1);
    tf.dispose([x, y]);
  });

  it("wasm Sum: transposes the whole tensor before summing over every axis but the last (a bias's gradient)", () => {
    const backend = tf.backend() as BackendWasm;
    const x = tf.ones([4, 3, 3, 2]);
    const allocated: number[][] = [];
    const makeOutput = backend.makeOutput.bind(backend);
    const spy = vi.spyOn(backend, 'makeOutput').mockImplementation((shape: number[], dtype: tf.DataType, memoryOffset?: number) => {
      allocated.push([...shape]);
      return makeOutput(shape, dtype, memoryOffset);
    });
    const sum = tf.sum(x, [0, 1, 2]);
    spy.mockRestore();
    expect(allocated.some((shape) => tf.util.sizeFromShape(shape) === x.size), retire('Sum', 'wasm-bias-grad-sum.ts')).toBe(true);
    tf.dispose([x, sum]);
  });

  it("tfjs's gradients of Sigmoid and Relu are three element-wise passes each", async () => {
    for (const [activation, kernel, file] of [[tf.sigmoid, 'CourseSigmoidGrad', 'activation-grads.ts'], [tf.relu, 'CourseReluGrad', 'activation-grads.ts']] as const) {
      const x = tf.randomNormal([64], 0, 1, 'float32', 1);
      const gradient = tf.grad((input: tf.Tensor) => activation(input));
      const profile = await tf.profile(() => gradient(x));
      const backward = profile.kernels.filter((k) => !['Sigmoid', 'Relu', 'Fill', 'Identity'].includes(k.name));
      expect(backward.length, retire(`gradient of ${activation === tf.sigmoid ? 'Sigmoid' : 'Relu'}`, `${file} (${kernel})`)).toBeGreaterThanOrEqual(3);
      x.dispose();
    }
  });

  it('cpu Conv2DBackpropFilter: reads every value through TensorBuffer.get, many times over', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const get = vi.spyOn(tf.TensorBuffer.prototype, 'get');
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    const calls = get.mock.calls.length;
    get.mockRestore();
    // One call per product x · dy: (filter weights) × (output pixels), twice (x and dy).
    expect(calls, retire('Conv2DBackpropFilter on cpu', 'cpu-conv2d-backprop-filter.ts')).toBeGreaterThanOrEqual(3 * 3 * 3 * 4 * 2 * 8 * 8);
    tf.dispose([x, dy, dw]);
    await tf.setBackend('wasm');
  });
});
