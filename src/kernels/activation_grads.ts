/**
 * The gradients of the sigmoid and ReLU activations, each in one pass.
 *
 * tfjs differentiates y = sigmoid(x) as dy · (y · (1 − y)) and y = relu(x) as
 * dy · step(x): three element-wise kernels each, three passes over a layer's
 * activations and two temporaries. After LeNet's first convolution that is
 * 1.2 million values (256 × 28 × 28 × 6) per pass. The native addon does the
 * whole product in one pass, rounding after each operation as the separate
 * kernels do, so the gradients are bit for bit tfjs's (tests/kernels.test.ts).
 *
 * The kernels are registered on wasm where the addon loaded. The gradient
 * functions registered here replace tfjs's for Sigmoid and Relu: they use the
 * kernels where the active backend has them, and tfjs's composition elsewhere,
 * and also while a gradient is itself being differentiated (a second
 * derivative), because our kernels have no gradient of their own.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeBlas } from './native_blas';
import { allocateF32, assertFloat32, heapF32 } from './wasm_memory';
import type { BackendWasm } from './wasm_memory';

export const SIGMOID_GRAD = 'CourseSigmoidGrad';
export const RELU_GRAD = 'CourseReluGrad';

/** What each kernel needs besides dy: the sigmoid's output, ReLU's input. */
const ACTIVATIONS = {
  [SIGMOID_GRAD]: { kind: 0, slope: (saved: number) => Math.fround(saved * Math.fround(1 - saved)) },
  [RELU_GRAD]: { kind: 1, slope: (saved: number) => (saved > 0 ? 1 : Number.isNaN(saved) ? NaN : 0) },
};

type ActivationGradName = keyof typeof ACTIVATIONS;

export interface ActivationGradInputs extends tf.NamedTensorInfoMap {
  dy: tf.TensorInfo;
  saved: tf.TensorInfo;
}

function wasmKernel(kernelName: ActivationGradName): tf.KernelConfig {
  const { kind, slope } = ACTIVATIONS[kernelName];
  const kernelFunc = (args: { inputs: ActivationGradInputs; backend: BackendWasm }): tf.TensorInfo => {
    const { inputs: { dy, saved }, backend } = args;
    assertFloat32(kernelName, dy, saved);
    if (!tf.util.arraysEqual(dy.shape, saved.shape)) {
      throw new Error(`${kernelName}: dy has shape [${dy.shape}], the activation [${saved.shape}].`);
    }
    const out = allocateF32(backend, dy.shape);
    // Views only after allocating: an allocation may grow (and move) the heap.
    const [d, s, o] = [heapF32(backend, dy), heapF32(backend, saved), heapF32(backend, out)];
    const native = nativeBlas()?.activationGrad;
    if (native) native(kind, d, s, o);
    else for (let i = 0; i < d.length; i++) o[i] = d[i] * slope(s[i]); // an addon built before these kernels
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

export const wasmSigmoidGradConfig = wasmKernel(SIGMOID_GRAD);
export const wasmReluGradConfig = wasmKernel(RELU_GRAD);

/** The one-pass kernel where it applies, else tfjs's own composition. */
function activationGrad(kernelName: ActivationGradName, dy: tf.Tensor, saved: tf.Tensor, composed: () => tf.Tensor): tf.Tensor {
  const usable =
    tf.engine().state.gradientDepth === 0 &&
    tf.getKernel(kernelName, tf.getBackend()) !== undefined &&
    dy.dtype === 'float32' && saved.dtype === 'float32' && tf.util.arraysEqual(dy.shape, saved.shape);
  return usable ? (tf.engine().runKernel(kernelName, { dy, saved }, {}) as tf.Tensor) : composed();
}

/**
 * Replaces tfjs's gradients of Sigmoid and Relu (kernel_registry's gradient
 * configs, global to all backends) with ones that use the kernels above.
 * Same saved tensors and, where the kernels are missing, the same ops as tfjs's.
 */
export function registerActivationGradients(): void {
  tf.registerGradient({
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y, gradient] = [saved[0], dy as tf.Tensor];
      return { x: () => activationGrad(SIGMOID_GRAD, gradient, y, () => tf.mul(gradient, tf.mul(y, tf.sub(tf.scalar(1), y)))) };
    },
  });
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x, gradient] = [saved[0], dy as tf.Tensor];
      return { x: () => activationGrad(RELU_GRAD, gradient, x, () => tf.mul(gradient, tf.cast(tf.step(x), 'float32'))) };
    },
  });
}
