/**
 * Sum for the wasm backend where the native addon loaded, for one common
 * reduction: over every axis but the last ([n, ..., C] → [C]), which is how
 * the gradient of a bias is computed in every layer's backward pass. The
 * shipped kernel first transposes the whole tensor so that the reduced axes
 * come last, a copy of the whole tensor. The addon sums the columns in place, adding in the same
 * order as the shipped kernel (row after row, in float32), so the results are
 * the same to the last bit. Every other Sum goes to the shipped kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native-blas';
import { runShippedWasmKernel } from './shipped-kernels';
import { allocateF32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

/** Whether `axis` names every axis of a rank-`rank` tensor but the last (negative axes count from the end). */
function isAllButLast(axis: number | number[], rank: number): boolean {
  const axes = new Set(tf.util.parseAxisParam(axis, Array(rank).fill(1)));
  return rank >= 2 && axes.size === rank - 1 && !axes.has(rank - 1);
}

function sum(args: { inputs: tf.SumInputs; backend: BackendWasm; attrs: tf.SumAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const blas = nativeBlas();
  const channels = x.shape[x.shape.length - 1];
  if (!blas || x.dtype !== 'float32' || !isAllButLast(attrs.axis, x.shape.length) || tf.util.sizeFromShape(x.shape) === 0) {
    return runShippedWasmKernel(backend, tf.Sum, { x }, attrs);
  }
  const outShape = attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
  const out = allocateF32(backend, outShape);
  // Views only after allocating: an allocation may grow (and move) the heap.
  blas.columnSums(heapF32(backend, x), heapF32(backend, out));
  return out;
}

export const wasmBiasGradSumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as tf.KernelFunc,
};
