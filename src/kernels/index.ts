/**
 * The course's TensorFlow.js kernels: which it registers on which backend, and why.
 * docs/kernels.md has the table, how to add a kernel, and how to retire one after an upgrade.
 *
 * A tfjs "kernel" is one backend's implementation of one primitive op (Conv2D, MaxPoolGrad, ...).
 * The course adds kernels a backend lacks ('missing'), ops of its own that fuse several into one
 * pass ('fused'), and replaces shipped kernels that are wrong or slow. A replacement names the
 * upstream problem it answers and the tfjs version it was verified on; on any other version tfjs's
 * kernel stays, with one warning (tests/kernels-upstream.test.ts checks whether each problem is
 * still there). COURSE_KERNELS=off registers nothing: tfjs's own kernels only.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { CourseError } from '../errors';
import { rememberShippedKernel, shippedKernel } from './shipped-kernels';
import { cpuAdamUpdateConfig, wasmAdamUpdateConfig } from './adam-update';
import { registerActivationGradients, restoreActivationGradients, SIGMOID_GRAD, wasmReluGradConfig, wasmSigmoidGradConfig } from './activation-grads';
import { wasmSgdUpdateConfig } from './sgd-update';
import { cpuConv2DBackpropFilterConfig } from './cpu-conv2d-backprop-filter';
import { wasmAvgPoolGradConfig } from './wasm-avg-pool-grad';
import { wasmBatchMatMulConfig } from './wasm-batch-mat-mul';
import { wasmBiasAddConfig } from './wasm-bias-add';
import { wasmBiasGradSumConfig } from './wasm-bias-grad-sum';
import { nativeBlasStatus } from './native-blas';
import { wasmConv2DConfig, wasmFusedConv2DConfig } from './wasm-conv2d';
import { wasmFusedMatMulConfig } from './wasm-fused-mat-mul';
import { wasmGatherV2Config } from './wasm-gather';
import { wasmIdentityConfig } from './wasm-identity';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter';
import { wasmConv2DBackpropInputConfig } from './wasm-conv2d-backprop-input';
import { wasmMaxPoolGradConfig } from './wasm-max-pool-grad';

/**
 * Why the course registers a kernel: the backend has none, or has a wrong or slow one, or it
 * fuses several ops into one (an op of the course's own).
 */
export type KernelReason = 'missing' | 'wrong' | 'slow' | 'fused';

/** The tfjs release the replacements below were checked against (tests/kernels-upstream.test.ts). */
export const VERIFIED_TFJS_VERSION = '4.22.0';

export interface CourseKernel {
  config: tf.KernelConfig;
  reason: KernelReason;
  /** Registered only where the native BLAS addon loaded (it has nothing to add without it). */
  nativeOnly?: boolean;
  /** For a replacement of a shipped kernel (or gradient): what is wrong or slow upstream, and tfjs's issue or PR about it. */
  upstream?: { problem: string; link?: string; verifiedOn: string; /** What of tfjs's it replaces, where that is not the kernel of the same name. */ replaces?: string };
}

const V = VERIFIED_TFJS_VERSION;
const XNNPACK_TRANSPOSES = 'https://github.com/tensorflow/tfjs/pull/2532'; // XNNPACK only without transposes, batch 1
const POOL_GRADS_FROM_POOL3D = 'https://github.com/tensorflow/tfjs/pull/7672'; // the pooling gradients, built on the 3-D pooling loop

export const COURSE_KERNELS: CourseKernel[] = [
  { config: wasmConv2DBackpropFilterConfig, reason: 'missing' }, // https://github.com/tensorflow/tfjs/issues/8474
  { config: wasmMaxPoolGradConfig, reason: 'wrong', upstream: { problem: 'sends the gradient of a window whose values are all <= 0 to the wrong element (its running maximum starts at the smallest positive float)', link: POOL_GRADS_FROM_POOL3D, verifiedOn: V } },
  { config: wasmConv2DBackpropInputConfig, reason: 'slow', upstream: { problem: 'a scalar C++ loop, not XNNPACK', verifiedOn: V } },
  { config: wasmBatchMatMulConfig, reason: 'wrong', upstream: { problem: "returns a product with another tensor's operand after a reshape (XNNPACK's packing is cached by tensor id), and runs a scalar loop when an operand is transposed", link: XNNPACK_TRANSPOSES, verifiedOn: V } },
  { config: wasmAvgPoolGradConfig, reason: 'slow', upstream: { problem: 'a general 3-D pooling loop', link: POOL_GRADS_FROM_POOL3D, verifiedOn: V } },
  { config: wasmFusedMatMulConfig, reason: 'wrong', upstream: { problem: "BatchMatMul's reshape and transpose problems, and rejects a bias that is not rank 1", link: XNNPACK_TRANSPOSES, verifiedOn: V } },
  { config: wasmGatherV2Config, reason: 'slow', upstream: { problem: 'computes the source of every element separately where whole rows could be copied', verifiedOn: V } },
  { config: wasmIdentityConfig, reason: 'slow', upstream: { problem: 'copies the tensor where sharing its data does', verifiedOn: V } },
  { config: wasmConv2DConfig, reason: 'slow', nativeOnly: true, upstream: { problem: 'XNNPACK is slower than im2col and OpenBLAS for convolutions of 8 or more output channels', verifiedOn: V } },
  { config: wasmFusedConv2DConfig, reason: 'slow', nativeOnly: true, upstream: { problem: 'as Conv2D', verifiedOn: V } },
  { config: wasmBiasAddConfig, reason: 'slow', nativeOnly: true, upstream: { problem: 'adds a bias to every row with a general broadcasting loop', verifiedOn: V } },
  { config: wasmBiasGradSumConfig, reason: 'slow', nativeOnly: true, upstream: { problem: "transposes the whole tensor before summing a bias's gradient", verifiedOn: V } },
  { config: cpuConv2DBackpropFilterConfig, reason: 'slow', upstream: { problem: 'reads every value through TensorBuffer.get, once per filter weight', verifiedOn: V } },
  { config: wasmAdamUpdateConfig, reason: 'fused', nativeOnly: true },
  { config: wasmSgdUpdateConfig, reason: 'fused', nativeOnly: true },
  // These two also replace tfjs's gradients of Sigmoid and Relu (three element-wise kernels each).
  { config: wasmSigmoidGradConfig, reason: 'fused', nativeOnly: true, upstream: { problem: "Sigmoid's gradient is three element-wise passes", verifiedOn: V, replaces: "Sigmoid's gradient" } },
  { config: wasmReluGradConfig, reason: 'fused', nativeOnly: true, upstream: { problem: "Relu's gradient is three element-wise passes", verifiedOn: V, replaces: "Relu's gradient" } },
  { config: cpuAdamUpdateConfig, reason: 'fused' },
];

