/**
 * _FusedMatMul for the wasm backend: act(op(a) op(b) + bias), the kernel
 * behind every dense layer (tf.layers.dense calls tf.fused.matMul).
 *
 * The shipped kernel has BatchMatMul's two faults (see wasm-batch-mat-mul.ts):
 * it caches XNNPACK's packing of b (and of the bias) under the tensor's id,
 * ignoring its shape, so a reshape of a tensor it multiplied before gets the
 * old packing; and it runs a scalar loop whenever an operand is transposed.
 *
 * With the native BLAS (./native-blas) the product, bias and activation run
 * in one cblas_sgemm call plus an in-place pass (prelu, which the addon
 * does not know, goes to the wasm backend's Prelu afterwards). Without it,
 * or for a bias that broadcasts in a way the addon does not do, the shipped
 * kernel runs on fresh operands: transposed copies instead of transpose
 * flags (XNNPACK then does the product), and copies of b and the bias so
 * that its cache never serves a packing made for other data.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native-blas';
import { MatMulPlan, nativeBiasFits, nativeMatMul, planMatMul } from './native-mat-mul';
import { runShippedWasmKernel } from './shipped-kernels';
import { allocateF32, assertFloat32, copyF32, heapF32, release, relabel, zerosF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';
import { transposeOnWasm } from './wasm-ops';

function fusedMatMul(args: { inputs: tf._FusedMatMulInputs; backend: BackendWasm; attrs: tf._FusedMatMulAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as tf.TensorInfo;
  const b = inputs.b as tf.TensorInfo;
  const bias = (inputs.bias as tf.TensorInfo | undefined) ?? null;
  const prelu = (inputs.preluActivationWeights as tf.TensorInfo | undefined) ?? null;
  const { transposeA, transposeB, activation = 'linear', leakyreluAlpha = 0.2 } = attrs;
  assertFloat32(tf._FusedMatMul, a, b);
  if (bias) assertFloat32(tf._FusedMatMul, bias);
  const plan = planMatMul(a, b, transposeA, transposeB);

  const blas = nativeBlas();
  const biasFits = !bias || nativeBiasFits(bias, plan.rows, plan.cols);
  if (blas && biasFits && (activation in blas.codes.activation || activation === 'prelu')) {
    if (activation !== 'prelu') return nativeMatMul(blas, backend, a, b, transposeA, transposeB, plan, bias, activation, leakyreluAlpha);
    const linear = nativeMatMul(blas, backend, a, b, transposeA, transposeB, plan, bias);
    try {
      return runShippedWasmKernel(backend, tf.Prelu, { x: linear, alpha: prelu as tf.TensorInfo }, {});
    } finally {
      release(backend, linear);
    }
  }
  return onFreshOperands(backend, a, b, bias, prelu, attrs, plan);
}

/** The shipped kernel on untransposed, freshly copied operands (see the header). */
function onFreshOperands(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  prelu: tf.TensorInfo | null,
  attrs: tf._FusedMatMulAttrs,
  plan: MatMulPlan,
): tf.TensorInfo {
  const { aRows, aCols, bRows, bCols, rows, cols, inner, aBatch, bBatch, outShape } = plan;
  // XNNPACK rejects empty operands (and would leave the output unwritten).
  if (tf.util.sizeFromShape(outShape) === 0) return zerosF32(backend, outShape);
  const temporaries: tf.TensorInfo[] = [];
  try {
    let left = relabel(a, [aBatch, aRows, aCols]);
    let right: tf.TensorInfo;
    let { transposeA, transposeB } = attrs;
    if (aBatch === 1 && bBatch === 1) {
      if (transposeA) {
        left = relabel(transposeOnWasm(backend, relabel(a, [aRows, aCols]), [1, 0]), [1, rows, inner]);
        temporaries.push(left);
        transposeA = false;
      }
      if (transposeB) {
        right = relabel(transposeOnWasm(backend, relabel(b, [bRows, bCols]), [1, 0]), [1, inner, cols]);
        transposeB = false;
      } else {
        right = relabel(copyF32(backend, b), [1, bRows, bCols]);
      }
    } else {
      right = relabel(copyF32(backend, b), [bBatch, bRows, bCols]);
    }
    temporaries.push(right);
    const inputs: tf.NamedTensorInfoMap = { a: left, b: right };
    // The shipped kernel takes only a rank-1 bias of `cols` values (it reads the
    // shape the buffer was allocated with), and gets prelu wrong on batched
    // products: those go unfused, through the backend's Add and Prelu.
    const biasSize = bias ? tf.util.sizeFromShape(bias.shape) : 0;
    const perColumnBias = bias !== null && biasSize === cols && bias.shape[bias.shape.length - 1] === cols && aBatch === 1 && bBatch === 1;
    if (bias && perColumnBias) {
      const biasCopy = allocateF32(backend, [cols]);
      heapF32(backend, biasCopy).set(heapF32(backend, bias));
      inputs.bias = biasCopy;
      temporaries.push(biasCopy);
    }
    if ((bias && !perColumnBias) || attrs.activation === 'prelu') {
      const linear = runShippedWasmKernel(backend, tf._FusedMatMul, inputs, { ...attrs, transposeA, transposeB, activation: 'linear' });
      temporaries.push(linear);
      let sum = relabel(linear, outShape);
      if (bias && !perColumnBias) {
        sum = runShippedWasmKernel(backend, tf.Add, { a: sum, b: bias }, {});
        temporaries.push(sum);
      }
      const activation = attrs.activation ?? 'linear';
      if (activation === 'linear') return copyF32(backend, sum);
      return activate(backend, sum, activation, prelu, attrs.leakyreluAlpha ?? 0.2);
    }
    const product = runShippedWasmKernel(backend, tf._FusedMatMul, inputs, { ...attrs, transposeA, transposeB });
    return relabel(product, outShape);
  } finally {
    release(backend, ...temporaries);
  }
}

/** An activation as the wasm backend's own element-wise kernels compute it. */
function activate(backend: BackendWasm, x: tf.TensorInfo, activation: string, prelu: tf.TensorInfo | null, alpha: number): tf.TensorInfo {
  switch (activation) {
    case 'relu':
      return runShippedWasmKernel(backend, tf.Relu, { x }, {});
    case 'relu6':
      return runShippedWasmKernel(backend, tf.Relu6, { x }, {});
    case 'sigmoid':
      return runShippedWasmKernel(backend, tf.Sigmoid, { x }, {});
    case 'elu':
      return runShippedWasmKernel(backend, tf.Elu, { x }, {});
    case 'leakyrelu':
      return runShippedWasmKernel(backend, tf.LeakyRelu, { x }, { alpha });
    case 'prelu':
      return runShippedWasmKernel(backend, tf.Prelu, { x, alpha: prelu as tf.TensorInfo }, {});
    default:
      throw new Error(`_FusedMatMul: unknown activation '${activation}'.`);
  }
}

export const wasmFusedMatMulConfig: tf.KernelConfig = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as tf.KernelFunc,
};
