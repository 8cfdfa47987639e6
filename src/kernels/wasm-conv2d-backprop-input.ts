/**
 * Conv2DBackpropInput for the wasm backend, replacing the shipped kernel for
 * speed. The shipped one is correct but a plain scalar C++ loop, a large
 * part of a LeNet training step (docs/performance.md).
 *
 * The input gradient of a convolution is a convolution of dy with the same
 * filter turned 180 degrees and with its in/out channels swapped:
 *
 *   dx[b, i, j, ci] = sum over fr, fc, co of
 *       dyE[b, i + fr', j + fc', co] * W[kh-1-fr', kw-1-fc', ci, co]
 *
 * where dyE is dy spread out to the input's resolution: dy[b, r, c] placed at
 * (r*strideH + kh-1-padTop, c*strideW + kw-1-padLeft) with zeros between and
 * around. For stride 1 that spreading is nothing but padding, which the
 * convolution does itself; otherwise we build dyE in a zeroed buffer. The
 * convolution runs on the wasm backend's own Conv2D (XNNPACK, SIMD), or its
 * depthwise convolution when x has one channel (see `convolve`).
 *
 * Where the optional native BLAS is installed (./native-blas), the addon
 * does it instead: per chunk of output pixels, one cblas_sgemm of dy with
 * the filter gives each pixel's window gradient, which is added back onto
 * the input positions the window covered (col2im).
 *
 * Supports NHWC and NCHW (transposed to NHWC and back), any strides,
 * 'same'/'valid'/explicit padding and dimRoundingMode. The op has no
 * dilations attribute (tfjs refuses gradients of dilated convolutions).
 */
