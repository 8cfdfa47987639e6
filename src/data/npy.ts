/**
 * Reading and writing NumPy `.npy` files, so that arrays can travel between
 * this course and Python (`np.load` / `np.save`) without either side guessing.
 *
 * The format, as specified in numpy/lib/format.py:
 *
 *   bytes 0-5   magic string  \x93NUMPY
 *   byte  6     major version (1, 2 or 3)
 *   byte  7     minor version (0)
 *   next 2 or 4 header length, little-endian (2 bytes for 1.0, 4 for 2.0/3.0)
 *   header      a Python dict literal, e.g.
 *               {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *               padded with spaces and ended by '\n' so that the data starts
 *               at a multiple of 64 bytes (latin1 for 1.0/2.0, utf8 for 3.0)
 *   data        the array's elements, C order unless fortran_order is True
 *
 * We write version 1.0 (2.0 only if the header would not fit in 65535 bytes),
 * laid out byte for byte as NumPy >= 1.23 lays it out, and read 1.0, 2.0 and
 * 3.0, big- and little-endian, C and Fortran order (Fortran-order data is
 * transposed to C order on load, as `np.load(...).copy(order='C')` would).
 *
 * Every problem with a file or with an array about to be written becomes a
 * DataFileError naming the file and the problem.
 */
import { DataFileError } from '../errors';
import { readDataFile, writeDataFile } from './data-files';

/** Maps each supported dtype name to the typed array that holds its values. */
export interface NpyDataTypes {
  bool: Uint8Array; // NumPy '|b1'; values must be 0 or 1
  uint8: Uint8Array; // '|u1'
  int8: Int8Array; // '|i1'
  uint16: Uint16Array; // '<u2'
  int16: Int16Array; // '<i2'
  uint32: Uint32Array; // '<u4'
  int32: Int32Array; // '<i4'
  float32: Float32Array; // '<f4'
  float64: Float64Array; // '<f8'
}

export type NpyDtype = keyof NpyDataTypes;
export type NpyTypedArray = NpyDataTypes[NpyDtype];

/**
 * An n-dimensional array as stored in a `.npy` file: `data` holds
 * product(shape) elements in C (row-major) order, in this machine's byte
 * order. A 0-d array has shape [] and one element.
 *
 * `NpyArray` is a union discriminated by `dtype`, so checking
 * `a.dtype === 'float32'` narrows `a.data` to Float32Array;
 * `NpyArray<'uint8'>` is the uint8 case alone.
 */
export type NpyArray<D extends NpyDtype = NpyDtype> = {
  [K in D]: { dtype: K; shape: number[]; data: NpyDataTypes[K] };
}[D];

export interface NpyReadOptions<D extends NpyDtype> {
  /** Throw a DataFileError unless the file holds this dtype. */
  dtype?: D;
}

interface DtypeInfo {
  kind: 'b' | 'u' | 'i' | 'f';
  size: 1 | 2 | 4 | 8;
  arrayName: string;
  make: (length: number) => NpyTypedArray;
  view: (buffer: ArrayBuffer, byteOffset: number, length: number) => NpyTypedArray;
}

