/**
 * How a kernel written in TypeScript reads and writes the cpu backend's
 * tensors: the two methods of tfjs-backend-cpu's MathBackendCPU the course's
 * cpu kernels use (the class itself is not exported by @tensorflow/tfjs).
 */
import * as tf from '@tensorflow/tfjs';

export interface CpuBackend {
  /** A tensor's values (the backend's own array: read, never write). */
  readSync(dataId: object): tf.backend_util.BackendValues;
  /** A new tensor holding `values`. */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}
