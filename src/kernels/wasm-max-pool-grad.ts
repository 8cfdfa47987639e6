/**
 * MaxPoolGrad for the wasm backend, replacing the one tfjs-backend-wasm 4.22
 * ships, which gives wrong gradients.
 *
 * The shipped C++ kernel starts its running maximum at
 * std::numeric_limits<float>::min(), which is the smallest POSITIVE float
 * (about 1e-38), not the most negative one. In any window whose values are
 * all <= 0 no value "beats" the start, so the gradient is sent to element 0 of
 * the whole tensor (or dropped) instead of to the window's maximum. Max
 * pooling after a linear or tanh layer, or of any negative data, trains
 * wrongly; after ReLU the damage happens to be hidden because ReLU's own
 * gradient is zero wherever its output is zero. (It also breaks ties towards
 * the last maximum where every other backend picks the first.)
 *
 * The gradient of max pooling is simple: each dy value goes, whole, to the
 * input element that was the maximum of its window. We find that element
 * again (first maximum in row-major window order, as the cpu backend does)
 * and add dy there. Windows overlap when stride < window, hence "add".
 * Channels are the innermost loop so that reads and writes are contiguous in
 * NHWC, the only layout tfjs pools in.
 */
import * as tf from '@tensorflow/tfjs';
import { validRange } from './conv-geometry';
import { nativeTiledPoolGrad, tilesExactly } from './pool-grad-tiled';
import { allocateF32, assertFloat32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

type Shape4 = [number, number, number, number];

function maxPoolGrad(args: {
  inputs: tf.MaxPoolGradInputs;
  backend: BackendWasm;
  attrs: tf.MaxPoolGradAttrs;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const input = inputs.input as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  assertFloat32(tf.MaxPoolGrad, input, dy);
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  if (!tf.util.arraysEqual(dy.shape, info.outShape)) {
    throw new Error(`MaxPoolGrad: dy has shape [${dy.shape}] but the pooling output is [${info.outShape}].`);
  }

  const dxInfo = allocateF32(backend, input.shape);
  const x = heapF32(backend, input);
  const dyValues = heapF32(backend, dy);
  const dx = heapF32(backend, dxInfo);
  if (tilesExactly(info) && nativeTiledPoolGrad('max', info, x, dyValues, dx)) return dxInfo;
  dx.fill(0);

  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const best = new Float32Array(channels);
  const bestAt = new Int32Array(channels);

  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowCorner = r * strideHeight - info.padInfo.top;
      // Window rows inside the image: rowCorner + i * dilationHeight for i in [iFirst, iEnd).
      const [iFirst, iEnd] = validRange(info.filterHeight, dilationHeight, rowCorner, inHeight);
      for (let c = 0; c < outWidth; c++) {
        const colCorner = c * strideWidth - info.padInfo.left;
        const [jFirst, jEnd] = validRange(info.filterWidth, dilationWidth, colCorner, inWidth);
        best.fill(-Infinity);
        bestAt.fill(-1);
        for (let i = iFirst; i < iEnd; i++) {
          const rowBase = (b * inHeight + rowCorner + i * dilationHeight) * inWidth;
          for (let j = jFirst; j < jEnd; j++) {
            const base = (rowBase + colCorner + j * dilationWidth) * channels;
            for (let ch = 0; ch < channels; ch++) {
              const v = x[base + ch];
              // Strict '>': the first maximum wins, and NaN never wins (no gradient), as on cpu.
              if (v > best[ch]) {
                best[ch] = v;
                bestAt[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + r) * outWidth + c) * channels;
        for (let ch = 0; ch < channels; ch++) {
          const at = bestAt[ch];
          if (at >= 0) dx[at] += dyValues[dyBase + ch];
        }
      }
    }
  }
  return dxInfo;
}

export const wasmMaxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
