/**
 * How a kernel written in TypeScript reads and writes the wasm backend's
 * tensors.
 *
 * The wasm backend keeps every tensor in the WebAssembly module's linear
 * memory (the "heap"); `backend.dataIdMap` maps a tensor's dataId to its
 * byte offset there. A Float32Array laid over that range is a zero-copy view,
 * so our loops work on the same bytes the C++ kernels use.
 *
 * One trap: allocating (makeOutput, or any wasm kernel, since kernels
 * allocate their outputs) may grow the heap, which replaces its ArrayBuffer
 * and leaves older views empty. So: allocate first, take views after, and
 * take them again after calling another kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };

/** Our kernels, like the wasm backend's own convolutions, handle float32 only. */
export function assertFloat32(kernelName: string, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`${kernelName} on wasm supports float32 tensors only, got ${info.dtype}.`);
  }
}

/** A zero-copy float32 view of a wasm tensor. Valid until the next allocation. */
export function heapF32(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  assertFloat32('A course wasm kernel', info);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A new float32 tensor on the wasm heap. Its contents are garbage until written. */
export function allocateF32(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** A new float32 tensor of zeros on the wasm heap. */
export function zerosF32(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  const info = allocateF32(backend, shape);
  heapF32(backend, info).fill(0);
  return info;
}

/** A copy of a float32 tensor, under a new id. */
export function copyF32(backend: BackendWasm, info: tf.TensorInfo): tf.TensorInfo {
  const out = allocateF32(backend, info.shape);
  heapF32(backend, out).set(heapF32(backend, info));
  return out;
}

/** Frees a tensor this kernel allocated and does not return. */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The same data under another shape of equal size (no copy; the caller keeps ownership). */
export function relabel(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}
