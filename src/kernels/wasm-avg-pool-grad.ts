/**
 * AvgPoolGrad for the wasm backend, replacing the shipped kernel for speed.
 * The shipped one is correct but goes through a general 3-D pooling loop in
 * C++; this direct loop is faster (docs/performance.md).
 *
 * Average pooling's gradient spreads each dy value evenly over its window:
 * every input element in the window gets dy / (window height * width).
 * Windows overlap when stride < window, hence "add". Elements of a window
 * that lie in the padding get nothing, and the divisor is still the full
 * window size, exactly as the cpu backend (and the shipped kernel) do it.
 * Channels are the innermost loop so that reads and writes are contiguous in
 * NHWC, the only layout tfjs pools in.
 */
import * as tf from '@tensorflow/tfjs';
import { validRange } from './conv-geometry';
import { nativeTiledPoolGrad, tilesExactly } from './pool-grad-tiled';
import { allocateF32, assertFloat32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

type Shape4 = [number, number, number, number];

function avgPoolGrad(args: { inputs: tf.AvgPoolGradInputs; backend: BackendWasm; attrs: tf.AvgPoolGradAttrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const input = inputs.input as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  assertFloat32(tf.AvgPoolGrad, input, dy);
  const { filterSize, strides, pad } = attrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad);
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`AvgPoolGrad: dy has shape [${dy.shape}] but the pooling output is [${info.outShape}].`);
  }

  const dxInfo = allocateF32(backend, input.shape);
  const dyValues = heapF32(backend, dy);
  const dx = heapF32(backend, dxInfo);
  if (tilesExactly(info)) {
    if (!nativeTiledPoolGrad('average', info, null, dyValues, dx)) tiledAvgPoolGrad(info, dyValues, dx);
    return dxInfo;
  }
  dx.fill(0);

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const share = 1 / (info.filterHeight * info.filterWidth);

  let from = 0; // dy offset of (b, r, c, channel 0); dy is visited in storage order
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowCorner = r * strideHeight - info.padInfo.top;
      const [iFirst, iEnd] = validRange(info.filterHeight, dilationHeight, rowCorner, inHeight);
      for (let c = 0; c < outWidth; c++, from += channels) {
        const colCorner = c * strideWidth - info.padInfo.left;
        const [jFirst, jEnd] = validRange(info.filterWidth, dilationWidth, colCorner, inWidth);
        for (let i = iFirst; i < iEnd; i++) {
          const rowBase = (b * inHeight + rowCorner + i * dilationHeight) * inWidth;
          for (let j = jFirst; j < jEnd; j++) {
            const to = (rowBase + colCorner + j * dilationWidth) * channels;
            for (let ch = 0; ch < channels; ch++) dx[to + ch] += dyValues[from + ch] * share;
          }
        }
      }
    }
  }
  return dxInfo;
}

/** tilesExactly's case without the native addon. */
function tiledAvgPoolGrad(info: tf.backend_util.Conv2DInfo, dy: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const share = 1 / (filterHeight * filterWidth);
  let from = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++, from += channels) {
        for (let i = 0; i < filterHeight; i++) {
          const rowBase = (b * inHeight + r * filterHeight + i) * inWidth + c * filterWidth;
          for (let j = 0; j < filterWidth; j++) {
            const to = (rowBase + j) * channels;
            for (let ch = 0; ch < channels; ch++) dx[to + ch] = dy[from + ch] * share;
          }
        }
      }
    }
  }
}

export const wasmAvgPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: avgPoolGrad as unknown as tf.KernelFunc,
};
