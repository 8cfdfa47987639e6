/**
 * Add for the wasm backend where the native addon loaded, for one common
 * shape: a bias, one value per channel, added to every row of a tensor
 * ([n, ..., C] + [C], in either order). Every layer adds its bias this way
 * when its activation is applied separately, as in training. The shipped
 * kernel broadcasts with a general index loop; the addon makes one pass
 * (docs/performance.md). Every other Add goes to
 * the shipped kernel, whose same-shape path is already fast.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native-blas';
import { runShippedWasmKernel } from './shipped-kernels';
import { allocateF32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

/** Whether `bias` is one value per channel of `x` (its last axis), both float32. */
function isBiasOf(x: tf.TensorInfo, bias: tf.TensorInfo): boolean {
  const channels = x.shape[x.shape.length - 1];
  return (
    x.dtype === 'float32' && bias.dtype === 'float32' && x.shape.length >= 2 &&
    bias.shape.length === 1 && bias.shape[0] === channels && channels > 0
  );
}

function add(args: { inputs: tf.BinaryInputs; backend: BackendWasm }): tf.TensorInfo {
  const { inputs, backend } = args;
  const [a, b] = [inputs.a as tf.TensorInfo, inputs.b as tf.TensorInfo];
  const blas = nativeBlas();
  const [x, bias] = isBiasOf(a, b) ? [a, b] : isBiasOf(b, a) ? [b, a] : [undefined, undefined];
  if (!blas || !x || !bias) {
    return runShippedWasmKernel(backend, tf.Add, { a, b }, {});
  }
  const out = allocateF32(backend, x.shape);
  // Views only after allocating: an allocation may grow (and move) the heap.
  blas.biasAdd(heapF32(backend, x), heapF32(backend, bias), heapF32(backend, out));
  return out;
}

export const wasmBiasAddConfig: tf.KernelConfig = {
  kernelName: tf.Add,
  backendName: 'wasm',
  kernelFunc: add as unknown as tf.KernelFunc,
};
