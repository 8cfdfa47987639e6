/**
 * The numbers that describe one 2-D convolution (or pooling) window sweep,
 * gathered in one place so that the kernels in this folder share one reading
 * of tfjs's attributes and cannot disagree about padding or output size.
 *
 * tfjs already knows how to turn strides/pad/dilations/dimRoundingMode into
 * output sizes and pad amounts (`backend_util.computeConv2DInfo`); we reuse it
 * rather than re-deriving 'same' padding, so our kernels agree with every
 * other backend by construction.
 */
import * as tf from '@tensorflow/tfjs';

export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  /** true for NHWC, false for NCHW. */
  channelsLast: boolean;
}

export function geometryFromConvInfo(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  const geometry: ConvGeometry = {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    channelsLast: info.dataFormat === 'channelsLast',
  };
  assertSupported(geometry);
  return geometry;
}

/**
 * Rejects geometry the loops below would silently get wrong. tfjs validates
 * most of this before a kernel runs, but these kernels can also be called
 * directly (tests, students poking at `tf.engine().runKernel`), and a wrong
 * gradient is far harder to debug than an error.
 */
/** The attributes every conv gradient kernel receives (Conv2DBackpropFilter and Conv2DBackpropInput alike). */
export interface ConvGradientAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The geometry of the forward convolution a gradient kernel belongs to,
 * after checking that the incoming gradient `dy` has that convolution's output shape.
 */
export function gradientGeometry(
  kernelName: string,
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  dyShape: number[],
  attrs: ConvGradientAttrs,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (!tf.util.arraysEqual(dyShape, info.outShape)) {
    throw new Error(`${kernelName}: dy has shape [${dyShape}] but the convolution's output is [${info.outShape}].`);
  }
  return geometryFromConvInfo(info);
}

export function assertSupported(g: ConvGeometry): void {
  const positiveInts: Array<[string, number]> = [
    ['stride height', g.strideHeight],
    ['stride width', g.strideWidth],
    ['dilation height', g.dilationHeight],
    ['dilation width', g.dilationWidth],
  ];
  for (const [name, value] of positiveInts) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`Course conv kernels: ${name} must be a whole number >= 1, got ${value}.`);
    }
  }
}

/**
 * The indices o in [0, outSize) whose position `o * stride + offset` falls
 * inside [0, size), as [first, end): e.g. the taps of a pooling window that
 * lie inside the image. Computing the range once keeps bounds tests out of
 * the innermost loops.
 */
export function validRange(outSize: number, stride: number, offset: number, size: number): [number, number] {
  const first = Math.max(0, Math.ceil(-offset / stride));
  const end = Math.min(outSize, Math.floor((size - 1 - offset) / stride) + 1);
  return [first, Math.max(first, end)];
}
