/**
 * The IDX format of MNIST: a 4-byte magic number (two zero bytes, a type code,
 * the number of dimensions), one big-endian uint32 per dimension, then the
 * values in row-major order. The reader checks every one of those promises and
 * names the file and the broken promise when a file is corrupt or truncated.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataFileError } from '../errors';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: IdxData;
}

const TYPE_CODES: Record<number, { dtype: IdxDtype; bytes: number }> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const GZIP_MAGIC = [0x1f, 0x8b];

/** Parses IDX bytes; `file` only names the source in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DataFileError(file, `is ${bytes.length} bytes long, too short for an IDX header.`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(file, `is not an IDX file: its magic number starts ${hex(bytes[0])} ${hex(bytes[1])}, not 0x00 0x00.`);
  }
  const type = TYPE_CODES[bytes[2]];
  if (!type) throw new DataFileError(file, `has unknown IDX type code ${hex(bytes[2])} in its magic number.`);
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (rank === 0) throw new DataFileError(file, 'declares 0 dimensions in its magic number.');
  if (bytes.length < headerBytes) {
    throw new DataFileError(file, `is truncated: its header needs ${headerBytes} bytes for ${rank} dimensions, the file has ${bytes.length}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'is truncated' : 'has trailing bytes';
    throw new DataFileError(
      file,
      `${what}: a ${shape.join('×')} ${type.dtype} array needs ${expected} bytes, the file has ${bytes.length}.`,
    );
  }
  return { dtype: type.dtype, shape, data: decodeValues(bytes.subarray(headerBytes), type.dtype, count) };
}

/** IDX stores multi-byte values big-endian; typed arrays use the machine's order. */
function decodeValues(body: Uint8Array, dtype: IdxDtype, count: number): IdxData {
  switch (dtype) {
    case 'uint8':
      return body.slice();
    case 'int8':
      return new Int8Array(body.slice().buffer);
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const read = {
    int16: (i: number) => view.getInt16(i * 2, false),
    int32: (i: number) => view.getInt32(i * 4, false),
    float32: (i: number) => view.getFloat32(i * 4, false),
    float64: (i: number) => view.getFloat64(i * 8, false),
  }[dtype];
  const out = new { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[dtype](count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/** Reads an IDX file, gzipped or not. */
export function readIdx(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new DataFileError(file, code === 'ENOENT' ? 'does not exist.' : `cannot be read (${code ?? String(error)}).`);
  }
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DataFileError(file, `is a damaged gzip file (${(error as Error).message}).`);
    }
  }
  return parseIdx(bytes, file);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