export const COURSE_KERNELS_ENV_VAR = 'COURSE_KERNELS';

/** Whether COURSE_KERNELS switches the course's kernels off ('off') or leaves them on (unset or 'on'). */
export function courseKernelsOff(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[COURSE_KERNELS_ENV_VAR]?.trim();
  if (!value || value === 'on') return false;
  if (value === 'off') return true;
  throw new CourseError(`${COURSE_KERNELS_ENV_VAR}=${value} is not a setting the course knows.`, `set it to off (tfjs's own kernels only) or on, or unset it.`);
}

/** The installed version of the package that ships `backendName`'s kernels. */
export function installedBackendVersion(backendName: string): string {
  if (backendName === 'wasm') {
    return (createRequire(`${process.cwd()}/`)('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  }
  const versions = tf.version as Record<string, string>;
  return versions[`tfjs-backend-${backendName}`] ?? tf.version_core;
}

export interface RegisterOptions {
  /** The installed version of the backend's package (default: read from node_modules); a test passes another to simulate an upgrade. */
  installedVersion?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the one-line warning about skipped replacements goes. */
  warn?: (line: string) => void;
}

const warned = new Set<string>();

/** The replacements kept out because tfjs is not the version they were verified on, in one line. */
function skippedWarning(backendName: string, installed: string, skipped: CourseKernel[]): string {
  const names = [...new Set(skipped.map((k) => k.upstream?.replaces ?? k.config.kernelName))].join(', ');
  const verified = [...new Set(skipped.map((k) => k.upstream?.verifiedOn))].join(', ');
  return (
    `TensorFlow.js ${backendName} ${installed} is not ${verified}, the version the course's kernel replacements were verified on, ` +
    `so tfjs's own ${names} stay in place (upstream may have fixed them): check with npx vitest run tests/kernels-upstream.test.ts (docs/kernels.md).`
  );
}

/**
 * Registers the course's kernels for `backendName` (tfjs's name: 'wasm', 'cpu', 'tensorflow', ...): those the backend
 * lacks, the course's fused ops, and replacements for wrong or slow shipped kernels where tfjs is the version they were
 * verified on. Safe to call repeatedly. Returns the kernel names registered by this call ([] on a second call, for
 * backends the course adds nothing to, and under COURSE_KERNELS=off).
 */
export function registerCourseKernels(backendName: string, options: RegisterOptions = {}): string[] {
  if (courseKernelsOff(options.env)) return [];
  const mine = COURSE_KERNELS.filter((k) => k.config.backendName === backendName && (!k.nativeOnly || nativeBlasStatus().active));
  if (mine.length === 0) return [];
  const installed = options.installedVersion ?? installedBackendVersion(backendName);
  const skipped = mine.filter((k) => k.upstream && k.upstream.verifiedOn !== installed);
  if (skipped.length > 0 && !warned.has(`${backendName}@${installed}`)) {
    warned.add(`${backendName}@${installed}`);
    (options.warn ?? console.warn)(skippedWarning(backendName, installed, skipped));
  }
  const registered: string[] = [];
  for (const kernel of mine) {
    const { config, reason } = kernel;
    if (skipped.includes(kernel)) continue;
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
  if (registered.includes(SIGMOID_GRAD)) registerActivationGradients();
  return registered;
}

/**
 * Undoes registerCourseKernels for `backendName`: the backend's own kernels (and tfjs's activation gradients) go back
 * in place of the course's, and the course's own ops are removed. With useNativeBlas(false) and registerCourseKernels
 * again, a process where the addon loaded gets exactly the kernels a machine without it gets.
 */
export function unregisterCourseKernels(backendName: string): void {
  for (const { config } of COURSE_KERNELS) {
    if (config.backendName !== backendName) continue;
    if (tf.getKernel(config.kernelName, backendName)?.kernelFunc !== config.kernelFunc) continue; // not ours
    tf.unregisterKernel(config.kernelName, backendName);
    if (config.kernelName === SIGMOID_GRAD) restoreActivationGradients();
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
