/**
 * Conv2D and FusedConv2D (convolution + bias + activation) for the wasm
 * backend, on the native BLAS where it is installed (./native-blas): an
 * im2col convolution (each output pixel's window copied into a row of a
 * patch matrix, then one cblas_sgemm with the filter as a [kh*kw*Cin, Cout]
 * matrix), with bias and activation applied while the result is in cache.
 *
 * Conv layers call Conv2D while training (tfjs fuses only outside
 * gradients) and FusedConv2D when predicting. Without the addon, and for
 * what the addon does not cover (channels-first FusedConv2D, prelu, a bias
 * that is not one value per channel), the shipped XNNPACK kernels run. They also run for convolutions with fewer than
 * NATIVE_MIN_OUT_CHANNELS output channels: a product with so few columns
 * wastes most of sgemm's tile: XNNPACK is faster on the course's first LeNet
 * layer (1 -> 6 channels, 5x5), im2col + sgemm on its second (6 -> 16) and
 * on the bench's 16 -> 32 (docs/performance.md).
 */
import * as tf from '@tensorflow/tfjs';
import { geometryFromConvInfo } from './conv-geometry';
import { convGeometryArray, nativeBlas } from './native-blas';
import type { NativeBlas } from './native-blas';
import { runShippedWasmKernel } from './shipped-kernels';
import { allocateF32, assertFloat32, heapF32, release } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';
import { isShape4, transposeOnWasm } from './wasm-ops';

/** Below this many output channels the shipped XNNPACK convolution is faster (see the header). */
export const NATIVE_MIN_OUT_CHANNELS = 8;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Whether the shipped kernel gets this convolution right: it rejects
 * channels-first data, and ignores dimRoundingMode 'ceil'/'round' where
 * that adds an output row or column (its windows then read past the image).
 */
function shippedHandles(attrs: ConvAttrs): boolean {
  return attrs.dataFormat !== 'NCHW' && (attrs.dimRoundingMode === undefined || attrs.dimRoundingMode === 'floor');
}

/** act(conv(x, filter) + bias) on the addon; x and the result in attrs.dataFormat. */
function nativeConv(
  blas: NativeBlas,
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: ConvAttrs,
  bias: tf.TensorInfo | null,
  activation: string,
  alpha: number,
): tf.TensorInfo {
  if (!isShape4(x.shape) || !isShape4(filter.shape)) throw new Error(`Conv2D: x and filter must be rank 4, got [${x.shape}] and [${filter.shape}].`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  const g = geometryFromConvInfo(info);
  const nhwcOut = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  const temporaries: tf.TensorInfo[] = [];
  try {
    let xNhwc = x;
    if (!g.channelsLast) {
      xNhwc = transposeOnWasm(backend, x, [0, 2, 3, 1]);
      temporaries.push(xNhwc);
    }
    const out = allocateF32(backend, nhwcOut);
    if (!g.channelsLast) temporaries.push(out);
    blas.conv2d(
      heapF32(backend, xNhwc), heapF32(backend, filter), heapF32(backend, out), convGeometryArray(g),
      bias ? heapF32(backend, bias) : null, blas.codes.activation[activation], alpha,
    );
    return g.channelsLast ? out : transposeOnWasm(backend, out, [0, 3, 1, 2]);
  } finally {
    release(backend, ...temporaries);
  }
}

function conv2D(args: { inputs: tf.Conv2DInputs; backend: BackendWasm; attrs: tf.Conv2DAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  assertFloat32(tf.Conv2D, x, filter);
  const blas = nativeBlas();
  if (blas && (filter.shape[3] >= NATIVE_MIN_OUT_CHANNELS || !shippedHandles(attrs))) {
    return nativeConv(blas, backend, x, filter, attrs, null, 'linear', 0);
  }
  return runShippedWasmKernel(args.backend, tf.Conv2D, args.inputs as unknown as tf.NamedTensorInfoMap, args.attrs);
}

function fusedConv2D(args: { inputs: tf.FusedConv2DInputs; backend: BackendWasm; attrs: tf.FusedConv2DAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  const bias = (inputs.bias as tf.TensorInfo | undefined) ?? null;
  const { activation = 'linear', leakyreluAlpha = 0.2 } = attrs;
  assertFloat32(tf.FusedConv2D, x, filter);
  if (bias) assertFloat32(tf.FusedConv2D, bias);
  const blas = nativeBlas();
  const outChannels = filter.shape[3];
  const biasSize = bias ? tf.util.sizeFromShape(bias.shape) : 0;
  const biasFits = !bias || ((biasSize === 1 || biasSize === outChannels) && bias.shape[bias.shape.length - 1] === biasSize);
  if (blas && (outChannels >= NATIVE_MIN_OUT_CHANNELS || !shippedHandles(attrs)) && attrs.dataFormat === 'NHWC' && biasFits) {
    if (activation in blas.codes.activation) return nativeConv(blas, backend, x, filter, attrs, bias, activation, leakyreluAlpha);
    if (activation === 'prelu' && inputs.preluActivationWeights) {
      const linear = nativeConv(blas, backend, x, filter, attrs, bias, 'linear', 0);
      try {
        return runShippedWasmKernel(backend, tf.Prelu, { x: linear, alpha: inputs.preluActivationWeights as tf.TensorInfo }, {});
      } finally {
        release(backend, linear);
      }
    }
  }
  return runShippedWasmKernel(args.backend, tf.FusedConv2D, args.inputs as unknown as tf.NamedTensorInfoMap, args.attrs);
}

export const wasmConv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as tf.KernelFunc,
};

export const wasmFusedConv2DConfig: tf.KernelConfig = {
  kernelName: tf.FusedConv2D,
  backendName: 'wasm',
  kernelFunc: fusedConv2D as unknown as tf.KernelFunc,
};
