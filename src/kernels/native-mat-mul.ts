/**
 * Matrix products on the native BLAS (./native-blas) for the wasm backend's
 * BatchMatMul and _FusedMatMul kernels: one cblas_sgemm per product, reading
 * the operands in place on the wasm heap (transposes are a flag, not a copy)
 * and writing straight into the output tensor, with the bias and activation
 * of _FusedMatMul applied in the same call.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from './native-blas';
import { allocateF32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

export interface MatMulPlan {
  outShape: number[];
  rows: number;
  cols: number;
  inner: number;
  /** Rows and columns of a and b as stored (before the transposes). */
  aRows: number;
  aCols: number;
  bRows: number;
  bCols: number;
  aBatch: number;
  bBatch: number;
  outBatch: number;
  batchShape: number[];
}

/** Shapes of a batched product, checked as tfjs checks them. */
export function planMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan {
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const inner = transposeA ? aRows : aCols;
  if (inner !== (transposeB ? bCols : bRows)) {
    throw new Error(
      `Error in matMul: inner shapes (${inner}) and (${transposeB ? bCols : bRows}) of Tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const rows = transposeA ? aCols : aRows;
  const cols = transposeB ? bRows : bCols;
  return {
    outShape: [...batchShape, rows, cols],
    rows,
    cols,
    inner,
    aRows,
    aCols,
    bRows,
    bCols,
    aBatch: tf.util.sizeFromShape(a.shape.slice(0, -2)),
    bBatch: tf.util.sizeFromShape(b.shape.slice(0, -2)),
    outBatch: tf.util.sizeFromShape(batchShape),
    batchShape,
  };
}

/**
 * Whether `bias` can be added by the addon: one value, one per column
 * (shape [..., cols] with ones before), or one per output element of a
 * single matrix (shape [..., rows, cols] with ones before). Other broadcasts
 * are left to the wasm backend's Add.
 */
export function nativeBiasFits(bias: tf.TensorInfo, rows: number, cols: number): boolean {
  const size = tf.util.sizeFromShape(bias.shape);
  const last = bias.shape[bias.shape.length - 1];
  if (size === 1) return true;
  if (size === cols && last === cols) return true;
  return size === rows * cols && bias.shape.length >= 2 && last === cols && bias.shape[bias.shape.length - 2] === rows;
}

/** The index into an operand's batch for output batch `i`, under numpy broadcasting. */
function broadcastIndex(i: number, outBatchShape: number[], operandBatchShape: number[]): number {
  const offset = outBatchShape.length - operandBatchShape.length;
  let index = 0;
  let remainder = i;
  const outCoords = new Array<number>(outBatchShape.length);
  for (let axis = outBatchShape.length - 1; axis >= 0; axis--) {
    outCoords[axis] = remainder % outBatchShape[axis];
    remainder = Math.floor(remainder / outBatchShape[axis]);
  }
  for (let axis = 0; axis < operandBatchShape.length; axis++) {
    const size = operandBatchShape[axis];
    index = index * size + (size === 1 ? 0 : outCoords[axis + offset]);
  }
  return index;
}

/**
 * act(op(a) op(b) + bias) into a new tensor of shape plan.outShape.
 * `activation` must be one of blas.codes.activation; `bias` must pass nativeBiasFits.
 */
export function nativeMatMul(
  blas: NativeBlas,
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  plan: MatMulPlan,
  bias: tf.TensorInfo | null = null,
  activation = 'linear',
  alpha = 0,
): tf.TensorInfo {
  const out = allocateF32(backend, plan.outShape);
  const { rows, cols, inner, outBatch, aBatch, bBatch } = plan;
  if (outBatch * rows * cols === 0) return out;
  // Views after the allocation (it may have moved the heap).
  const av = heapF32(backend, a);
  const bv = heapF32(backend, b);
  const cv = heapF32(backend, out);
  const biasView = bias ? heapF32(backend, bias) : null;
  const code = blas.codes.activation[activation];
  const aSize = rows * inner;
  const bSize = inner * cols;
  if ((aBatch === outBatch || aBatch === 1) && (bBatch === outBatch || bBatch === 1)) {
    blas.gemm(av, bv, cv, outBatch, rows, cols, inner, transposeA, transposeB,
      aBatch === 1 ? 0 : aSize, bBatch === 1 ? 0 : bSize, biasView, code, alpha);
    return out;
  }
  // Batch axes broadcast against each other (e.g. [2, 1] with [1, 3]): one product per output matrix.
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = b.shape.slice(0, -2);
  for (let i = 0; i < outBatch; i++) {
    const ai = broadcastIndex(i, plan.batchShape, aBatchShape);
    const bi = broadcastIndex(i, plan.batchShape, bBatchShape);
    blas.gemm(av.subarray(ai * aSize, (ai + 1) * aSize), bv.subarray(bi * bSize, (bi + 1) * bSize),
      cv.subarray(i * rows * cols, (i + 1) * rows * cols), 1, rows, cols, inner, transposeA, transposeB, 0, 0, biasView, code, alpha);
  }
  return out;
}
