/**
 * BatchMatMul for the wasm backend, replacing the shipped kernel, which is
 * slow with transposed operands and can return wrong results.
 *
 * Slow: the shipped kernel hands a matrix product to XNNPACK (SIMD) only
 * when neither operand is transposed; with transposeA or transposeB it falls
 * back to a scalar C++ loop, several times slower. Backpropagation through a
 * dense layer y = x W needs exactly those two products, dW = x^T dy and
 * dx = dy W^T (docs/performance.md).
 *
 * Wrong: XNNPACK packs the right operand once and the wasm backend caches
 * that packing under the tensor's id, ignoring its shape. A reshape keeps the
 * id, so multiplying by a [6, 4] tensor and then by its reshape to [4, 6]
 * reuses the [6, 4] packing and returns garbage.
 *
 * For a single (unbatched) product we therefore give XNNPACK a fresh right
 * operand every time: the transpose of b when transposeB (a C++ Transpose,
 * cheap next to the product), else a copy; and a transposed copy of a when
 * transposeA. Freeing that operand frees its packing. Batched products go to
 * the shipped C++ loop (it caches nothing).
 *
 * Where the optional native BLAS is installed (./native-blas), every product
 * goes to cblas_sgemm instead: transposes are flags, batches are strides,
 * nothing is copied or cached.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native-blas';
import { nativeMatMul, planMatMul } from './native-mat-mul';
import { assertFloat32, copyF32, release, relabel, zerosF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';
import { matMulOnWasm, transposeOnWasm } from './wasm-ops';

function batchMatMul(args: { inputs: tf.BatchMatMulInputs; backend: BackendWasm; attrs: tf.BatchMatMulAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const { transposeA, transposeB } = attrs;
  assertFloat32(tf.BatchMatMul, a, b);
  const plan = planMatMul(a, b, transposeA, transposeB);
  const { aRows, aCols, bRows, bCols, inner, outShape, aBatch, bBatch } = plan;

  const blas = nativeBlas();
  if (blas) return nativeMatMul(blas, backend, a, b, transposeA, transposeB, plan);

  // XNNPACK rejects empty operands (and would leave the output unwritten).
  if (tf.util.sizeFromShape(outShape) === 0 || inner === 0) return zerosF32(backend, outShape);

  let product: tf.TensorInfo;
  if (aBatch === 1 && bBatch === 1) {
    const temporaries: tf.TensorInfo[] = [];
    try {
      const left = transposeA ? transposeOnWasm(backend, relabel(a, [aRows, aCols]), [1, 0]) : a;
      if (transposeA) temporaries.push(left);
      const right = transposeB ? transposeOnWasm(backend, relabel(b, [bRows, bCols]), [1, 0]) : copyF32(backend, b);
      temporaries.push(right);
      const rows = transposeA ? aCols : aRows;
      const cols = transposeB ? bRows : bCols;
      product = matMulOnWasm(backend, relabel(left, [1, rows, inner]), relabel(right, [1, inner, cols]), false, false);
    } finally {
      release(backend, ...temporaries);
    }
  } else {
    product = matMulOnWasm(backend, relabel(a, [aBatch, aRows, aCols]), relabel(b, [bBatch, bRows, bCols]), transposeA, transposeB);
  }
  return relabel(product, outShape);
}

export const wasmBatchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
