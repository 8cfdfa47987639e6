/**
 * CourseAdamUpdate: one Adam step for one parameter tensor, as a single kernel.
 *
 * Written with tfjs ops, Adam's update is about a dozen element-wise kernels
 * per parameter (scale m, scale g, add, square g, ...), each a pass over the
 * whole weight matrix and a fresh tensor. With one training sample per step
 * (lesson 4) those passes over 784×200 weights cost several times more than
 * the forward and backward pass together. This kernel reads θ, m, v and g
 * once and writes the new θ, m and v:
 *
 *   m ← β1 m + (1 − β1) g
 *   v ← β2 v + (1 − β2) g²
 *   θ ← θ − stepSize · m / (√v + ε̂)
 *
 * The caller folds Adam's bias corrections into stepSize and ε̂ (see
 * training/adam.ts). On wasm the loop is the native addon's (C, vectorized;
 * docs/performance.md); the kernel is registered there only where the addon
 * loaded, because a JavaScript loop is slower than the wasm backend's own
 * SIMD element-wise kernels. On cpu the JavaScript loop runs (in float64, stored as float32).
 * Backends without the kernel compose the same update from tfjs ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from './cpu-memory';
import { requireNativeBlas } from './native-blas';
import { allocateF32, assertFloat32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

export const ADAM_UPDATE = 'CourseAdamUpdate';

export interface AdamUpdateInputs extends tf.NamedTensorInfoMap {
  param: tf.TensorInfo;
  m: tf.TensorInfo;
  v: tf.TensorInfo;
  gradient: tf.TensorInfo;
}

export interface AdamUpdateAttrs extends tf.NamedAttrMap {
  beta1: number;
  beta2: number;
  /** η √(1 − β2ᵗ) / (1 − β1ᵗ) */
  stepSize: number;
  /** ε √(1 − β2ᵗ) */
  epsilon: number;
}

interface Arrays {
  param: Float32Array;
  m: Float32Array;
  v: Float32Array;
  gradient: Float32Array;
}

/** The update itself: reads `from`, writes `to`. */
export function adamUpdateLoop(from: Arrays, to: Omit<Arrays, 'gradient'>, attrs: AdamUpdateAttrs): void {
  const { beta1, beta2, stepSize, epsilon } = attrs;
  const { param, m, v, gradient } = from;
  const { param: paramOut, m: mOut, v: vOut } = to;
  const [keep1, keep2] = [1 - beta1, 1 - beta2];
  for (let i = 0; i < param.length; i++) {
    const g = gradient[i];
    const mi = beta1 * m[i] + keep1 * g;
    const vi = beta2 * v[i] + keep2 * g * g;
    mOut[i] = mi;
    vOut[i] = vi;
    paramOut[i] = param[i] - (stepSize * mi) / (Math.sqrt(vi) + epsilon);
  }
}

function checkInputs(inputs: AdamUpdateInputs): void {
  const { param, m, v, gradient } = inputs;
  assertFloat32(ADAM_UPDATE, param, m, v, gradient);
  for (const [name, info] of Object.entries({ m, v, gradient })) {
    if (!tf.util.arraysEqual(info.shape, param.shape)) {
      throw new Error(`${ADAM_UPDATE}: ${name} has shape [${info.shape}], the parameter [${param.shape}].`);
    }
  }
}

function wasmAdamUpdate(args: { inputs: AdamUpdateInputs; backend: BackendWasm; attrs: AdamUpdateAttrs }): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  checkInputs(inputs);
  const outputs = [allocateF32(backend, inputs.param.shape), allocateF32(backend, inputs.param.shape), allocateF32(backend, inputs.param.shape)];
  // Views only after allocating: an allocation may grow (and move) the heap.
  const view = (info: tf.TensorInfo) => heapF32(backend, info);
  const from = { param: view(inputs.param), m: view(inputs.m), v: view(inputs.v), gradient: view(inputs.gradient) };
  const to = { param: view(outputs[0]), m: view(outputs[1]), v: view(outputs[2]) };
  const { beta1, beta2, stepSize, epsilon } = attrs;
  requireNativeBlas(ADAM_UPDATE).adamUpdate(from.param, from.m, from.v, from.gradient, to.param, to.m, to.v, beta1, beta2, stepSize, epsilon);
  return outputs;
}

function cpuAdamUpdate(args: { inputs: AdamUpdateInputs; backend: CpuBackend; attrs: AdamUpdateAttrs }): tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  checkInputs(inputs);
  const read = (info: tf.TensorInfo) => backend.readSync(info.dataId) as Float32Array;
  const size = read(inputs.param).length;
  const to = { param: new Float32Array(size), m: new Float32Array(size), v: new Float32Array(size) };
  adamUpdateLoop({ param: read(inputs.param), m: read(inputs.m), v: read(inputs.v), gradient: read(inputs.gradient) }, to, attrs);
  const shape = inputs.param.shape;
  return [to.param, to.m, to.v].map((values) => backend.makeTensorInfo(shape, 'float32', values));
}

export const wasmAdamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: wasmAdamUpdate as unknown as tf.KernelFunc,
};

export const cpuAdamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'cpu',
  kernelFunc: cpuAdamUpdate as unknown as tf.KernelFunc,
};
