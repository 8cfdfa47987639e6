/**
 * Pooling gradients in the common case where the windows tile the input
 * exactly (LeNet's 2×2 pools with stride 2). Every input element then lies in
 * exactly one window, so its gradient is written once instead of accumulated,
 * and the native addon can do a whole batch in one pass: the JavaScript loops
 * over the wasm heap were a tenth of a LeNet training step (docs/performance.md).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native-blas';

/** Stride = window, no padding, no dilation, and the input a whole number of windows. */
export function tilesExactly(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo: pad } = info;
  return (
    info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth &&
    info.dilationHeight === 1 && info.dilationWidth === 1 &&
    pad.top === 0 && pad.left === 0 && pad.bottom === 0 && pad.right === 0 &&
    info.inHeight === info.outHeight * info.filterHeight && info.inWidth === info.outWidth * info.filterWidth
  );
}

/**
 * Writes the whole of dx for tiling windows with the native addon: max pooling sends each dy to its
 * window's first maximum (x is the pooling's input), average pooling shares it out evenly.
 * Returns false, having written nothing, where the addon is missing or switched off.
 */
export function nativeTiledPoolGrad(
  kind: 'max' | 'average', info: tf.backend_util.Conv2DInfo, x: Float32Array | null, dy: Float32Array, dx: Float32Array,
): boolean {
  const blas = nativeBlas();
  if (!blas) return false;
  const geometry = [info.batchSize, info.outHeight, info.outWidth, info.inChannels, info.filterHeight, info.filterWidth];
  blas.poolGradTiled(blas.codes.pool[kind === 'max' ? 'max' : 'average'], x, dy, dx, geometry);
  return true;
}
