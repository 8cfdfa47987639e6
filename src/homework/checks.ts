/**
 * Helpers for the teacher's check cells: the hidden cells that
 * `npm run homework -- grade` runs after a student's notebook.
 *
 * A check passes when its cell runs without an error, and then earns the
 * points in the cell's metadata; otherwise the first line of its error is the
 * reason the student reads in the grade report. So every failure here is a
 * `CheckFailed` whose message is written for the student: what was expected,
 * what their code did, and never a stack trace.
 */
import * as tf from '@tensorflow/tfjs';

/** A check that did not pass, with the reason as its message. */
export class CheckFailed extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CheckFailed';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Fails the check with `reason` unless `condition` holds. */
export function expect(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new CheckFailed(reason);
}

/**
 * Calls the student's code, turning what it throws into a reason: an
 * untouched stub says so, anything else is quoted with its first line.
 */
export function studentCall<T>(name: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new CheckFailed(describeThrow(name, error));
  }
}

/** `studentCall` for code that returns a promise (training, usually). */
export async function studentCallAsync<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CheckFailed(describeThrow(name, error));
  }
}

/** Fails unless the student's `call` throws (for input it must reject). */
export function expectThrows(name: string, call: () => unknown, reason: string): void {
  let threw = false;
  try {
    call();
  } catch (error) {
    if (error instanceof Error && error.name === 'Exercise') throw new CheckFailed(describeThrow(name, error));
    threw = true;
  }
  expect(threw, reason);
}

function describeThrow(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0];
  // Compared by name, not instanceof: the student's notebook and this module may load separate copies.
  if (error instanceof Error && error.name === 'Exercise') return `${name} is still the stub ("${firstLine}")`;
  return `${name} threw ${error instanceof Error ? error.name : 'a value'}: ${firstLine}`;
}

/**
 * Fails unless `actual` and `expected` agree element by element within
 * `tolerance` (absolute plus relative to the expected value), naming the
 * first element that does not.
 */
export function expectClose(
  what: string,
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tolerance = 1e-4,
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length === e.length, `${what}: expected ${e.length} value(s), got ${a.length}`);
  for (let i = 0; i < e.length; i++) {
    const ok = Math.abs(a[i] - e[i]) <= tolerance * (1 + Math.abs(e[i]));
    const where = e.length === 1 ? '' : ` at position ${i}`;
    expect(ok, `${what}: expected ${round(e[i])}${where}, got ${round(a[i])}`);
  }
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** Fails unless `tensor` is a tf.Tensor of `shape` (`null` matches any size). */
export function expectTensor(what: string, tensor: unknown, shape: Array<number | null>): asserts tensor is tf.Tensor {
  expect(tensor instanceof tf.Tensor, `${what}: expected a tf.Tensor, got ${describeValue(tensor)}`);
  const matches = tensor.shape.length === shape.length && shape.every((size, i) => size === null || size === tensor.shape[i]);
  expect(matches, `${what}: expected shape [${shape.map((s) => s ?? 'any').join(', ')}], got [${tensor.shape.join(', ')}]`);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `a ${typeof value}`;
}

/**
 * Runs `call` and fails if it leaves more tensors alive than it returns
 * (the returned tensors are disposed here).
 */
export function expectNoLeak(name: string, call: () => tf.Tensor | tf.Tensor[]): void {
  const before = tf.memory().numTensors;
  const result = studentCall(name, call);
  const returned = Array.isArray(result) ? result.length : 1;
  const leaked = tf.memory().numTensors - before - returned;
  tf.dispose(result);
  expect(leaked <= 0, `${name} leaves ${leaked} tensor(s) behind on every call: wrap the work in tf.tidy`);
}

/** `n` numbers uniform in [lo, hi) from `rng`: hidden inputs the student has not seen. */
export function uniformValues(rng: { next(): number }, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}
