/**
 * Probe helpers for code that returns tensors (see ./checks and ./grading): they run in the
 * student's process, where TensorFlow.js is loaded anyway.
 */
import * as tf from '@tensorflow/tfjs';
import { describeValue, expect, studentCall } from './checks';

/** Fails unless `tensor` is a tf.Tensor of `shape` (`null` matches any size). */
export function expectTensor(what: string, tensor: unknown, shape: Array<number | null>): asserts tensor is tf.Tensor {
  expect(tensor instanceof tf.Tensor, `${what}: expected a tf.Tensor, got ${describeValue(tensor)}`);
  const matches = tensor.shape.length === shape.length && shape.every((size, i) => size === null || size === tensor.shape[i]);
  expect(matches, `${what}: expected shape [${shape.map((s) => s ?? 'any').join(', ')}], got [${tensor.shape.join(', ')}]`);
}

/**
 * How many tensors the student's `call` leaves alive beyond those it returns (which are disposed
 * here). Read from this process's TensorFlow.js, so a check built on it trusts the student's
 * process: its metadata says so (`self_reported`).
 */
export function leakedTensors(name: string, call: () => tf.Tensor | tf.Tensor[]): number {
  const before = tf.memory().numTensors;
  const result = studentCall(name, call);
  const returned = Array.isArray(result) ? result.length : 1;
  const leaked = tf.memory().numTensors - before - returned;
  tf.dispose(result);
  return leaked;
}
