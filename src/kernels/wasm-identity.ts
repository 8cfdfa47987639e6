/**
 * Identity for the wasm backend, replacing the shipped kernel for speed.
 *
 * tf.clone, and the engine's gradient code (which clones every gradient it
 * passes on), run Identity: a LeNet training step calls it 44 times, and the
 * shipped kernel copies the whole tensor each time. Tensors
 * are immutable, so a copy is never needed: like the cpu backend's Identity
 * and the wasm backend's own Reshape, we hand back the same data with one
 * more reference to it, and the data is freed when its last tensor is.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from './wasm-memory';

function identity(args: { inputs: tf.IdentityInputs; backend: BackendWasm }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const wasmIdentityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};
