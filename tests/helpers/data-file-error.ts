import { expect } from 'vitest';
import { DataFileError } from '../../src/errors';

/** Asserts that fn throws a DataFileError whose message names `file` and matches every pattern. */
export function expectDataFileError(fn: () => unknown, file: string, ...patterns: RegExp[]): DataFileError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a DataFileError').toBeInstanceOf(DataFileError);
  const err = caught as DataFileError;
  expect(err.file).toBe(file);
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  for (const p of patterns) expect(err.message).toMatch(p);
  return err;
}
