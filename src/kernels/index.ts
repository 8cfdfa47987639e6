/**
 * Kernels the course adds to TensorFlow.js backends, and a check that the
 * kernels a lesson needs are there.
 *
 * A tfjs "kernel" is one backend's implementation of one primitive op
 * (Conv2D, MaxPoolGrad, ...). Backends do not all implement every op; when an
 * op runs on a backend without its kernel, tfjs fails at that moment, deep
 * inside `model.fit`. The wasm backend (tfjs 4.22) can run a conv net forward
 * but cannot train one. For wasm we register:
 *
 *   Conv2DBackpropFilter  missing: a conv layer's filter gradient.
 *   MaxPoolGrad           present but wrong when a pooling window holds only
 *                         values <= 0 (see wasm_max_pool_grad.ts).
 *   BatchMatMul           present but wrong for a reshape of data it has
 *                         multiplied before, and slow (scalar C++) when an
 *                         operand is transposed, as in every dense layer's
 *                         backward pass (see wasm_batch_mat_mul.ts).
 *   Conv2DBackpropInput   present and correct but slow: a scalar C++ loop
 *                         that took ~40% of a LeNet training step.
 *   AvgPoolGrad           present and correct but slow (a general 3-D
 *                         pooling loop). Where windows tile the input, both
 *                         pooling gradients run in the addon if it loaded
 *                         (pool_grad_tiled.ts).
 *
 *   _FusedMatMul          present but with BatchMatMul's reshape-cache bug and
 *                         slow transposes (dense layers call it; see
 *                         wasm_fused_mat_mul.ts).
 *   GatherV2              present and correct but slow: ~15 ms to gather a
 *                         minibatch of 256 images (wasm_gather.ts).
 *   Identity              present and correct but copies: 44 copies in a
 *                         LeNet step where sharing the data does (wasm_identity.ts).
 *
 * With these, a LeNet training step on wasm takes well under half the time
 * it takes with the missing kernel alone.
 *
 * Where the optional native BLAS addon is installed (./native_blas), the
 * matrix-product and convolution kernels above hand their arithmetic to
 * OpenBLAS, and we also register, only then:
 *
 *   Conv2D, FusedConv2D   present and correct; im2col + sgemm is faster than
 *                         the shipped XNNPACK kernels (see wasm_conv2d.ts).
 *   Add                   present and correct, but slow to add a bias to
 *                         every row (wasm_bias_add.ts); other Adds pass through.
 *   Sum                   present and correct, but slow to sum over every
 *                         axis but the last, a bias's gradient
 *                         (wasm_bias_grad_sum.ts); other Sums pass through.
 *
 * Where the addon loaded, wasm also gets CourseSgdUpdate, θ − η·g in one
 * pass instead of two (sgd_update.ts), and CourseSigmoidGrad and
 * CourseReluGrad, an activation's gradient in one pass instead of three
 * (activation_grads.ts, which also points tfjs's gradients of Sigmoid and
 * Relu at them where they are registered). For cpu, and for wasm where the
 * native addon loaded, we also add one op that tfjs does not have:
 *
 *   CourseAdamUpdate      Adam's update of one parameter in one pass instead
 *                         of a dozen element-wise kernels (adam_update.ts).
 *                         On wasm without the addon, the shipped SIMD
 *                         element-wise kernels beat a JavaScript loop, so
 *                         training/adam.ts composes the update from them.
 *
 * For cpu we register:
 *
 *   Conv2DBackpropFilter  present and correct but ~70x slower than needed:
 *                         ~19 s of a 24 s LeNet training step.
 *
 * tests/kernels.test.ts checks each of these against the cpu backend's
 * shipped kernels, and whole training runs on wasm against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import { CourseError } from '../errors';
import { rememberShippedKernel, shippedKernel } from './shipped_kernels';
import { cpuAdamUpdateConfig, wasmAdamUpdateConfig } from './adam_update';
import { registerActivationGradients, wasmReluGradConfig, wasmSigmoidGradConfig } from './activation_grads';
import { wasmSgdUpdateConfig } from './sgd_update';
import { cpuConv2DBackpropFilterConfig } from './cpu_conv2d_backprop_filter';
import { wasmAvgPoolGradConfig } from './wasm_avg_pool_grad';
import { wasmBatchMatMulConfig } from './wasm_batch_mat_mul';
import { wasmBiasAddConfig } from './wasm_bias_add';
import { wasmBiasGradSumConfig } from './wasm_bias_grad_sum';
import { nativeBlasStatus } from './native_blas';
import { wasmConv2DConfig, wasmFusedConv2DConfig } from './wasm_conv2d';
import { wasmFusedMatMulConfig } from './wasm_fused_mat_mul';
import { wasmGatherV2Config } from './wasm_gather';
import { wasmIdentityConfig } from './wasm_identity';
import { wasmConv2DBackpropFilterConfig } from './wasm_conv2d_backprop_filter';
import { wasmConv2DBackpropInputConfig } from './wasm_conv2d_backprop_input';
import { wasmMaxPoolGradConfig } from './wasm_max_pool_grad';

/**
 * Why the course registers a kernel: the backend has none, or has a wrong or slow one, or it
 * fuses several ops into one (an op of the course's own).
 */
