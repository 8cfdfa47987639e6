/**
 * Conv2DBackpropFilter for the wasm backend: the gradient of the loss with
 * respect to a convolution's filter, which an optimizer needs to train a
 * conv layer. tfjs-backend-wasm 4.22 has the forward convolution and the
 * input gradient but not this kernel, so without it `model.fit` on a conv
 * net stops with "Kernel 'Conv2DBackpropFilter' not registered for backend
 * 'wasm'".
 *
 * The filter gradient is itself a convolution, with the roles swapped:
 *
 *   dW[fr, fc, ci, co] = sum over b, r, c of
 *       x[b, fr + r*strideH - padTop, fc + c*strideW - padLeft, ci] * dy[b, r, c, co]
 *
 * Read it as a forward convolution in which
 *   - the input channels run over the batch b (so the batch is summed),
 *   - the "images" are the input channels ci,
 *   - the filter is dy, with one tap per output pixel (r, c),
 *   - the taps are `stride` apart in the input, i.e. a dilated filter,
 *   - the output, one value per filter position (fr, fc), is dW.
 * So we transpose x to [Cin, H, W, batch] and dy to [outH, outW, batch, Cout],
 * run the wasm backend's own Conv2D (XNNPACK, SIMD), and transpose the
 * [Cin, kh, kw, Cout] result to the filter layout [kh, kw, Cin, Cout]. All the
 * arithmetic and data movement happen in WebAssembly; none in JS loops.
 *
 * Where the optional native BLAS is installed (./native-blas), the addon
 * does it instead: im2col patches of x times dy, one cblas_sgemm per chunk
 * of output pixels, accumulated into dW; NCHW tensors are transposed to NHWC
 * first.
 *
 * Supports NHWC and NCHW, any strides, 'same'/'valid'/explicit padding and
 * dimRoundingMode. (The op has no dilations attribute: tfjs refuses to take
 * gradients of dilated convolutions before any kernel runs.)
 */
import * as tf from '@tensorflow/tfjs';
import { gradientGeometry } from './conv-geometry';
import { convGeometryArray, nativeBlas } from './native-blas';
import { allocateF32, assertFloat32, heapF32, release, relabel, zerosF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';
import { conv2dOnWasm, isShape4, sliceOnWasm, transposeOnWasm } from './wasm-ops';

function conv2DBackpropFilter(args: {
  inputs: tf.Conv2DBackpropFilterInputs;
  backend: BackendWasm;
  attrs: tf.Conv2DBackpropFilterAttrs;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  assertFloat32(tf.Conv2DBackpropFilter, x, dy);
  const { filterShape } = attrs;
  if (!isShape4(x.shape)) throw new Error(`Conv2DBackpropFilter: x must be rank 4, got shape [${x.shape}].`);

  const g = gradientGeometry('Conv2DBackpropFilter', x.shape, filterShape, dy.shape, attrs);

  // Input rows (from the top) that some filter tap reaches, and whether the
  // forward convolution padded below the image (pad > 0) or never reached its
  // last rows (they must be cut off: a convolution cannot pad negatively).
  const rowsUsed = (g.outHeight - 1) * g.strideHeight + g.filterHeight - g.padTop;
  const colsUsed = (g.outWidth - 1) * g.strideWidth + g.filterWidth - g.padLeft;
  const keepRows = Math.min(g.inHeight, rowsUsed);
  const keepCols = Math.min(g.inWidth, colsUsed);

  if (g.batch * g.inChannels * g.outChannels * g.outHeight * g.outWidth === 0 || keepRows <= 0 || keepCols <= 0) {
    // Nothing to sum (an empty batch, or every tap in the padding): zero gradient.
    return zerosF32(backend, [...filterShape]);
  }

  const blas = nativeBlas();
  if (blas) {
    const temporaries: tf.TensorInfo[] = [];
    try {
      const xNhwc = g.channelsLast ? x : transposeOnWasm(backend, x, [0, 2, 3, 1]);
      const dyNhwc = g.channelsLast ? dy : transposeOnWasm(backend, dy, [0, 2, 3, 1]);
      if (!g.channelsLast) temporaries.push(xNhwc, dyNhwc);
      const dW = allocateF32(backend, [...filterShape]);
      blas.conv2dBackpropFilter(heapF32(backend, xNhwc), heapF32(backend, dyNhwc), heapF32(backend, dW), convGeometryArray(g));
      return dW;
    } finally {
      release(backend, ...temporaries);
    }
  }

  const temporaries: tf.TensorInfo[] = [];
  try {
    let image = x;
    if (keepRows < g.inHeight || keepCols < g.inWidth) {
      const [rowAxis, colAxis] = g.channelsLast ? [1, 2] : [2, 3];
      const size = [...x.shape];
      size[rowAxis] = keepRows;
      size[colAxis] = keepCols;
      image = sliceOnWasm(backend, x, [0, 0, 0, 0], size);
      temporaries.push(image);
    }
    // [Cin, rows, cols, batch]: channels become "images", the batch becomes channels.
    const imagesByChannel = transposeOnWasm(backend, image, g.channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]);
    temporaries.push(imagesByChannel);
    // [outH, outW, batch, Cout]: dy becomes a filter with one tap per output pixel.
    const dyAsFilter = transposeOnWasm(backend, dy, g.channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]);
    temporaries.push(dyAsFilter);

    const perChannel = conv2dOnWasm(
      backend,
      imagesByChannel,
      dyAsFilter,
      [g.padTop, rowsUsed - keepRows, g.padLeft, colsUsed - keepCols],
      [g.strideHeight, g.strideWidth],
    ); // [Cin, kh, kw, Cout]
    temporaries.push(perChannel);

    const dW = transposeOnWasm(backend, perChannel, [1, 2, 0, 3]);
    return relabel(dW, [...filterShape]);
  } finally {
    release(backend, ...temporaries);
  }
}

export const wasmConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
