/**
 * Reading and writing the course's data files (.npy, CSV, ...) with one kind
 * of error: a DataFileError that names the file and says what went wrong in
 * words. Writes are atomic (src/atomic-write.ts): a crash never leaves a
 * half-written file under the real name.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-write';
import { DataFileError } from '../errors';

/** Reads a whole data file, turning fs errors into DataFileErrors. */
export function readDataFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DataFileError(path, `cannot be read (${fsReason(e)}).`);
  }
}

/**
 * Writes `chunks` to `path` atomically. If anything throws part way (the chunk
 * iterator included), whatever was at `path` before is untouched.
 */
export function writeDataFile(path: string, chunks: Iterable<Uint8Array>): void {
  try {
    writeFileAtomic(path, chunks);
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(path, `cannot be written (${fsReason(e)}).`);
  }
}

/** A short reason for a failed fs call, e.g. "it does not exist". */
export function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'it or its directory does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOSPC':
      return 'the disk is full';
    default:
      return err?.code ? `${err.code}: ${err.message}` : String(e);
  }
}
