/**
 * Conv2DBackpropFilter for the cpu backend, replacing the shipped kernel for
 * speed. The shipped kernel reads every value through TensorBuffer.get(),
 * a function call with index arithmetic per element, in a loop order that
 * walks the whole batch once for every filter weight: most of a LeNet
 * training step on cpu (docs/performance.md).
 *
 *   dW[fr, fc, ci, co] = sum over b, r, c of
 *       x[b, r*strideH + fr - padTop, c*strideW + fc - padLeft, ci] * dy[b, r, c, co]
 *
 * We visit each output pixel (b, r, c) once, hold its dy values (one per
 * output channel) in a small array, and add x * dy into every filter weight
 * that pixel touches. The innermost loop runs over output channels, which
 * are contiguous in both the dy row and the filter. Sums are kept in float64,
 * as the shipped kernel's are, so results agree with it to float32 rounding.
 *
 * Supports NHWC and NCHW, any strides, 'same'/'valid'/explicit padding and
 * dimRoundingMode (the op has no dilations attribute).
 */
import * as tf from '@tensorflow/tfjs';
import type { CpuBackend } from './cpu-memory';
import { gradientGeometry } from './conv-geometry';

function conv2DBackpropFilter(args: {
  inputs: tf.Conv2DBackpropFilterInputs;
  backend: CpuBackend;
  attrs: tf.Conv2DBackpropFilterAttrs;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const dy = inputs.dy as tf.TensorInfo;
  const { filterShape } = attrs;
  const g = gradientGeometry('Conv2DBackpropFilter', x.shape as [number, number, number, number], filterShape, dy.shape, attrs);
  const xv = backend.readSync(x.dataId) as ArrayLike<number>;
  const dyv = backend.readSync(dy.dataId) as ArrayLike<number>;

  const { inHeight: H, inWidth: W, inChannels: cin, outHeight: OH, outWidth: OW, outChannels: cout } = g;
  // Element strides of x and dy for either layout.
  const xs = g.channelsLast ? { b: H * W * cin, r: W * cin, c: cin, ch: 1 } : { b: cin * H * W, r: W, c: 1, ch: H * W };
  const ys = g.channelsLast ? { b: OH * OW * cout, r: OW * cout, c: cout, ch: 1 } : { b: cout * OH * OW, r: OW, c: 1, ch: OH * OW };

  const sums = new Float64Array(g.filterHeight * g.filterWidth * cin * cout);
  const dyPixel = new Float64Array(cout);
  for (let b = 0; b < g.batch; b++) {
    for (let r = 0; r < OH; r++) {
      for (let c = 0; c < OW; c++) {
        const yBase = b * ys.b + r * ys.r + c * ys.c;
        for (let co = 0; co < cout; co++) dyPixel[co] = dyv[yBase + co * ys.ch];
        for (let fr = 0; fr < g.filterHeight; fr++) {
          const ir = r * g.strideHeight + fr - g.padTop;
          if (ir < 0 || ir >= H) continue;
          for (let fc = 0; fc < g.filterWidth; fc++) {
            const ic = c * g.strideWidth + fc - g.padLeft;
            if (ic < 0 || ic >= W) continue;
            const xBase = b * xs.b + ir * xs.r + ic * xs.c;
            let w = (fr * g.filterWidth + fc) * cin * cout;
            for (let ci = 0; ci < cin; ci++, w += cout) {
              const xval = xv[xBase + ci * xs.ch];
              if (xval === 0) continue; // common after ReLU; skipping changes nothing
              for (let co = 0; co < cout; co++) sums[w + co] += xval * dyPixel[co];
            }
          }
        }
      }
    }
  }
  return backend.makeTensorInfo([...filterShape], 'float32', Float32Array.from(sums));
}

export const cpuConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
};
