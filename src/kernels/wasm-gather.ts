/**
 * GatherV2 for the wasm backend, replacing the shipped kernel for speed.
 *
 * Every minibatch of lessons 5-8 is gathered from the whole training set:
 * 256 rows of 784 pixels out of 60,000. The shipped kernel computes the
 * source of every element separately, a noticeable part of a LeNet training
 * step (docs/performance.md). A gathered row is contiguous in both tensors,
 * so we copy whole rows instead.
 *
 * tf.gather(x, indices, axis, batchDims) views x as
 * [batch, outer, dim, slice], where dim is the gathered axis, and the output
 * as [batch, outer, indices per batch, slice]:
 *
 *   out[b, o, i, :] = x[b, o, indices[b, i], :]
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from './wasm-memory';

/** Below this many elements per slice a plain loop beats creating a subarray per slice. */
const SHORT_SLICE = 32;

function gatherV2(args: { inputs: tf.GatherV2Inputs; backend: BackendWasm; attrs: tf.GatherV2Attrs }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as tf.TensorInfo;
  const indices = inputs.indices as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, axis, attrs.batchDims);
  const { batchSize, outerSize, dimSize, sliceSize } = info;
  for (const index of backend.typedArrayFromHeap(indices)) {
    if (!(index >= 0 && index < dimSize)) throw new Error(`GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
  }
  const out = backend.makeOutput(info.outputShape, x.dtype);
  if (tf.util.sizeFromShape(info.outputShape) === 0) return out;

  // Views after allocating the output (an allocation may move the heap).
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const positions = backend.typedArrayFromHeap(indices);
  const perBatch = positions.length / batchSize;
  let target = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const base = (b * outerSize + o) * dimSize;
      for (let i = 0; i < perBatch; i++) {
        const source = (base + positions[b * perBatch + i]) * sliceSize;
        if (sliceSize < SHORT_SLICE) {
          for (let k = 0; k < sliceSize; k++) to[target + k] = from[source + k];
        } else {
          to.set(from.subarray(source, source + sliceSize), target);
        }
        target += sliceSize;
      }
    }
  }
  return out;
}

export const wasmGatherV2Config: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: 'wasm',
  kernelFunc: gatherV2 as unknown as tf.KernelFunc,
};
