/**
 * Calling the wasm backend's own kernels from inside our kernels.
 *
 * Per-element loops in JavaScript cost about 2 ns per value on the course
 * machine, several times slower than the same loop compiled to WebAssembly,
 * and far slower than XNNPACK's SIMD convolution. So our wasm kernels do
 * little arithmetic themselves: they rephrase each gradient as a forward
 * convolution and a few transposes, and hand those to the kernels the wasm
 * backend already has (Conv2D runs on XNNPACK; Transpose and Slice are C++).
 *
 * A kernel function returns a fresh tensor that the caller owns; free the
 * ones you do not return with `release` (./wasm-memory).
 */
import * as tf from '@tensorflow/tfjs';
import { runShippedWasmKernel } from './shipped-kernels';
import type { BackendWasm } from './wasm-memory';

type Shape4 = [number, number, number, number];

export function transposeOnWasm(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  const attrs: tf.TransposeAttrs = { perm };
  return runShippedWasmKernel(backend, tf.Transpose, { x }, attrs);
}

export function sliceOnWasm(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const attrs: tf.SliceAttrs = { begin, size };
  return runShippedWasmKernel(backend, tf.Slice, { x }, attrs);
}

/** [top, bottom, left, right] as tfjs's explicit NHWC padding (none on the batch and channel axes). */
function nhwcPadding([top, bottom, left, right]: [number, number, number, number]): tf.backend_util.ExplicitPadding {
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * NHWC convolution, stride 1, explicit padding [top, bottom, left, right]
 * (each >= 0), on XNNPACK. XNNPACK packs the filter into its own layout and
 * caches the packed copy under the filter tensor's id until that tensor is
 * freed; the filters we pass are temporaries we free right away, so the
 * cache neither grows nor serves a packing made for other data.
 */
export function conv2dOnWasm(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: [number, number, number, number],
  dilations: [number, number] = [1, 1],
): tf.TensorInfo {
  const attrs: tf.Conv2DAttrs = { strides: 1, pad: nhwcPadding(pads), dataFormat: 'NHWC', dilations };
  return runShippedWasmKernel(backend, tf.Conv2D, { x, filter }, attrs);
}

/**
 * NHWC depthwise convolution (each input channel convolved with its own
 * [kh, kw] filter; filter shape [kh, kw, channels, 1]), stride 1, explicit
 * padding [top, bottom, left, right], on XNNPACK. Same caching note as
 * conv2dOnWasm.
 */
export function depthwiseConv2dOnWasm(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pads: [number, number, number, number],
): tf.TensorInfo {
  const attrs: tf.DepthwiseConv2dNativeAttrs = { strides: 1, pad: nhwcPadding(pads), dataFormat: 'NHWC', dilations: 1 };
  return runShippedWasmKernel(backend, tf.DepthwiseConv2dNative, { x, filter }, attrs);
}

/** Sum over the last axis, which is dropped from the shape. */
export function sumLastAxisOnWasm(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const attrs: tf.SumAttrs = { axis: x.shape.length - 1, keepDims: false };
  return runShippedWasmKernel(backend, tf.Sum, { x }, attrs);
}

/**
 * Rank-3 batched matrix product on the wasm backend's _FusedMatMul kernel
 * (no bias, no activation): the same C++ as its BatchMatMul. With both batch
 * sizes 1 and no transposes it runs on XNNPACK; otherwise on a scalar loop.
 */
export function matMulOnWasm(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const attrs: tf._FusedMatMulAttrs = { transposeA, transposeB, activation: 'linear' };
  return runShippedWasmKernel(backend, tf._FusedMatMul, { a, b }, attrs);
}

export function isShape4(shape: number[]): shape is Shape4 {
  return shape.length === 4;
}
