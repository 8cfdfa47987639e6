/**
 * The course's extra TensorFlow.js kernels (src/kernels), checked against
 * the cpu backend, which is plain JavaScript and serves as the reference.
 *
 * Inputs come from a seeded generator, so every run sees the same numbers.
 * Kernels are called through `tf.engine().runKernel`, by name, so each test
 * exercises exactly the kernel it names on the backend it names.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseError } from '../src/errors';
import { assertKernelsAvailable, courseKernels, registerCourseKernels, unregisterCourseKernels } from '../src/kernels';
import { nativeBlasStatus, useNativeBlas } from '../src/kernels/native-blas';
import { RELU_GRAD, SIGMOID_GRAD } from '../src/kernels/activation-grads';
import { installHint, SYSTEM_PARTS } from '../tools/system-parts.mjs';
import { optionalPart, partExpectedAbsent } from './helpers/optional-part';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

// ---------------------------------------------------------------- helpers

/** Deterministic standard-normal values (mulberry32 + Box-Muller). */
function seededNormal(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

interface KernelCall {
  kernel: string;
  inputs: Record<string, { shape: number[]; values: Float32Array }>;
  attrs: Record<string, unknown>;
}

/** Runs one kernel on one backend and returns its output's values and shape. */
async function runOn(backend: string, call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const inputs: tf.NamedTensorMap = {};
  for (const [name, { shape, values }] of Object.entries(call.inputs)) inputs[name] = tf.tensor(values, shape, 'float32');
  const out = tf.engine().runKernel(call.kernel, inputs, call.attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(inputs)]);
  return result;
}

/** Elementwise |a - e| <= rtol * max(|e|, mean |e|): relative, but not fooled by values near 0. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, what = ''): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let meanAbs = 0;
  for (let i = 0; i < expected.length; i++) meanAbs += Math.abs(expected[i]);
  meanAbs /= Math.max(1, expected.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), meanAbs, 1e-30);
    if (!(err <= worst)) {
      worst = err;
      worstAt = i;
    }
  }
  expect(worst, `${what}: worst relative error at ${worstAt} (got ${actual[worstAt]}, want ${expected[worstAt]})`).toBeLessThanOrEqual(rtol);
}

/**
 * The cpu backend's own kernels, as shipped, are the reference. The course
 * replaces one of them (a faster Conv2DBackpropFilter), so reference runs
 * put the shipped ones back for their duration.
 */
const shippedCpuKernels: tf.KernelConfig[] = [];

async function withShippedCpuKernels<T>(run: () => Promise<T>): Promise<T> {
  const swap = (configs: tf.KernelConfig[]) =>
    configs.map((config) => {
      const current = tf.getKernel(config.kernelName, 'cpu');
      tf.unregisterKernel(config.kernelName, 'cpu');
      tf.registerKernel(config);
      return current;
    });
  const course = swap(shippedCpuKernels);
  try {
    return await run();
  } finally {
    swap(course);
  }
}

function runReference(call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  return withShippedCpuKernels(() => runOn('cpu', call));
}

/** Same kernel, same inputs, on `backend` (with the course's kernels) and on shipped cpu: same answer. */
async function expectMatchesReference(backend: string, call: KernelCall, what: string, rtol = 1e-4): Promise<void> {
  const reference = await runReference(call);
  const result = await runOn(backend, call);
  expect(result.shape, what).toEqual(reference.shape);
  expectClose(result.values, reference.values, rtol, what);
}

const expectWasmMatchesCpu = (call: KernelCall, what: string) => expectMatchesReference('wasm', call, what);

function wasmBackend(): { numDataIds(): number } {
  return tf.findBackend('wasm') as unknown as { numDataIds(): number };
}

function convOutShape(x: Shape4, filter: Shape4, strides: number | [number, number], pad: Pad, nchw: boolean, rounding?: 'floor' | 'round' | 'ceil'): number[] {
  const info = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad, rounding, false, nchw ? 'channelsFirst' : 'channelsLast');
  return info.outShape;
}

// ------------------------------------------------------------ the cases

interface ConvCase {
  x: Shape4; // NHWC, or NCHW when nchw
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  nchw?: boolean;
  rounding?: 'floor' | 'round' | 'ceil';
}

