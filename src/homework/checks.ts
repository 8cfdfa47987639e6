/**
 * Helpers for a graded exercise's check and probe cells (see ./grading).
 *
 * In a probe (the student's process): `studentCall` and `throwsOn` (and, for tensors, those of
 * ./tensor-checks) call the student's code and describe what it did; a probe that throws sends that
 * description as its answer, which fails the check. In a check's judge (the grader's own process):
 * `expect` and `expectClose` compare an answer with the reference. Every failure is a `CheckFailed`
 * whose message is written for the student (what was expected, what their code did, never a stack
 * trace): its first line is the reason in the grade report. This module loads no TensorFlow.js, so
 * a judge that needs none starts quickly.
 */
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

/** Whether the student's `call` throws (for input it must reject); an untouched stub fails instead. */
export function throwsOn(name: string, call: () => unknown): boolean {
  try {
    call();
    return false;
  } catch (error) {
    if (isStub(error)) throw new CheckFailed(describeThrow(name, error));
    return true;
  }
}

// Compared by name, not instanceof: the student's notebook and this module may load separate copies.
const isStub = (error: unknown) => error instanceof Error && error.name === 'Exercise';

function describeThrow(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0];
  if (isStub(error)) return `${name} is still the stub ("${firstLine}")`;
  return `${name} threw ${error instanceof Error ? error.name : 'a value'}: ${firstLine}`;
}

/** A failure as one line for the report: a CheckFailed's own reason, anything else with its name. */
export function describeFailure(error: unknown): string {
  if (error instanceof CheckFailed) return error.message.split('\n')[0];
  if (isStub(error)) return describeThrow('your code', error);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n')[0].slice(0, 300);
}

/** Why a judge failed an answer: its check's reason, or (only for an answer of a shape the check does not expect) what broke. */
export function judgeFailure(error: unknown): string {
  return error instanceof CheckFailed ? describeFailure(error) : `the answer from your notebook is not what the check expects (${describeFailure(error)})`;
}

/**
 * Fails unless `actual` and `expected` agree element by element within
 * `tolerance` (absolute plus relative to the expected value), naming the
 * first element that does not. `actual` may be anything an answer holds.
 */
export function expectClose(what: string, actual: unknown, expected: ArrayLike<number> | number, tolerance = 1e-4): void {
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  const a = typeof actual === 'number' ? [actual] : Array.isArray(actual) ? actual : undefined;
  expect(a !== undefined, `${what}: expected ${e.length === 1 ? 'a number' : `${e.length} numbers`}, got ${describeValue(actual)}`);
  expect(a.length === e.length, `${what}: expected ${e.length} value(s), got ${a.length}`);
  for (let i = 0; i < e.length; i++) {
    const value = a[i];
    const ok = typeof value === 'number' && Math.abs(value - e[i]) <= tolerance * (1 + Math.abs(e[i]));
    const where = e.length === 1 ? '' : ` at position ${i}`;
    expect(ok, `${what}: expected ${round(e[i])}${where}, got ${typeof value === 'number' ? round(value) : describeValue(value)}`);
  }
}

/** A number as a report shows it: six significant digits. */
export function round(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}

/** `n` numbers uniform in [lo, hi) from `rng`: hidden inputs the student has not seen. */
export function uniformValues(rng: { next(): number }, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}