import * as tf from '@tensorflow/tfjs';
import { ConvGeometry, gradientGeometry } from './conv-geometry';
import { convGeometryArray, nativeBlas } from './native-blas';
import { allocateF32, assertFloat32, heapF32, release, relabel, zerosF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';
import { conv2dOnWasm, depthwiseConv2dOnWasm, isShape4, sumLastAxisOnWasm, transposeOnWasm } from './wasm-ops';

function conv2DBackpropInput(args: {
  inputs: tf.Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: tf.Conv2DBackpropInputAttrs;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as tf.TensorInfo;
  const filter = inputs.filter as tf.TensorInfo;
  assertFloat32(tf.Conv2DBackpropInput, dy, filter);
  const { inputShape } = attrs;
  if (!isShape4(filter.shape)) throw new Error(`Conv2DBackpropInput: filter must be rank 4, got shape [${filter.shape}].`);

  const g = gradientGeometry('Conv2DBackpropInput', inputShape, filter.shape, dy.shape, attrs);
  const nhwcShape = [g.batch, g.inHeight, g.inWidth, g.inChannels];
  if (tf.util.sizeFromShape(nhwcShape) === 0) return allocateF32(backend, [...inputShape]);
  if (g.outChannels * g.outHeight * g.outWidth === 0) return zerosF32(backend, [...inputShape]);

  const temporaries: tf.TensorInfo[] = [];
  try {
    let dyNhwc = dy;
    if (!g.channelsLast) {
      dyNhwc = transposeOnWasm(backend, dy, [0, 2, 3, 1]);
      temporaries.push(dyNhwc);
    }
    const blas = nativeBlas();
    if (blas) {
      const dxNhwc = allocateF32(backend, nhwcShape);
      blas.conv2dBackpropInput(heapF32(backend, dyNhwc), heapF32(backend, filter), heapF32(backend, dxNhwc), convGeometryArray(g));
      if (g.channelsLast) return dxNhwc;
      temporaries.push(dxNhwc);
      return transposeOnWasm(backend, dxNhwc, [0, 3, 1, 2]);
    }
    const flipped = flippedFilter(backend, filter, g);
    temporaries.push(flipped);

    // Padding that makes "valid" positions of the flipped filter over dy line up with x.
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const bottom = g.inHeight - g.outHeight + g.padTop;
    const right = g.inWidth - g.outWidth + g.padLeft;
    let dxNhwc: tf.TensorInfo;
    if (g.strideHeight === 1 && g.strideWidth === 1 && Math.min(top, left, bottom, right) >= 0) {
      dxNhwc = convolve(backend, dyNhwc, flipped, [top, bottom, left, right], g);
    } else {
      const spread = spreadOut(backend, dyNhwc, g);
      temporaries.push(spread);
      dxNhwc = convolve(backend, spread, flipped, [0, 0, 0, 0], g);
    }
    if (!tf.util.arraysEqual(dxNhwc.shape, nhwcShape)) {
      temporaries.push(dxNhwc);
      throw new Error(`Conv2DBackpropInput: internal shape error, got [${dxNhwc.shape}], expected [${nhwcShape}].`);
    }
    if (g.channelsLast) return dxNhwc;
    temporaries.push(dxNhwc);
    return transposeOnWasm(backend, dxNhwc, [0, 3, 1, 2]);
  } finally {
    release(backend, ...temporaries);
  }
}

/**
 * The stride-1 convolution of (padded or spread) dy with the flipped filter.
 *
 * With a single input channel (the first layer of a net on grayscale
 * images, like the course's) the convolution has one output channel, which
 * XNNPACK's convolution computes as if it were 8 (its SIMD tile width).
 * Then it is about twice as fast to convolve each dy channel with its own
 * filter (a depthwise convolution: the flipped [kh, kw, Cout, 1] filter is
 * already in the depthwise layout) and add the channels up.
 */
function convolve(
  backend: BackendWasm,
  input: tf.TensorInfo,
  flipped: tf.TensorInfo,
  pads: [number, number, number, number],
  g: ConvGeometry,
): tf.TensorInfo {
  if (g.inChannels !== 1) return conv2dOnWasm(backend, input, flipped, pads);
  const perChannel = depthwiseConv2dOnWasm(backend, input, flipped, pads);
  const summed = sumLastAxisOnWasm(backend, perChannel);
  release(backend, perChannel);
  return relabel(summed, [...summed.shape, 1]);
}

/** W[kh-1-fr, kw-1-fc, ci, co] stored as [fr, fc, co, ci]: tiny, so a JS loop is fine. */
function flippedFilter(backend: BackendWasm, filter: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: cin, outChannels: cout } = g;
  const out = allocateF32(backend, [kh, kw, cout, cin]);
  const w = heapF32(backend, filter);
  const f = heapF32(backend, out);
  for (let fr = 0; fr < kh; fr++) {
    for (let fc = 0; fc < kw; fc++) {
      const src = ((kh - 1 - fr) * kw + (kw - 1 - fc)) * cin * cout;
      const dst = (fr * kw + fc) * cout * cin;
      for (let ci = 0; ci < cin; ci++) {
        for (let co = 0; co < cout; co++) f[dst + co * cin + ci] = w[src + ci * cout + co];
      }
    }
  }
  return out;
}

/**
 * dy (NHWC) placed on a zeroed [batch, H + kh - 1, W + kw - 1, Cout] grid at
 * (r*strideH + kh-1-padTop, c*strideW + kw-1-padLeft). Entries that fall off
 * the grid belong to outputs that only ever saw padding; they contribute
 * nothing to dx and are dropped.
 */
function spreadOut(backend: BackendWasm, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const rows = g.inHeight + g.filterHeight - 1;
  const cols = g.inWidth + g.filterWidth - 1;
  const channels = g.outChannels;
  const out = zerosF32(backend, [g.batch, rows, cols, channels]);
  const src = heapF32(backend, dy);
  const dst = heapF32(backend, out);
  const rowShift = g.filterHeight - 1 - g.padTop;
  const colShift = g.filterWidth - 1 - g.padLeft;
  for (let b = 0; b < g.batch; b++) {
    for (let r = 0; r < g.outHeight; r++) {
      const q = r * g.strideHeight + rowShift;
      if (q < 0 || q >= rows) continue;
      for (let c = 0; c < g.outWidth; c++) {
        const p = c * g.strideWidth + colShift;
        if (p < 0 || p >= cols) continue;
        const from = ((b * g.outHeight + r) * g.outWidth + c) * channels;
        const to = ((b * rows + q) * cols + p) * channels;
        for (let ch = 0; ch < channels; ch++) dst[to + ch] = src[from + ch];
      }
    }
  }
  return out;
}

export const wasmConv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
};