const CONV_CASES: ConvCase[] = [
  // The course's LeNet layers, at a small batch.
  { x: [4, 28, 28, 1], filter: [5, 5, 1, 6], strides: 1, pad: 'same' },
  { x: [4, 14, 14, 6], filter: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  // Channel counts, filter sizes and shapes off the beaten path.
  { x: [1, 1, 1, 1], filter: [1, 1, 1, 1], strides: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [3, 8, 5, 2], filter: [2, 3, 2, 5], strides: 1, pad: 'same' },
  { x: [2, 6, 6, 17], filter: [1, 1, 17, 3], strides: 1, pad: 'valid' },
  { x: [1, 5, 5, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'valid' },
  // Strides, including ones that leave input rows unused and unequal ones.
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 10, 10, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 11, 8, 2], filter: [3, 2, 2, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 8, 8, 4], filter: [4, 4, 4, 2], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 9, 1], filter: [3, 3, 1, 4], strides: 2, pad: 'same' },
  // Explicit and numeric padding, including padding wider than the filter.
  { x: [2, 6, 7, 3], filter: [3, 3, 3, 2], strides: 1, pad: [[0, 0], [1, 2], [0, 3], [0, 0]] },
  { x: [2, 6, 6, 2], filter: [3, 3, 2, 2], strides: 2, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { x: [1, 5, 5, 2], filter: [2, 2, 2, 3], strides: 1, pad: [[0, 0], [3, 3], [0, 2], [0, 0]] },
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 1 },
  { x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 0, rounding: 'ceil' },
  { x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 0, rounding: 'floor' },
  // Channels-first layout.
  { x: [2, 3, 7, 6], filter: [3, 3, 3, 4], strides: 1, pad: 'same', nchw: true },
  { x: [2, 2, 9, 9], filter: [3, 3, 2, 5], strides: 2, pad: 'valid', nchw: true },
  { x: [2, 1, 6, 5], filter: [3, 2, 1, 3], strides: 1, pad: 'same', nchw: true },
];

function describeConv(c: ConvCase): string {
  const rounding = c.rounding ? ` rounding ${c.rounding}` : '';
  return `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${rounding}${c.nchw ? ' NCHW' : ''}`;
}

interface PoolCase {
  x: Shape4;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
}

const POOL_CASES: PoolCase[] = [
  { x: [4, 28, 28, 6], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [4, 10, 10, 16], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 3], filterSize: 3, strides: 2, pad: 'same' },
  { x: [2, 5, 6, 4], filterSize: 3, strides: 1, pad: 'same' },
  { x: [2, 9, 7, 1], filterSize: [2, 3], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 6, 5], filterSize: 2, strides: 1, pad: 'valid' },
  { x: [2, 5, 5, 2], filterSize: 3, strides: 2, pad: [[0, 0], [1, 1], [0, 2], [0, 0]] },
  // Windows that tile the input exactly (AvgPoolGrad's fast path), and windows that stop short of its edge.
  { x: [2, 9, 8, 3], filterSize: [3, 2], strides: [3, 2], pad: 'valid' },
  { x: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: 'valid' },
];

