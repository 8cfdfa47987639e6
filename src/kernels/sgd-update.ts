/**
 * CourseSgdUpdate: one SGD step for one parameter tensor, θ − η·g, as a
 * single kernel.
 *
 * Written with tfjs ops the step is two passes over the weights, g·η into a
 * fresh tensor and then θ minus it. With one training sample per step
 * (lessons 3 and 4) those two passes over the 784×200 first-layer weights
 * are much of the step (docs/performance.md). The native addon makes one pass, rounding after
 * the product and after the difference as the two ops do, so the weights
 * come out the same to the last bit. Registered on wasm where the addon
 * loaded; elsewhere training/sgd.ts leaves the step to tf.train.sgd's own ops.
 */
import * as tf from '@tensorflow/tfjs';
import { requireNativeBlas } from './native-blas';
import { allocateF32, assertFloat32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

export const SGD_UPDATE = 'CourseSgdUpdate';

export interface SgdUpdateInputs extends tf.NamedTensorInfoMap {
  param: tf.TensorInfo;
  gradient: tf.TensorInfo;
}

export interface SgdUpdateAttrs extends tf.NamedAttrMap {
  learningRate: number;
}

function wasmSgdUpdate(args: { inputs: SgdUpdateInputs; backend: BackendWasm; attrs: SgdUpdateAttrs }): tf.TensorInfo {
  const { inputs: { param, gradient }, backend, attrs } = args;
  assertFloat32(SGD_UPDATE, param, gradient);
  if (!tf.util.arraysEqual(param.shape, gradient.shape)) {
    throw new Error(`${SGD_UPDATE}: the gradient has shape [${gradient.shape}], the parameter [${param.shape}].`);
  }
  const out = allocateF32(backend, param.shape);
  // Views only after allocating: an allocation may grow (and move) the heap.
  const [p, g, o] = [heapF32(backend, param), heapF32(backend, gradient), heapF32(backend, out)];
  requireNativeBlas(SGD_UPDATE).sgdUpdate(p, g, o, attrs.learningRate);
  return out;
}

export const wasmSgdUpdateConfig: tf.KernelConfig = {
  kernelName: SGD_UPDATE,
  backendName: 'wasm',
  kernelFunc: wasmSgdUpdate as unknown as tf.KernelFunc,
};