export type KernelReason = 'missing' | 'wrong' | 'slow' | 'fused';

interface CourseKernel {
  config: tf.KernelConfig;
  reason: KernelReason;
  /** Registered only where the native BLAS addon loaded (it has nothing to add without it). */
  nativeOnly?: boolean;
}

const COURSE_KERNELS: CourseKernel[] = [
  { config: wasmConv2DBackpropFilterConfig, reason: 'missing' },
  { config: wasmMaxPoolGradConfig, reason: 'wrong' },
  { config: wasmConv2DBackpropInputConfig, reason: 'slow' },
  { config: wasmBatchMatMulConfig, reason: 'wrong' },
  { config: wasmAvgPoolGradConfig, reason: 'slow' },
  { config: wasmFusedMatMulConfig, reason: 'wrong' },
  { config: wasmGatherV2Config, reason: 'slow' },
  { config: wasmIdentityConfig, reason: 'slow' },
  { config: wasmConv2DConfig, reason: 'slow', nativeOnly: true },
  { config: wasmFusedConv2DConfig, reason: 'slow', nativeOnly: true },
  { config: wasmBiasAddConfig, reason: 'slow', nativeOnly: true },
  { config: wasmBiasGradSumConfig, reason: 'slow', nativeOnly: true },
  { config: cpuConv2DBackpropFilterConfig, reason: 'slow' },
  { config: wasmAdamUpdateConfig, reason: 'fused', nativeOnly: true },
  { config: wasmSgdUpdateConfig, reason: 'fused', nativeOnly: true },
  { config: wasmSigmoidGradConfig, reason: 'fused', nativeOnly: true },
  { config: wasmReluGradConfig, reason: 'fused', nativeOnly: true },
  { config: cpuAdamUpdateConfig, reason: 'fused' },
];

/**
 * Registers the course's kernels for `backendName` (tfjs's name: 'wasm',
 * 'cpu', 'tensorflow', ...): those the backend lacks, and replacements for
 * those it has in a wrong or slow form. Safe to call repeatedly. Returns the
 * kernel names registered by this call ([] on a second call, and [] for
 * backends the course adds nothing to).
 */
export function registerCourseKernels(backendName: string): string[] {
  registerActivationGradients(); // they fall back to tfjs's own ops wherever our kernels are missing
  const registered: string[] = [];
  for (const { config, reason, nativeOnly } of COURSE_KERNELS) {
    if (config.backendName !== backendName) continue;
    if (nativeOnly && !nativeBlasStatus().active) continue;
    const existing = tf.getKernel(config.kernelName, backendName);
    if (existing && existing.kernelFunc === config.kernelFunc) continue; // ours, from an earlier call
    if (existing && reason === 'missing') continue; // a newer tfjs has its own: prefer it
    if (existing) {
      rememberShippedKernel(existing);
      tf.unregisterKernel(config.kernelName, backendName);
    }
    tf.registerKernel(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/**
 * Undoes registerCourseKernels for `backendName`: the backend's own kernels go back in place of the
 * course's, and the course's own ops are removed. With useNativeBlas(false) and registerCourseKernels
 * again, a process where the addon loaded gets exactly the kernels a machine without it gets
 * (tests/kernels.test.ts checks both configurations in one process).
 */
export function unregisterCourseKernels(backendName: string): void {
  for (const { config } of COURSE_KERNELS) {
    if (config.backendName !== backendName) continue;
    if (tf.getKernel(config.kernelName, backendName)?.kernelFunc !== config.kernelFunc) continue; // not ours
    tf.unregisterKernel(config.kernelName, backendName);
    const shipped = shippedKernel(config.kernelName, backendName);
    if (shipped) tf.registerKernel(shipped);
  }
}

/**
 * The course's kernels for `backendName`, registered or not, and why each
 * exists (nativeOnly ones only where the native BLAS addon loaded).
 */
export function courseKernels(backendName: string): Array<{ kernelName: string; reason: KernelReason }> {
  return COURSE_KERNELS.filter((k) => k.config.backendName === backendName && (!k.nativeOnly || nativeBlasStatus().active)).map((k) => ({
    kernelName: k.config.kernelName,
    reason: k.reason,
  }));
}

/**
 * Throws a CourseError naming every kernel in `kernelNames` that
 * `backendName` (default: the active backend) does not have. Call it before
 * a long computation so that a missing kernel is reported up front, in plain
 * words, rather than as an engine error halfway through training.
 */
export function assertKernelsAvailable(kernelNames: string[], backendName: string = tf.getBackend()): void {
  const missing = kernelNames.filter((name) => !tf.getKernel(name, backendName));
  if (missing.length === 0) return;
  const list = missing.map((name) => `'${name}'`).join(', ');
  const noun = missing.length === 1 ? 'kernel' : 'kernels';
  throw new CourseError(
    `The TensorFlow.js backend '${backendName}' has no ${noun} ${list}, which this computation needs.`,
    // The choices are BACKEND_CHOICES in ../backend.ts (not imported: that module imports this one).
    'choose another backend with the COURSE_BACKEND environment variable (node-gpu, node, wasm or cpu; ' +
      'cpu has every kernel), then restart the notebook kernel.',
  );
}