const DTYPES: { [K in NpyDtype]: DtypeInfo } = {
  bool: { kind: 'b', size: 1, arrayName: 'Uint8Array', make: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  uint8: { kind: 'u', size: 1, arrayName: 'Uint8Array', make: (n) => new Uint8Array(n), view: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { kind: 'i', size: 1, arrayName: 'Int8Array', make: (n) => new Int8Array(n), view: (b, o, n) => new Int8Array(b, o, n) },
  uint16: { kind: 'u', size: 2, arrayName: 'Uint16Array', make: (n) => new Uint16Array(n), view: (b, o, n) => new Uint16Array(b, o, n) },
  int16: { kind: 'i', size: 2, arrayName: 'Int16Array', make: (n) => new Int16Array(n), view: (b, o, n) => new Int16Array(b, o, n) },
  uint32: { kind: 'u', size: 4, arrayName: 'Uint32Array', make: (n) => new Uint32Array(n), view: (b, o, n) => new Uint32Array(b, o, n) },
  int32: { kind: 'i', size: 4, arrayName: 'Int32Array', make: (n) => new Int32Array(n), view: (b, o, n) => new Int32Array(b, o, n) },
  float32: { kind: 'f', size: 4, arrayName: 'Float32Array', make: (n) => new Float32Array(n), view: (b, o, n) => new Float32Array(b, o, n) },
  float64: { kind: 'f', size: 8, arrayName: 'Float64Array', make: (n) => new Float64Array(n), view: (b, o, n) => new Float64Array(b, o, n) },
};

/** The dtypes this module reads and writes. */
export const NPY_DTYPES = Object.keys(DTYPES) as NpyDtype[];

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** NumPy leaves room for the first axis to grow in place up to this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const IN_MEMORY = '(in-memory .npy data)';

/** The NumPy descr ('|u1', '<f4', ...) that we write for a dtype. */
export function npyDescr(dtype: NpyDtype): string {
  const info = DTYPES[dtype];
  return `${info.size === 1 ? '|' : '<'}${info.kind}${info.size}`;
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/**
 * Encodes an array as the bytes of a `.npy` file. `fileNameForErrors` is the
 * name used in error messages (saveNpy passes the path being written).
 */
export function encodeNpy(a: NpyArray, fileNameForErrors: string = IN_MEMORY): Buffer {
  const file = fileNameForErrors;
  if (a === null || typeof a !== 'object') {
    throw new DataFileError(file, `cannot be written because ${describe(a)} is not an NpyArray ({ dtype, shape, data }).`);
  }
  const info: DtypeInfo | undefined = Object.prototype.hasOwnProperty.call(DTYPES, a.dtype)
    ? DTYPES[a.dtype]
    : undefined;
  if (!info) {
    throw new DataFileError(
      file,
      `cannot be written because dtype ${JSON.stringify(a.dtype)} is not one of ${NPY_DTYPES.join(', ')}.`,
    );
  }
  const shape = checkShapeForWrite(a.shape, file);
  const data = a.data as NpyTypedArray | undefined;
  const tag = data !== null && typeof data === 'object' ? (data as Uint8Array)[Symbol.toStringTag] : undefined;
  if (tag !== info.arrayName) {
    throw new DataFileError(
      file,
      `cannot be written because dtype ${a.dtype} needs its data in a ${info.arrayName}, but got ${tag ?? describe(data)}.`,
    );
  }
  const count = product(shape);
  if (data!.length !== count) {
    throw new DataFileError(
      file,
      `cannot be written because shape ${shapeText(shape)} holds ${count} element${count === 1 ? '' : 's'} but data has ${data!.length}.`,
    );
  }
  if (a.dtype === 'bool') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) {
      throw new DataFileError(
        file,
        `cannot be written because bool data must be 0 or 1, but element ${bad} is ${data![bad]}.`,
      );
    }
  }

  const header = headerBytes(npyDescr(a.dtype), shape);
  const out = Buffer.allocUnsafe(header.length + count * info.size);
  header.copy(out, 0);
  const bytes = new Uint8Array(data!.buffer, data!.byteOffset, count * info.size);
  out.set(bytes, header.length);
  if (!HOST_LITTLE_ENDIAN && info.size > 1) byteSwap(out, header.length, count, info.size);
  return out;
}

/** The magic, version, header length and padded header for a C-order array. */
function headerBytes(descr: string, shape: number[]): Buffer {
  // Exactly what NumPy writes: keys sorted, repr() of each value, a space
  // reserve so the first axis can grow in place, then padding to 64 bytes.
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  for (const [major, lengthBytes] of [[1, 2], [2, 4]] as const) {
    const prefix = MAGIC.length + 2 + lengthBytes;
    const hlen = dict.length + 1; // + the final '\n'
    const padlen = ARRAY_ALIGN - ((prefix + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (lengthBytes === 2 && total > 0xffff) continue; // too long for 1.0
    const out = Buffer.alloc(prefix + total, 0x20);
    out.set(MAGIC, 0);
    out[6] = major;
    out[7] = 0;
    if (lengthBytes === 2) out.writeUInt16LE(total, 8);
    else out.writeUInt32LE(total, 8);
    out.write(dict, prefix, 'latin1');
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new Error('unreachable: a .npy header longer than 4 GB');
}

/** Python's repr() of a tuple of ints: (), (3,), (2, 3). */
function shapeRepr(shape: number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

function checkShapeForWrite(shape: unknown, file: string): number[] {
  if (!Array.isArray(shape)) {
    throw new DataFileError(file, `cannot be written because shape ${describe(shape)} is not an array of sizes.`);
  }
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new DataFileError(
        file,
        `cannot be written because shape ${JSON.stringify(shape)} contains ${describe(d)}, which is not a size (a whole number >= 0).`,
      );
    }
  }
  return shape as number[];
}

/**
 * Saves an array as a `.npy` file that `np.load` reads. The file is written
 * to a temporary name and renamed into place, so a crash never leaves half a
 * file behind, and missing parent directories are created.
 */
export function saveNpy(path: string, a: NpyArray): void {
  writeDataFile(path, [encodeNpy(a, path)]);
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/** Loads a `.npy` file written by NumPy (np.save) or by saveNpy. */
export function loadNpy(path: string): NpyArray;
export function loadNpy<D extends NpyDtype>(path: string, options: NpyReadOptions<D>): NpyArray<D>;
export function loadNpy(path: string, options: NpyReadOptions<NpyDtype> = {}): NpyArray {
  return decodeNpy(readDataFile(path), path, options);
}

/**
 * Decodes the bytes of a `.npy` file. The returned data is a fresh copy in C
 * order and native byte order; `buf` is not kept.
 */
export function decodeNpy(buf: Uint8Array, fileNameForErrors?: string): NpyArray;
export function decodeNpy<D extends NpyDtype>(
  buf: Uint8Array,
  fileNameForErrors: string | undefined,
  options: NpyReadOptions<D>,
): NpyArray<D>;
export function decodeNpy(
  buf: Uint8Array,
  fileNameForErrors: string = IN_MEMORY,
  options: NpyReadOptions<NpyDtype> = {},
): NpyArray {
  const file = fileNameForErrors;
  if (buf.length < 8 || MAGIC.some((b, i) => buf[i] !== b)) {
    if (buf.length === 0) throw new DataFileError(file, 'is empty, so it is not a .npy file.');
    if (buf.length < 8 && MAGIC.slice(0, buf.length).every((b, i) => buf[i] === b)) {
      throw new DataFileError(file, `is truncated: it has ${buf.length} bytes, fewer than the 10-byte .npy preamble.`);
    }
    throw new DataFileError(
      file,
      `is not a .npy file: it starts with ${hexStart(buf)} instead of the magic string \\x93NUMPY.`,
    );
  }
  const major = buf[6];
  const minor = buf[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new DataFileError(
      file,
      `uses .npy format version ${major}.${minor}, but only versions 1.0, 2.0 and 3.0 can be read.`,
    );
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const prefix = 8 + lengthBytes;
  if (buf.length < prefix) {
    throw new DataFileError(
      file,
      `is truncated: it has ${buf.length} bytes, fewer than the ${prefix}-byte preamble of a version ${major}.0 .npy file.`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLength = lengthBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = prefix + headerLength;
  if (buf.length < dataStart) {
    throw new DataFileError(
      file,
      `is truncated: its header says it is ${headerLength} bytes long but only ${buf.length - prefix} bytes follow.`,
    );
  }
  const headerText = Buffer.from(buf.buffer, buf.byteOffset + prefix, headerLength).toString(
    major === 3 ? 'utf8' : 'latin1',
  );
  const { descr, fortranOrder, shape } = parseHeader(headerText, file);
  const { dtype, littleEndian } = parseDescr(descr, file);
  if (options.dtype !== undefined && options.dtype !== dtype) {
    throw new DataFileError(
      file,
      `holds ${dtype} data (descr '${descr}') but ${options.dtype} was expected.`,
    );
  }
  const info = DTYPES[dtype];
  const count = product(shape);
  const expectedBytes = count * info.size;
  const actualBytes = buf.length - dataStart;
  if (actualBytes !== expectedBytes) {
    const what = actualBytes < expectedBytes ? 'is truncated' : 'has extra bytes at the end';
    throw new DataFileError(
      file,
      `${what}: shape ${shapeText(shape)} of ${dtype} needs ${expectedBytes} data bytes but the file has ${actualBytes}.`,
    );
  }

  // Copy into a fresh, aligned buffer (the file's data may start at any offset).
  const data = info.make(count);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, expectedBytes);
  bytes.set(buf.subarray(dataStart, dataStart + expectedBytes));
  if (info.size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) byteSwap(bytes, 0, count, info.size);
  if (dtype === 'bool') {
    const bad = (data as Uint8Array).findIndex((v) => v > 1);
    if (bad >= 0) {
      throw new DataFileError(file, `has bool data that is not 0 or 1 (element ${bad} is ${data[bad]}).`);
    }
  }
  const cOrder = fortranOrder && shape.length > 1 ? fortranToC(data, shape, info) : data;
  return { dtype, shape, data: cOrder } as NpyArray;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, file: string): NpyHeader {
  const fail = (why: string): never => {
    const shown = text.trimEnd();
    const quoted = JSON.stringify(shown.length > 120 ? `${shown.slice(0, 120)}...` : shown);
    throw new DataFileError(file, `has an unreadable .npy header (${why}): ${quoted}.`);
  };
  let value: PyValue;
  try {
    value = new PyLiteralParser(text).parseWhole();
  } catch (e) {
    if (e instanceof PySyntaxError) return fail(e.message);
    throw e;
  }
  if (!(value instanceof Map)) return fail('it is not a dictionary');
  const keys = [...value.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    return fail(`its keys are [${keys.join(', ')}] instead of exactly descr, fortran_order, shape`);
  }
  const descr = value.get('descr');
  const fortran = value.get('fortran_order');
  const shape = value.get('shape');
  if (typeof fortran !== 'boolean') return fail("'fortran_order' is not True or False");
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && d >= 0)) {
    return fail("'shape' is not a tuple of sizes");
  }
  if (typeof descr !== 'string') {
    // A list descr is a structured (record) dtype.
    throw new DataFileError(
      file,
      `holds a structured (record) array, which cannot be read; supported dtypes are ${NPY_DTYPES.join(', ')}.`,
      'In Python, save each field as its own array: np.save("x.npy", a["x"]).',
    );
  }
  return { descr, fortranOrder: fortran, shape: shape.items as number[] };
}

function parseDescr(descr: string, file: string): { dtype: NpyDtype; littleEndian: boolean } {
  const m = /^([<>|=]?)([biuf])(\d+)$/.exec(descr);
  if (m) {
    const [, order, kind, sizeText] = m;
    const size = Number(sizeText);
    const dtype = NPY_DTYPES.find((d) => DTYPES[d].kind === kind && DTYPES[d].size === size);
    if (dtype) {
      const littleEndian = order === '<' ? true : order === '>' ? false : HOST_LITTLE_ENDIAN;
      return { dtype, littleEndian };
    }
    const names: Record<string, string> = { i8: 'int64', u8: 'uint64', f2: 'float16', f16: 'float128' };
    const name = names[`${kind}${size}`];
    if (name) {
      const target = kind === 'f' ? 'float32' : 'int32';
      throw new DataFileError(
        file,
        `has dtype ${name} ('${descr}'), which JavaScript typed arrays cannot hold; supported dtypes are ${NPY_DTYPES.join(', ')}.`,
        `In Python, convert before saving: np.save(path, a.astype(np.${target})).`,
      );
    }
  }
  throw new DataFileError(
    file,
    `has dtype '${descr}', which is not supported; supported dtypes are ${NPY_DTYPES.join(', ')}.`,
  );
}

/** Reorders Fortran-order (column-major) data into C order (row-major). */
function fortranToC(src: NpyTypedArray, shape: number[], info: DtypeInfo): NpyTypedArray {
  const n = src.length;
  const out = info.make(n);
  if (n === 0) return out;
  const ndim = shape.length;
  // Fortran strides (in elements): first axis varies fastest.
  const stride = new Array<number>(ndim);
  let s = 1;
  for (let k = 0; k < ndim; k++) {
    stride[k] = s;
    s *= shape[k];
  }
  const index = new Array<number>(ndim).fill(0);
  const last = ndim - 1;
  const lastLen = shape[last];
  const lastStride = stride[last];
  let base = 0; // Fortran offset of (index[0], ..., index[last-1], 0)
  let o = 0;
  const from = src as Float64Array; // any typed array; reads/writes copy values
  const to = out as Float64Array;
  while (o < n) {
    let f = base;
    for (let j = 0; j < lastLen; j++, f += lastStride) to[o++] = from[f];
    // Advance the C-order index over the leading axes.
    for (let k = last - 1; k >= 0; k--) {
      index[k]++;
      base += stride[k];
      if (index[k] < shape[k]) break;
      base -= stride[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}

function byteSwap(bytes: Uint8Array, start: number, count: number, size: number): void {
  for (let p = start, end = start + count * size; p < end; p += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[p + i];
      bytes[p + i] = bytes[p + j];
      bytes[p + j] = t;
    }
  }
}

// ---------------------------------------------------------------------------
// A parser for the small subset of Python literals that .npy headers use
// ---------------------------------------------------------------------------

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

class PySyntaxError extends Error {}

/**
 * Parses dicts, tuples, lists, strings, integers (with Python 2's `L` suffix,
 * which old NumPy wrote into shapes), True, False and None.
 */
class PyLiteralParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  parseWhole(): PyValue {
    const value = this.parseValue();
    this.skipSpace();
    if (this.pos < this.text.length) this.error(`unexpected ${JSON.stringify(this.text[this.pos])} after the value`);
    return value;
  }

  private error(message: string): never {
    throw new PySyntaxError(`${message} at character ${this.pos}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private parseValue(): PyValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.error('the header ends before its value does');
    if (c === '{' || c === '(' || c === '[') {
      if (++this.depth > 16) this.error('brackets are nested too deeply');
      let value: PyValue;
      if (c === '{') {
        value = this.parseDict();
      } else if (c === '(') {
        const { items, sawComma } = this.parseSequence('(', ')');
        // (x) is just x in Python; (x,) and () are tuples.
        value = items.length === 1 && !sawComma ? items[0] : new PyTuple(items);
      } else {
        value = this.parseSequence('[', ']').items;
      }
      this.depth--;
      return value;
    }
    if (c === "'" || c === '"') return this.parseString();
    const m = /^(?:-?\d+[lL]?|True|False|None)/.exec(this.text.slice(this.pos, this.pos + 40));
    if (!m) this.error(`unexpected ${JSON.stringify(c)}`);
    this.pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    const n = Number(m[0].replace(/[lL]$/, ''));
    if (!Number.isSafeInteger(n)) this.error(`integer ${m[0]} is too large`);
    return n;
  }

  private parseSequence(open: string, close: string): { items: PyValue[]; sawComma: boolean } {
    this.pos++; // open
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return { items, sawComma };
      }
      items.push(this.parseValue());
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        sawComma = true;
        this.pos++;
      } else if (this.text[this.pos] !== close) {
        this.error(`expected ',' or '${close}'`);
      }
    }
  }

  private parseDict(): Map<string, PyValue> {
    this.pos++; // {
    const map = new Map<string, PyValue>();
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return map;
      }
      const key = this.parseValue();
      if (typeof key !== 'string') this.error('a dictionary key is not a string');
      if (map.has(key)) this.error(`key '${key}' appears twice`);
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.error("expected ':'");
      this.pos++;
      map.set(key, this.parseValue());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.error("expected ',' or '}'");
    }
  }

  private parseString(): string {
    const quote = this.text[this.pos++];
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') this.error('a string is not closed');
      if (c === quote) return out;
      if (c === '\\') {
        const e = this.text[this.pos++];
        if (e === undefined) this.error('a string is not closed');
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else {
        out += c;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function product(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A shape the way NumPy prints it: (), (3,), (2, 3). */
function shapeText(shape: number[]): string {
  return shapeRepr(shape);
}

function hexStart(buf: Uint8Array): string {
  const n = Math.min(buf.length, 8);
  let s = '';
  for (let i = 0; i < n; i++) s += `\\x${buf[i].toString(16).padStart(2, '0')}`;
  return n < buf.length ? `${s}...` : s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}
