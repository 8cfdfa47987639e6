/**
 * The backends' own kernels that a course kernel replaced. Our kernels call
 * the shipped ones for the parts they do not do themselves (wasm-ops.ts), and
 * fall back to them where the native BLAS path does not apply.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from './wasm-memory';

const shipped = new Map<string, tf.KernelConfig>();

/** Called by registerCourseKernels before it replaces a backend's kernel. */
export function rememberShippedKernel(config: tf.KernelConfig): void {
  const key = `${config.backendName}/${config.kernelName}`;
  if (!shipped.has(key)) shipped.set(key, config);
}

/** The backend's own kernel for `kernelName`, even where the course replaced it. */
export function shippedKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return shipped.get(`${backendName}/${kernelName}`) ?? tf.getKernel(kernelName, backendName);
}

/** Runs the wasm backend's own kernel for `kernelName` (even where the course replaced it) on `inputs`. */
export function runShippedWasmKernel(backend: BackendWasm, kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  const config = shippedKernel(kernelName, 'wasm');
  if (!config) throw new Error(`The wasm backend has no '${kernelName}' kernel registered.`);
  return config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}
