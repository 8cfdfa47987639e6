/**
 * Writing a file so that a crash can never leave a half-written version
 * behind under its name. The bytes go to a temporary file in the same folder,
 * are flushed to the disk (fsync), and only then is the temporary file renamed
 * to the real name. A rename within one file system is atomic: whoever opens
 * the name afterwards sees either the whole old file or the whole new one.
 * Finally the folder itself is fsynced, so that the rename survives a power cut.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temporary files start with this, so that a later save can recognise and remove leftovers of a crash. */
export const TEMP_PREFIX = '.tmp-';

export interface AtomicWriteOptions {
  /** Bytes per write call (large files are written in pieces). */
  chunkSize?: number;
  /** Called after each piece reaches the temporary file: (bytes written so far, total bytes if known). */
  onProgress?: (written: number, total: number | undefined) => void;
}

/**
 * Writes `data` to `file` atomically, creating the folder if needed. `data` may be
 * a sequence of chunks produced while writing (a CSV row by row); if producing a
 * chunk throws, the write is abandoned like any other failure.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string | Iterable<Uint8Array>, options: AtomicWriteOptions = {}): void {
  const chunks: Iterable<Uint8Array> = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  const total = data instanceof Uint8Array ? data.length : undefined;
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-${basename(file)}`);
  const chunkSize = options.chunkSize ?? 1 << 20;
  const fd = openSync(temp, 'wx'); // 'x': never reuse an existing file
  try {
    try {
      let written = 0;
      for (const chunk of chunks) {
        for (let done = 0; done < chunk.length; ) {
          const n = writeSync(fd, chunk, done, Math.min(chunkSize, chunk.length - done));
          done += n;
          written += n;
          options.onProgress?.(written, total);
        }
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    // An error (not a crash) gets to tidy up; after a crash the next save removes the leftover.
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw error;
  }
  syncDirectory(dirname(file));
}

/** Makes a folder's entries (new names, renames) durable. Some file systems refuse; that only weakens durability. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* e.g. not supported on this platform */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