function describePool(c: PoolCase): string {
  return `x [${c.x}] window ${JSON.stringify(c.filterSize)} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
}

function poolOutShape(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad).outShape;
}

// ------------------------------------------------------ the fused Adam update

const ADAM_ATTRS = { beta1: 0.9, beta2: 0.999, stepSize: 0.003, epsilon: 1e-7 };

/** One step of CourseAdamUpdate on `backend` against the same step written with tfjs ops on cpu. */
async function expectAdamMatchesOps(backend: string): Promise<void> {
  const attrs = ADAM_ATTRS;
  const shape = [37, 11];
  const size = tf.util.sizeFromShape(shape);
  const start = { param: seededNormal(size, 1001), m: seededNormal(size, 1002).map((v) => 0.1 * v), v: seededNormal(size, 1003).map((v) => v * v), gradient: seededNormal(size, 1004) };
  await tf.setBackend('cpu');
  const expected = tf.tidy(() => {
    const [p, m, v, g] = [start.param, start.m, start.v, start.gradient].map((values) => tf.tensor(values, shape));
    const m2 = m.mul(attrs.beta1).add(g.mul(1 - attrs.beta1));
    const v2 = v.mul(attrs.beta2).add(g.square().mul(1 - attrs.beta2));
    const p2 = p.sub(m2.div(v2.sqrt().add(attrs.epsilon)).mul(attrs.stepSize));
    return [p2, m2, v2].map((t) => t.dataSync() as Float32Array);
  });
  await tf.setBackend(backend);
  const inputs = Object.fromEntries(Object.entries(start).map(([name, values]) => [name, tf.tensor(values, shape)]));
  const outputs = tf.engine().runKernel('CourseAdamUpdate', inputs, attrs) as tf.Tensor[];
  expect(outputs.map((t) => t.shape)).toEqual([shape, shape, shape]);
  outputs.forEach((t, i) => expectClose(t.dataSync(), expected[i], 1e-5, ['param', 'm', 'v'][i]));
  tf.dispose([...outputs, ...Object.values(inputs)]);
}

// ------------------------------------------------------------------ tests

/** The wasm backend's own kernels (or none) for the names the course registers with the addon. */
const shippedWasmKernels = new Map<string, tf.KernelConfig | undefined>();

beforeAll(async () => {
  // Importing @tensorflow/tfjs-backend-wasm registered the backend; in Node
  // it loads its .wasm binaries from its own dist/ folder.
  expect(await tf.setBackend('wasm')).toBe(true);
  for (const name of [...WASM_KERNELS, ...WASM_KERNELS_WITH_ADDON]) shippedWasmKernels.set(name, tf.getKernel(name, 'wasm'));
  registerCourseKernels('wasm');
  for (const { kernelName } of courseKernels('cpu')) {
    const shipped = tf.getKernel(kernelName, 'cpu'); // none for the course's own ops (reason 'fused')
    if (shipped) shippedCpuKernels.push(shipped);
  }
  registerCourseKernels('cpu');
});

describe('registerCourseKernels', () => {
  it('has registered the wasm kernels, and a second call registers nothing', () => {
    for (const { kernelName } of courseKernels('wasm')) expect(tf.getKernel(kernelName, 'wasm'), kernelName).toBeDefined();
    expect(registerCourseKernels('wasm')).toEqual([]);
  });

  it('has replaced only the slow Conv2DBackpropFilter on cpu, and added the fused Adam update', () => {
    expect(courseKernels('cpu')).toEqual([
      { kernelName: 'Conv2DBackpropFilter', reason: 'slow' },
      { kernelName: 'CourseAdamUpdate', reason: 'fused' },
    ]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(shippedCpuKernels[0]);
    expect(registerCourseKernels('cpu')).toEqual([]);
  });

  it('adds nothing to a backend it has no kernels for', () => {
    expect(registerCourseKernels('webgl')).toEqual([]);
  });

  it('covers what training a conv net needs on wasm', () => {
    assertKernelsAvailable(
      ['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'AvgPool', 'AvgPoolGrad', 'MaxPool', 'MaxPoolGrad'],
      'wasm',
    );
  });
});

describe('assertKernelsAvailable', () => {
  it('passes silently when every kernel is there', () => {
    expect(() => assertKernelsAvailable(['Conv2D', 'Sigmoid'], 'cpu')).not.toThrow();
  });

  it('names each missing kernel, the backend, and the way out', () => {
    let error: unknown;
    try {
      assertKernelsAvailable(['Conv2D', 'NoSuchKernel', 'AlsoMadeUp'], 'wasm');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourseError);
    const message = (error as Error).message;
    expect(message).toContain("'NoSuchKernel'");
    expect(message).toContain("'AlsoMadeUp'");
    expect(message).not.toContain("'Conv2D'");
    expect(message).toContain("'wasm'");
    expect(message).toContain('COURSE_BACKEND');
    expect(message).toMatch(/node-gpu, node, wasm or cpu/);
  });

  it('defaults to the active backend', async () => {
    await tf.setBackend('wasm');
    expect(() => assertKernelsAvailable(['MadeUpKernel'])).toThrow(/backend 'wasm' has no kernel 'MadeUpKernel'/);
  });
});

describe("Conv2DBackpropFilter on cpu (the course's) matches the shipped cpu kernel", () => {
  CONV_CASES.forEach((c, i) => {
    it(describeConv(c), async () => {
      const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, !!c.nchw, c.rounding);
      await expectMatchesReference(
        'cpu',
        {
          kernel: 'Conv2DBackpropFilter',
          inputs: {
            x: { shape: c.x, values: seededNormal(tf.util.sizeFromShape(c.x), 100 + i) },
            dy: { shape: dyShape, values: seededNormal(tf.util.sizeFromShape(dyShape), 200 + i) },
          },
          attrs: { strides: c.strides, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC', dimRoundingMode: c.rounding, filterShape: c.filter },
        },
        describeConv(c),
      );
    });
  });
});

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

describe('CourseAdamUpdate (fused Adam) on cpu matches the update written with tfjs ops', () => {
  it('cpu', async () => {
    await expectAdamMatchesOps('cpu');
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

// ------------------------------------------------------- training a LeNet

/** A small LeNet: same layer pattern as the course's, on 12x12 images so that cpu stays quick. */
function tinyLeNet(modern: boolean): tf.Sequential {
  const activation = modern ? 'relu' : 'sigmoid';
  let seed = 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const pool = (config: { poolSize: number; strides: number }) =>
    modern ? tf.layers.maxPooling2d(config) : tf.layers.averagePooling2d(config);
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 6, kernelSize: 5, padding: 'same', activation, kernelInitializer: init() }),
      pool({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'valid', activation, kernelInitializer: init() }),
      pool({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 32, activation, kernelInitializer: init() }),
      tf.layers.dense({ units: 10, kernelInitializer: init() }),
    ],
  });
  model.compile({
    optimizer: modern ? tf.train.adam(0.01) : tf.train.sgd(0.5),
    loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
  });
  return model;
}

async function trainLosses(backend: string, modern: boolean, steps: number): Promise<number[]> {
  await tf.setBackend(backend);
  const model = tinyLeNet(modern);
  const xs = tf.tensor4d(seededNormal(16 * 12 * 12, 21), [16, 12, 12, 1]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 7) % 10), 'int32'), 10);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(xs, labels)) as number);
  model.dispose();
  tf.dispose([xs, labels]);
  return losses;
}

// ------------------------------------------- the two paths of the wasm kernels

const NATIVE = nativeBlasStatus();
const ADDON = 'course-blas';

/** What registerCourseKernels('wasm') registers on a machine without the addon, and in addition with it. */
const WASM_KERNELS = ['Conv2DBackpropFilter', 'MaxPoolGrad', 'Conv2DBackpropInput', 'BatchMatMul', 'AvgPoolGrad', '_FusedMatMul', 'GatherV2', 'Identity'];
const WASM_KERNELS_WITH_ADDON = ['Conv2D', 'FusedConv2D', 'Add', 'Sum', 'CourseAdamUpdate', 'CourseSgdUpdate', SIGMOID_GRAD, RELU_GRAD];

/**
 * The paths a user's configuration can take: with the addon (where it loaded here) and without it.
 * Without it is checked here with the addon switched off and the kernels registered again as on a
 * machine without it, and by CI's pass on a machine with no compiler, where the addon is really absent
 * (COURSE_EXPECT_ABSENT=course-blas).
 */
const PATHS = (['native BLAS', 'pure wasm'] as const).filter(
  (path) =>
    path === 'pure wasm' ||
    optionalPart(ADDON, NATIVE.active, `${installHint(SYSTEM_PARTS.addonTools)}, then npm run setup`, {
      skips: 'the kernel tests of the native BLAS path',
      why: NATIVE.description,
    }),
);

if (partExpectedAbsent(ADDON)) {
  describe('a machine without the course-blas addon', () => {
    it('has none: the addon is not installed at all, not merely switched off', () => {
      expect(NATIVE.active).toBe(false);
      expect(NATIVE.description).toMatch(/the optional course-blas addon is not installed/);
    });
  });
}

/**
 * Every wasm kernel test below runs twice: with the native BLAS addon (where
 * it loaded) and with it switched off, so that both the fast path and the
 * pure-wasm fallback are checked against the cpu backend.
 */
function wasmPathSuites(path: 'native BLAS' | 'pure wasm'): void {
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

  if (path === 'native BLAS') {
    describe('CourseAdamUpdate (fused Adam) on wasm matches the update written with tfjs ops', () => {
      it('wasm', async () => {
        await expectAdamMatchesOps('wasm');
      });

      it('names a gradient of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [p, m, v] = [tf.zeros([3, 2]), tf.zeros([3, 2]), tf.zeros([3, 2])];
        const g = tf.zeros([2, 3]);
        expect(() => tf.engine().runKernel('CourseAdamUpdate', { param: p, m, v, gradient: g }, ADAM_ATTRS)).toThrow(/gradient has shape \[2,3\], the parameter \[3,2\]/);
        tf.dispose([p, m, v, g]);
      });
    });

    describe('CourseSgdUpdate (fused SGD step) on wasm', () => {
      it('gives the very bits of θ − g·η computed with tfjs ops', async () => {
        await tf.setBackend('wasm');
        const [param, gradient] = [tf.tensor2d(seededNormal(200 * 784, 2001), [200, 784]), tf.tensor2d(seededNormal(200 * 784, 2002), [200, 784])];
        for (const learningRate of [0.01, 0.3, 1e-3]) {
          const fused = tf.engine().runKernel('CourseSgdUpdate', { param, gradient }, { learningRate }) as tf.Tensor;
          const composed = tf.tidy(() => param.sub(gradient.mul(learningRate)));
          expect(Array.from(fused.dataSync())).toEqual(Array.from(composed.dataSync()));
          tf.dispose([fused, composed]);
        }
        tf.dispose([param, gradient]);
      });

      it('names a gradient of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [param, gradient] = [tf.zeros([3, 4]), tf.zeros([4, 3])];
        expect(() => tf.engine().runKernel('CourseSgdUpdate', { param, gradient }, { learningRate: 0.1 })).toThrow(/gradient has shape \[4,3\], the parameter \[3,4\]/);
        tf.dispose([param, gradient]);
      });
    });

    describe("CourseSigmoidGrad and CourseReluGrad (an activation's gradient in one pass) on wasm", () => {
      /** Normal values with the awkward ones mixed in. */
      const values = (size: number, seed: number, specials: number[]) => {
        const v = seededNormal(size, seed);
        specials.forEach((special, i) => (v[i * 7] = special));
        return v;
      };
      const shape = [37, 29];
      const size = tf.util.sizeFromShape(shape);
      const dy = () => tf.tensor(values(size, 2101, [NaN, 0, -0, Infinity, -1]), shape);

      it("give the very bits of tfjs's composed gradients, NaN, ±0 and infinities included", async () => {
        await tf.setBackend('wasm');
        const [gradient, x] = [dy(), tf.tensor(values(size, 2102, [-0, 0, NaN, -Infinity, Infinity, 1e-30, -1e-30]), shape)];
        const y = tf.sigmoid(x); // in [0, 1], with NaN, 0 and 1 among them
        const cases = [
          { kernel: SIGMOID_GRAD, saved: y, composed: () => tf.mul(gradient, tf.mul(y, tf.sub(tf.scalar(1), y))) },
          { kernel: RELU_GRAD, saved: x, composed: () => tf.mul(gradient, tf.cast(tf.step(x), 'float32')) },
        ];
        for (const { kernel, saved, composed } of cases) {
          const fused = tf.engine().runKernel(kernel, { dy: gradient, saved }, {}) as tf.Tensor;
          const expected = tf.tidy(composed);
          expect(Array.from(fused.dataSync()), kernel).toEqual(Array.from(expected.dataSync()));
          tf.dispose([fused, expected]);
        }
        tf.dispose([gradient, x, y]);
      });

      it('are what tf.grad uses on wasm, agree with cpu, and leave second derivatives to tfjs', async () => {
        const x = values(size, 2103, []);
        const gradients = async (backend: string) => {
          await tf.setBackend(backend);
          const input = tf.tensor(x, shape);
          const upstream = tf.tensor(seededNormal(size, 2104), shape);
          const kernels = (await tf.profile(() => {
            tf.dispose([tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, upstream), tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream)]);
          })).kernelNames;
          const results = tf.tidy(() => [
            tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, upstream),
            tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream),
            // Second derivatives go through tfjs's composed gradients (ours have none of their own).
            tf.grad(tf.grad((t: tf.Tensor) => tf.sigmoid(t).mul(t)))(input),
            tf.grad(tf.grad((t: tf.Tensor) => tf.relu(t).square()))(input),
          ].map((t) => t.dataSync() as Float32Array));
          tf.dispose([input, upstream]);
          return { kernels, results };
        };
        const cpu = await gradients('cpu');
        const wasm = await gradients('wasm');
        expect(cpu.kernels).not.toContain(SIGMOID_GRAD);
        expect(wasm.kernels).toEqual(expect.arrayContaining([SIGMOID_GRAD, RELU_GRAD]));
        wasm.results.forEach((result, i) => expectClose(result, cpu.results[i], 1e-5, ['sigmoid', 'relu', '(σ(t)·t)″', '(relu(t)²)″'][i]));
      });

      it('name a dy of the wrong shape', async () => {
        await tf.setBackend('wasm');
        const [gradient, saved] = [tf.zeros([3, 4]), tf.zeros([4, 3])];
        expect(() => tf.engine().runKernel(SIGMOID_GRAD, { dy: gradient, saved }, {})).toThrow(/dy has shape \[3,4\], the activation \[4,3\]/);
        tf.dispose([gradient, saved]);
      });
    });
  } else {
    describe("the activations' gradients on wasm without the addon", () => {
      it("are tfjs's composed ones, and agree with cpu", async () => {
        const shape = [37, 29];
        const x = seededNormal(tf.util.sizeFromShape(shape), 2103);
        const upstream = seededNormal(tf.util.sizeFromShape(shape), 2104);
        const gradients = async (backend: string) => {
          await tf.setBackend(backend);
          const [input, dy] = [tf.tensor(x, shape), tf.tensor(upstream, shape)];
          const kernels = (await tf.profile(() => {
            tf.dispose([tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, dy), tf.grad((t: tf.Tensor) => tf.relu(t))(input, dy)]);
          })).kernelNames;
          const results = tf.tidy(() => [tf.grad((t: tf.Tensor) => tf.sigmoid(t))(input, dy), tf.grad((t: tf.Tensor) => tf.relu(t))(input, dy)].map((t) => t.dataSync() as Float32Array));
          tf.dispose([input, dy]);
          return { kernels, results };
        };
        const cpu = await gradients('cpu');
        const wasm = await gradients('wasm');
        expect(wasm.kernels).not.toContain(SIGMOID_GRAD);
        expect(wasm.kernels).not.toContain(RELU_GRAD);
        wasm.results.forEach((result, i) => expectClose(result, cpu.results[i], 1e-5, ['sigmoid', 'relu'][i]));
      });
    });
  }

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

  describe('Conv2DBackpropFilter on wasm matches cpu', () => {
    CONV_CASES.forEach((c, i) => {
      it(describeConv(c), async () => {
        const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, !!c.nchw, c.rounding);
        await expectWasmMatchesCpu(
          {
            kernel: 'Conv2DBackpropFilter',
            inputs: {
              x: { shape: c.x, values: seededNormal(tf.util.sizeFromShape(c.x), 100 + i) },
              dy: { shape: dyShape, values: seededNormal(tf.util.sizeFromShape(dyShape), 200 + i) },
            },
            attrs: { strides: c.strides, pad: c.pad, dataFormat: c.nchw ? 'NCHW' : 'NHWC', dimRoundingMode: c.rounding, filterShape: c.filter },
          },
          describeConv(c),
        );
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
      runAll();
      const buffers = wasmBackend().numDataIds();
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) runAll();
      expect(wasmBackend().numDataIds()).toBe(buffers);
      expect(tf.memory().numTensors).toBe(tensors);
      tf.dispose([x, filter, dy, xc, dyc, filterc]);
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
    runAll();
    const buffers = wasmBackend().numDataIds();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) runAll();
    expect(wasmBackend().numDataIds()).toBe(buffers);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, w, w6, bias]);
  });
}

for (const path of PATHS) {
  describe(`wasm kernels, ${path} path`, () => {
    beforeAll(() => {
      // The kernels a user on this path gets, and no others.
      useNativeBlas(path === 'native BLAS');
      unregisterCourseKernels('wasm');
      registerCourseKernels('wasm');
    });
    afterAll(() => {
      useNativeBlas(true);
      unregisterCourseKernels('wasm');
      registerCourseKernels('wasm');
    });

    it(`registers exactly the kernels of the ${path} path`, () => {
      const expected = path === 'native BLAS' ? [...WASM_KERNELS, ...WASM_KERNELS_WITH_ADDON] : WASM_KERNELS;
      expect(courseKernels('wasm').map((k) => k.kernelName).sort()).toEqual([...expected].sort());
      for (const name of [...WASM_KERNELS, ...WASM_KERNELS_WITH_ADDON]) {
        const registered = tf.getKernel(name, 'wasm')?.kernelFunc;
        const shipped = shippedWasmKernels.get(name)?.kernelFunc;
        if (expected.includes(name)) expect(registered !== undefined && registered !== shipped, `${name} is the course's`).toBe(true);
        else expect(registered, `${name} is the shipped kernel, or none`).toBe(shipped);
      }
    });

    wasmPathSuites(path);
  });
}
