/**
 * The gradients of the sigmoid and ReLU activations, each in one pass.
 *
 * tfjs differentiates y = sigmoid(x) as dy · (y · (1 − y)) and y = relu(x) as
 * dy · step(x): three element-wise kernels each, three passes over a layer's
 * activations and two temporaries. After LeNet's first convolution that is
 * 1.2 million values (256 × 28 × 28 × 6) per pass. The native addon does the
 * whole product in one pass, rounding after each operation as the separate
 * kernels do, so the gradients are bit for bit tfjs's (tests/kernels-fused-ops.test.ts).
 *
 * The kernels are registered on wasm where the addon loaded, and only then
 * (registerCourseKernels) are tfjs's gradients of Sigmoid and Relu replaced by
 * ones that use them. Those still compose tfjs's ops on another active backend.
 * The kernels have gradients of their own, so second derivatives go through
 * them too.
 */
import * as tf from '@tensorflow/tfjs';
import { requireNativeBlas } from './native-blas';
import { allocateF32, assertFloat32, heapF32 } from './wasm-memory';
import type { BackendWasm } from './wasm-memory';

export const SIGMOID_GRAD = 'CourseSigmoidGrad';
export const RELU_GRAD = 'CourseReluGrad';

/** Which activation each kernel differentiates; besides dy it takes the sigmoid's output, ReLU's input. */
const ACTIVATIONS = { [SIGMOID_GRAD]: 'sigmoid', [RELU_GRAD]: 'relu' } as const;

type ActivationGradName = keyof typeof ACTIVATIONS;

export interface ActivationGradInputs extends tf.NamedTensorInfoMap {
  dy: tf.TensorInfo;
  saved: tf.TensorInfo;
}

function wasmKernel(kernelName: ActivationGradName): tf.KernelConfig {
  const activation = ACTIVATIONS[kernelName];
  const kernelFunc = (args: { inputs: ActivationGradInputs; backend: BackendWasm }): tf.TensorInfo => {
    const { inputs: { dy, saved }, backend } = args;
    assertFloat32(kernelName, dy, saved);
    if (!tf.util.arraysEqual(dy.shape, saved.shape)) {
      throw new Error(`${kernelName}: dy has shape [${dy.shape}], the activation [${saved.shape}].`);
    }
    const out = allocateF32(backend, dy.shape);
    // Views only after allocating: an allocation may grow (and move) the heap.
    const [d, s, o] = [heapF32(backend, dy), heapF32(backend, saved), heapF32(backend, out)];
    const blas = requireNativeBlas(kernelName);
    blas.activationGrad(blas.codes.activationGrad[activation], d, s, o);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

export const wasmSigmoidGradConfig = wasmKernel(SIGMOID_GRAD);
export const wasmReluGradConfig = wasmKernel(RELU_GRAD);

/** The one-pass kernel where it applies, else tfjs's own composition (which `composed` returns). */
function activationGrad(kernelName: ActivationGradName, dy: tf.Tensor, saved: tf.Tensor, composed: () => tf.Tensor): tf.Tensor {
  const usable =
    tf.getKernel(kernelName, tf.getBackend()) !== undefined &&
    dy.dtype === 'float32' && saved.dtype === 'float32' && tf.util.arraysEqual(dy.shape, saved.shape);
  return usable ? (tf.engine().runKernel(kernelName, { dy, saved }, {}) as tf.Tensor) : composed();
}

/** tfjs's own gradients of Sigmoid and Relu, while the course's replace them. */
let tfjsGradients: tf.GradConfig[] | undefined;

/**
 * Replaces tfjs's gradients of Sigmoid and Relu (global to all backends) with ones that use the kernels
 * above. Same saved tensors and, where the kernels are missing, the same ops as tfjs's.
 */
export function registerActivationGradients(): void {
  if (tfjsGradients) return;
  tfjsGradients = [tf.getGradient(tf.Sigmoid), tf.getGradient(tf.Relu)];
  registerKernelGradients();
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

/** Puts tfjs's own gradients of Sigmoid and Relu back. */
export function restoreActivationGradients(): void {
  if (!tfjsGradients) return;
  for (const config of tfjsGradients) tf.registerGradient(config);
  tfjsGradients = undefined;
}

/**
 * The gradients of the kernels themselves (a second derivative of the activation). Sigmoid's:
 * out = dy · y(1 − y), so ∂/∂dy = g · y(1 − y) and ∂/∂y = g · dy · (1 − 2y). ReLU's: out = dy · step(x),
 * so ∂/∂dy = g · step(x) and ∂/∂x = 0, as tfjs's Step has.
 */
function registerKernelGradients(): void {
  tf.registerGradient({
    kernelName: SIGMOID_GRAD,
    inputsToSave: ['dy', 'saved'],
    gradFunc: (g, [dy, y]) => {
      const upstream = g as tf.Tensor;
      return {
        dy: () => activationGrad(SIGMOID_GRAD, upstream, y, () => tf.mul(upstream, tf.mul(y, tf.sub(tf.scalar(1), y)))),
        saved: () => tf.mul(tf.mul(upstream, dy), tf.sub(tf.scalar(1), tf.mul(tf.scalar(2), y))),
      };
    },
  });
  tf.registerGradient({
    kernelName: RELU_GRAD,
    inputsToSave: ['dy', 'saved'],
    gradFunc: (g, [, x]) => {
      const upstream = g as tf.Tensor;
      return {
        dy: () => activationGrad(RELU_GRAD, upstream, x, () => tf.mul(upstream, tf.cast(tf.step(x), 'float32'))),
        saved: () => tf.zerosLike(x),
      };
    },
  });
}
