/**
 * What the kernel tests (tests/kernels-*.test.ts) share: seeded inputs, the cpu backend's shipped kernels as the
 * reference, the cases, and the two wasm paths a user can have (with the course-blas addon and without it).
 *
 * Kernels are called through `tf.engine().runKernel`, by name, so each test exercises exactly the kernel it names
 * on the backend it names.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { courseKernels, registerCourseKernels, unregisterCourseKernels } from '../../src/kernels';
import { nativeBlasStatus, useNativeBlas } from '../../src/kernels/native-blas';
import { RELU_GRAD, SIGMOID_GRAD } from '../../src/kernels/activation-grads';
import { installHint, SYSTEM_PARTS } from '../../tools/system-parts.mjs';
import { optionalPart } from './optional-part';

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

// ---------------------------------------------------------------- helpers

/** Deterministic standard-normal values (mulberry32 + Box-Muller). */
export function seededNormal(size: number, seed: number): Float32Array {
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

export interface KernelCall {
  kernel: string;
  inputs: Record<string, { shape: number[]; values: Float32Array }>;
  attrs: Record<string, unknown>;
}

/** Runs one kernel on one backend and returns its output's values and shape. */
export async function runOn(backend: string, call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const inputs: tf.NamedTensorMap = {};
  for (const [name, { shape, values }] of Object.entries(call.inputs)) inputs[name] = tf.tensor(values, shape, 'float32');
  const out = tf.engine().runKernel(call.kernel, inputs, call.attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(inputs)]);
  return result;
}

/** Elementwise |a - e| <= rtol * max(|e|, mean |e|): relative, but not fooled by values near 0. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, what = ''): void {
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
export const shippedCpuKernels: tf.KernelConfig[] = [];

export async function withShippedCpuKernels<T>(run: () => Promise<T>): Promise<T> {
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

export function runReference(call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  return withShippedCpuKernels(() => runOn('cpu', call));
}

/** Same kernel, same inputs, on `backend` (with the course's kernels) and on shipped cpu: same answer. */
export async function expectMatchesReference(backend: string, call: KernelCall, what: string, rtol = 1e-4): Promise<void> {
  const reference = await runReference(call);
  const result = await runOn(backend, call);
  expect(result.shape, what).toEqual(reference.shape);
  expectClose(result.values, reference.values, rtol, what);
}

export const expectWasmMatchesCpu = (call: KernelCall, what: string) => expectMatchesReference('wasm', call, what);

export function wasmBackend(): { numDataIds(): number } {
  return tf.findBackend('wasm') as unknown as { numDataIds(): number };
}

export function convOutShape(x: Shape4, filter: Shape4, strides: number | [number, number], pad: Pad, nchw: boolean, rounding?: 'floor' | 'round' | 'ceil'): number[] {
  const info = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad, rounding, false, nchw ? 'channelsFirst' : 'channelsLast');
  return info.outShape;
}

// ------------------------------------------------------------ the cases

export interface ConvCase {
  x: Shape4; // NHWC, or NCHW when nchw
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  nchw?: boolean;
  rounding?: 'floor' | 'round' | 'ceil';
}

export const CONV_CASES: ConvCase[] = [
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

export function describeConv(c: ConvCase): string {
  const rounding = c.rounding ? ` rounding ${c.rounding}` : '';
  return `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${rounding}${c.nchw ? ' NCHW' : ''}`;
}

export interface PoolCase {
  x: Shape4;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
}

export const POOL_CASES: PoolCase[] = [
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

export function describePool(c: PoolCase): string {
  return `x [${c.x}] window ${JSON.stringify(c.filterSize)} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
}

export function poolOutShape(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad).outShape;
}

// ------------------------------------------------------ the fused Adam update

export const ADAM_ATTRS = { beta1: 0.9, beta2: 0.999, stepSize: 0.003, epsilon: 1e-7 };

/** One step of CourseAdamUpdate on `backend` against the same step written with tfjs ops on cpu. */
export async function expectAdamMatchesOps(backend: string): Promise<void> {
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


/** The wasm backend's own kernels (or none) for the names the course registers with the addon. */
export const shippedWasmKernels = new Map<string, tf.KernelConfig | undefined>();

export function setUpKernelTests(): void {
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
}


/** A small LeNet: same layer pattern as the course's, on 12x12 images so that cpu stays quick. */
export function tinyLeNet(modern: boolean): tf.Sequential {
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

export async function trainLosses(backend: string, modern: boolean, steps: number): Promise<number[]> {
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



export const NATIVE = nativeBlasStatus();
export const ADDON = 'course-blas';

/** What registerCourseKernels('wasm') registers on a machine without the addon, and in addition with it. */
export const WASM_KERNELS = ['Conv2DBackpropFilter', 'MaxPoolGrad', 'Conv2DBackpropInput', 'BatchMatMul', 'AvgPoolGrad', '_FusedMatMul', 'GatherV2', 'Identity'];
export const WASM_KERNELS_WITH_ADDON = ['Conv2D', 'FusedConv2D', 'Add', 'Sum', 'CourseAdamUpdate', 'CourseSgdUpdate', SIGMOID_GRAD, RELU_GRAD];

/**
 * The paths a user's configuration can take: with the addon (where it loaded here) and without it.
 * Without it is checked here with the addon switched off and the kernels registered again as on a
 * machine without it, and by CI's pass on a machine with no compiler, where the addon is really absent
 * (COURSE_EXPECT_ABSENT=course-blas).
 */
export type WasmPath = 'native BLAS' | 'pure wasm';

export const PATHS = (['native BLAS', 'pure wasm'] as const).filter(
  (path) =>
    path === 'pure wasm' ||
    optionalPart(ADDON, NATIVE.active, `${installHint(SYSTEM_PARTS.addonTools)}, then npm run setup`, {
      skips: 'the kernel tests of the native BLAS path',
      why: NATIVE.description,
    }),
);

/**
 * Declares `suites` once per wasm path a user can have: with the addon (where it loaded here) and without it (the
 * addon switched off and the kernels registered again, as on a machine without it).
 */
export function forEachWasmPath(suites: (path: WasmPath) => void): void {
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
      suites(path);
    });
  }
}
