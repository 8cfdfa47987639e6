import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFileError } from '../src/errors';
import { installHint, NUMPY_PYTHON, SYSTEM_PARTS } from '../tools/system-parts.mjs';
import { expectDataFileError } from './helpers/data-file-error';
import { optionalPart } from './helpers/optional-part';
import {
  decodeNpy,
  encodeNpy,
  loadNpy,
  NPY_DTYPES,
  npyDescr,
  saveNpy,
  type NpyArray,
  type NpyDtype,
  type NpyTypedArray,
} from '../src/data/npy';

const dir = mkdtempSync(join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Debian's NumPy; NUMPY_PYTHON=/nonexistent shows what the skipped run looks like.
const PYTHON = NUMPY_PYTHON;
const HAVE_NUMPY = optionalPart('NumPy', SYSTEM_PARTS.numpy.present(), installHint(SYSTEM_PARTS.numpy), {
  skips: 'the NumPy interoperability tests of .npy files',
  why: `${PYTHON} cannot import numpy`,
});

/** Runs a Python script with NumPy and returns its stdout parsed as JSON. */
function python(script: string, ...args: string[]): unknown {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------
// Test data
// ---------------------------------------------------------------------------

/** Values that exercise each dtype's range (and NaN, -0, ±Infinity for floats). */
const SPECIAL: Record<NpyDtype, number[]> = {
  bool: [0, 1],
  uint8: [0, 1, 127, 128, 255],
  int8: [-128, -1, 0, 1, 127],
  uint16: [0, 1, 255, 256, 65535],
  int16: [-32768, -1, 0, 256, 32767],
  uint32: [0, 1, 65536, 2 ** 31, 2 ** 32 - 1],
  int32: [-(2 ** 31), -1, 0, 65536, 2 ** 31 - 1],
  float32: [0, -0, 1.5, -3.25e-8, 3.4e38, Infinity, -Infinity, NaN],
  float64: [0, -0, Math.PI, -1e-300, 1.7976931348623157e308, 5e-324, Infinity, NaN],
};

function makeArray<D extends NpyDtype>(dtype: D, shape: number[]): NpyArray<D> {
  const n = shape.reduce((a, b) => a * b, 1);
  const make: Record<NpyDtype, (n: number) => NpyTypedArray> = {
    bool: (k) => new Uint8Array(k),
    uint8: (k) => new Uint8Array(k),
    int8: (k) => new Int8Array(k),
    uint16: (k) => new Uint16Array(k),
    int16: (k) => new Int16Array(k),
    uint32: (k) => new Uint32Array(k),
    int32: (k) => new Int32Array(k),
    float32: (k) => new Float32Array(k),
    float64: (k) => new Float64Array(k),
  };
  const data = make[dtype](n);
  const special = SPECIAL[dtype];
  for (let i = 0; i < n; i++) data[i] = i < special.length ? special[i] : dtype === 'bool' ? (i * 7) % 2 : (i * 37) % 100;
  return { dtype, shape, data } as NpyArray<D>;
}

function bytesOf(a: NpyTypedArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Same dtype, same shape, bit-identical data (so NaN and -0 count). */
function expectSameArray(actual: NpyArray, expected: NpyArray): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.constructor).toBe(expected.data.constructor);
  expect(bytesOf(actual.data).equals(bytesOf(expected.data))).toBe(true);
}

const SHAPES: number[][] = [[], [0], [1], [7], [2, 3], [3, 0], [0, 4, 5], [2, 3, 4], [1, 1, 1, 1], [3, 1, 2, 1, 2]];

/** Builds a .npy file by hand: magic, version, length, header text (padded), data. */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(0), major = 1, encoding: BufferEncoding = 'latin1'): Buffer {
  const lengthBytes = major === 1 ? 2 : 4;
  const text = Buffer.from(header, encoding);
  const unpadded = 8 + lengthBytes + text.length + 1;
  const pad = (64 - (unpadded % 64)) % 64;
  const hlen = text.length + pad + 1;
  const pre = Buffer.alloc(8 + lengthBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(pre);
  if (lengthBytes === 2) pre.writeUInt16LE(hlen, 8);
  else pre.writeUInt32LE(hlen, 8);
  return Buffer.concat([pre, text, Buffer.alloc(pad, 0x20), Buffer.from('\n'), data]);
}

// ---------------------------------------------------------------------------
// Round trips and layout
// ---------------------------------------------------------------------------

describe('encodeNpy / decodeNpy round trips', () => {
  for (const dtype of NPY_DTYPES) {
    it(`${dtype} keeps dtype, shape and every bit of data for shapes ${SHAPES.map((s) => `(${s})`).join(' ')}`, () => {
      for (const shape of SHAPES) {
        const a = makeArray(dtype, shape);
        const back = decodeNpy(encodeNpy(a), 'x.npy');
        expectSameArray(back, a);
      }
    });
  }

  it('round trips through files with saveNpy / loadNpy, including 0-d and empty arrays', () => {
    for (const dtype of NPY_DTYPES) {
      for (const shape of [[], [0], [4, 5]]) {
        const path = join(dir, `rt-${dtype}-${shape.join('x') || 'scalar'}.npy`);
        const a = makeArray(dtype, shape);
        saveNpy(path, a);
        expectSameArray(loadNpy(path), a);
      }
    }
  });

  it('a 0-d array has shape [] and exactly one element', () => {
    const a: NpyArray = { dtype: 'float64', shape: [], data: new Float64Array([42.5]) };
    const buf = encodeNpy(a);
    expect(buf.toString('latin1', 10, 80)).toContain("'shape': ()");
    const back = decodeNpy(buf);
    expect(back.shape).toEqual([]);
    expect(Array.from(back.data)).toEqual([42.5]);
  });

  it('decodes data that starts at an unaligned offset and returns a copy', () => {
    const a = makeArray('float64', [3, 2]);
    const enc = encodeNpy(a);
    const shifted = new Uint8Array(enc.length + 3);
    shifted.set(enc, 3);
    const view = shifted.subarray(3);
    const back = decodeNpy(view);
    expectSameArray(back, a);
    view[view.length - 1] ^= 0xff; // mutating the input must not change the result
    expectSameArray(back, a);
  });

  it('narrows to the expected dtype and rejects a different one', () => {
    const path = join(dir, 'expect-dtype.npy');
    saveNpy(path, makeArray('uint8', [2, 2]));
    const a = loadNpy(path, { dtype: 'uint8' });
    const first: number = a.data[0]; // typed as Uint8Array
    expect(first).toBe(0);
    expectDataFileError(() => loadNpy(path, { dtype: 'float32' }), path, /holds uint8 data/, /float32 was expected/);
  });
});

describe('.npy layout', () => {
  it('writes version 1.0 with the header padded to a multiple of 64 bytes and ended by a newline', () => {
    for (const dtype of NPY_DTYPES) {
      for (const shape of SHAPES) {
        const buf = encodeNpy(makeArray(dtype, shape));
        expect([...buf.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
        const hlen = buf.readUInt16LE(8);
        const dataStart = 10 + hlen;
        expect(dataStart % 64).toBe(0);
        expect(buf[dataStart - 1]).toBe(0x0a);
        const header = buf.toString('latin1', 10, dataStart);
        const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
        expect(header).toMatch(
          new RegExp(`^\\{'descr': '${npyDescr(dtype).replace('|', '\\|')}', 'fortran_order': False, 'shape': ${shapeRepr.replace(/[()]/g, '\\$&')}, \\} *\\n$`),
        );
        expect(buf.length - dataStart).toBe(shape.reduce((a, b) => a * b, 1) * Number(npyDescr(dtype).slice(2)));
      }
    }
  });

  it('uses the descrs NumPy uses', () => {
    expect(NPY_DTYPES.map(npyDescr)).toEqual(['|b1', '|u1', '|i1', '<u2', '<i2', '<u4', '<i4', '<f4', '<f8']);
  });

  it('switches to version 2.0 only when the header does not fit in 65535 bytes', () => {
    const small = encodeNpy({ dtype: 'uint8', shape: new Array(32).fill(1), data: new Uint8Array(1) });
    expect(small[6]).toBe(1);
    const shape = new Array(30_000).fill(1); // "1, " x 30000 > 65535 bytes of header
    const a: NpyArray = { dtype: 'int32', shape, data: new Int32Array([-7]) };
    const buf = encodeNpy(a);
    expect(buf[6]).toBe(2);
    const hlen = buf.readUInt32LE(8);
    expect(hlen).toBeGreaterThan(65535);
    expect((12 + hlen) % 64).toBe(0);
    expectSameArray(decodeNpy(buf), a);
  });
});

// ---------------------------------------------------------------------------
// Reading files that others wrote
// ---------------------------------------------------------------------------

describe('decodeNpy reads every variant of the format', () => {
  const le = (values: number[]) => Buffer.from(new Int32Array(values).buffer);

  it('reads versions 2.0 and 3.0 (3.0 has a utf8 header)', () => {
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }";
    for (const major of [2, 3]) {
      const a = decodeNpy(rawNpy(header, le([1, -2, 3, -4]), major, major === 3 ? 'utf8' : 'latin1'), 'v.npy');
      expect(a.dtype).toBe('int32');
      expect(a.shape).toEqual([2, 2]);
      expect(Array.from(a.data)).toEqual([1, -2, 3, -4]);
    }
  });

  it('reads big-endian data into native numbers', () => {
    const be = Buffer.alloc(3 * 8);
    [1.5, -2, Math.PI].forEach((v, i) => be.writeDoubleBE(v, i * 8));
    const a = decodeNpy(rawNpy("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", be));
    expect(a.dtype).toBe('float64');
    expect(Array.from(a.data)).toEqual([1.5, -2, Math.PI]);

    const be16 = Buffer.alloc(4);
    be16.writeInt16BE(-300, 0);
    be16.writeInt16BE(1000, 2);
    expect(Array.from(decodeNpy(rawNpy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", be16)).data)).toEqual([-300, 1000]);
  });

  it('transposes Fortran-order data into C order', () => {
    // The 2x3 matrix [[0, 1, 2], [3, 4, 5]] stored column by column.
    const a = decodeNpy(rawNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", le([0, 3, 1, 4, 2, 5])));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5]);
    // 3-d: element (i, j, k) of a 2x3x4 array sits at i + 2j + 6k in Fortran order.
    const f = new Array(24);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) f[i + 2 * j + 6 * k] = 100 * i + 10 * j + k;
    const b = decodeNpy(rawNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 4), }", le(f)));
    const c: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) c.push(100 * i + 10 * j + k);
    expect(Array.from(b.data)).toEqual(c);
    // Empty and 1-d Fortran arrays.
    expect(decodeNpy(rawNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (0, 3), }")).shape).toEqual([0, 3]);
    expect(Array.from(decodeNpy(rawNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (3,), }", le([7, 8, 9]))).data)).toEqual([7, 8, 9]);
  });

  it('reads headers in other spellings: key order, double quotes, Python 2 longs, no padding, 16-byte alignment', () => {
    const data = le([5, 6]);
    for (const header of [
      "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}",
      '{"descr": "<i4", "fortran_order": False, "shape": (2L,)}',
      "{'descr':'<i4','fortran_order':False,'shape':(2,)}",
    ]) {
      expect(Array.from(decodeNpy(rawNpy(header, data), 'h.npy').data)).toEqual([5, 6]);
    }
    // Old NumPy aligned to 16 bytes only; the reader must not insist on 64.
    const text = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
    const pad = (16 - ((10 + text.length + 1) % 16)) % 16;
    pre.writeUInt16LE(text.length + pad + 1, 8);
    const buf = Buffer.concat([pre, Buffer.from(text + ' '.repeat(pad) + '\n'), data]);
    expect(Array.from(decodeNpy(buf).data)).toEqual([5, 6]);
  });

  it("reads '|u1', '<u1' and bool", () => {
    expect(decodeNpy(rawNpy("{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }", Buffer.from([9]))).dtype).toBe('uint8');
    const b = decodeNpy(rawNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", Buffer.from([1, 0])));
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data)).toEqual([1, 0]);
  });
});

// ---------------------------------------------------------------------------
// Corrupt input
// ---------------------------------------------------------------------------

describe('corrupt .npy files throw DataFileError naming the file and the problem', () => {
  const F = 'broken.npy';
  const ok = encodeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
  const header = (h: string, data: Uint8Array = new Uint8Array(24)) => rawNpy(h, data);

  const cases: [string, Uint8Array, RegExp[]][] = [
    ['an empty file', new Uint8Array(0), [/is empty/]],
    ['a file that is not .npy', Buffer.from('label,1x1,1x2\n0,0,0\n'), [/not a \.npy file/, /\\x6c\\x61/, /magic string/]],
    ['a truncated preamble', ok.subarray(0, 5), [/truncated/, /5 bytes/]],
    ['a preamble cut inside the header length', ok.subarray(0, 9), [/truncated/, /9 bytes/]],
    ['version 4.0', Buffer.concat([ok.subarray(0, 6), Buffer.from([4, 0]), ok.subarray(8)]), [/version 4\.0/, /1\.0, 2\.0 and 3\.0/]],
    ['version 1.1', Buffer.concat([ok.subarray(0, 6), Buffer.from([1, 1]), ok.subarray(8)]), [/version 1\.1/]],
    ['a header cut short', ok.subarray(0, 40), [/truncated/, /header says it is 118 bytes/, /only 30 bytes follow/]],
    ['an unclosed dictionary', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), "), [/unreadable \.npy header/, /'descr': '<f4'/]],
    ['an unclosed string', header("{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}"), [/unreadable \.npy header/]],
    ['garbage', header('hello world'), [/unreadable \.npy header/, /unexpected "h"/]],
    ['a header that is not a dict', header("('<f4', False, (2, 3))"), [/unreadable \.npy header/, /not a dictionary/]],
    ['a missing key', header("{'descr': '<f4', 'shape': (2, 3), }"), [/keys are \[descr, shape\]/]],
    ['an extra key', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"), [/keys are \[descr, fortran_order, shape, x\]/]],
    ['a negative size', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }"), [/'shape' is not a tuple of sizes/]],
    ['a list shape', header("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }"), [/'shape' is not a tuple of sizes/]],
    ['a string size', header("{'descr': '<f4', 'fortran_order': False, 'shape': ('2', 3), }"), [/'shape' is not a tuple of sizes/]],
    ['a non-bool fortran_order', header("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }"), [/'fortran_order' is not True or False/]],
    ['deep nesting', header(`{'descr': ${'('.repeat(100)}`), [/nested too deeply/]],
    ['complex numbers', header("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }"), [/dtype '<c8'/, /not supported/, /float32/]],
    ['strings', header("{'descr': '<U5', 'fortran_order': False, 'shape': (1,), }"), [/dtype '<U5'/, /not supported/]],
    ['int64', header("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"), [/int64 \('<i8'\)/, /cannot hold/, /astype\(np\.int32\)/]],
    ['float16', header("{'descr': '<f2', 'fortran_order': False, 'shape': (12,), }"), [/float16/, /astype\(np\.float32\)/]],
    ['a structured dtype', header("{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (3,), }"), [/structured \(record\) array/]],
    ['too little data', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(20)), [/is truncated/, /shape \(2, 3\) of float32 needs 24 data bytes but the file has 20/]],
    ['too much data', header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(25)), [/extra bytes/, /needs 24 data bytes but the file has 25/]],
    ['a huge shape', header("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100000), }"), [/is truncated/, /needs 8000000000000000 data bytes/]],
    ['bool values other than 0/1', header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", Buffer.from([0, 1, 2])), [/bool data that is not 0 or 1/, /element 2 is 2/]],
  ];
  for (const [name, bytes, patterns] of cases) {
    it(name, () => {
      expectDataFileError(() => decodeNpy(bytes, F), F, ...patterns);
    });
  }

  it('loadNpy names the path, also when the file is missing or a directory', () => {
    const path = join(dir, 'corrupt.npy');
    writeFileSync(path, ok.subarray(0, ok.length - 1));
    expectDataFileError(() => loadNpy(path), path, /is truncated/);
    expectDataFileError(() => loadNpy(join(dir, 'nope.npy')), join(dir, 'nope.npy'), /cannot be read/, /does not exist/);
    expectDataFileError(() => loadNpy(dir), dir, /cannot be read/, /is a directory/);
  });
});

describe('writing invalid arrays throws DataFileError and leaves no file behind', () => {
  const cases: [string, unknown, RegExp[]][] = [
    ['shape and data disagree', { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) }, [/shape \(2, 3\) holds 6 elements but data has 5/]],
    ['0-d with no element', { dtype: 'float32', shape: [], data: new Float32Array(0) }, [/shape \(\) holds 1 element but data has 0/]],
    ['the wrong typed array', { dtype: 'float32', shape: [2], data: new Float64Array(2) }, [/float32 needs its data in a Float32Array, but got Float64Array/]],
    ['a plain array', { dtype: 'int32', shape: [2], data: [1, 2] }, [/needs its data in a Int32Array, but got a plain array/]],
    ['an unknown dtype', { dtype: 'int64', shape: [1], data: new BigInt64Array(1) }, [/dtype "int64" is not one of bool, uint8/]],
    ['a fractional size', { dtype: 'uint8', shape: [2.5], data: new Uint8Array(2) }, [/contains number 2\.5, which is not a size/]],
    ['a negative size', { dtype: 'uint8', shape: [-1], data: new Uint8Array(0) }, [/contains number -1/]],
    ['a shape that is not an array', { dtype: 'uint8', shape: 3, data: new Uint8Array(3) }, [/shape number 3 is not an array/]],
    ['bools that are not 0/1', { dtype: 'bool', shape: [2], data: new Uint8Array([1, 5]) }, [/bool data must be 0 or 1, but element 1 is 5/]],
    ['not an array at all', null, [/null is not an NpyArray/]],
  ];
  for (const [name, a, patterns] of cases) {
    it(name, () => {
      const path = join(dir, `bad-write-${name.replace(/\W+/g, '-')}.npy`);
      expectDataFileError(() => saveNpy(path, a as NpyArray), path, /cannot be written/, ...patterns);
      expect(existsSync(path)).toBe(false);
      expectDataFileError(() => encodeNpy(a as NpyArray), '(in-memory .npy data)', ...patterns);
    });
  }

  it('a failed save keeps the previous file intact and leaves no temporary file', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const path = join(sub, 'keep.npy');
    const good = makeArray('int16', [3, 3]);
    saveNpy(path, good);
    const before = readFileSync(path);
    expect(() => saveNpy(path, { dtype: 'int16', shape: [3, 3], data: new Int16Array(8) })).toThrow(DataFileError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(['keep.npy']);
    // Overwriting works and also leaves nothing else behind.
    saveNpy(path, makeArray('int16', [2]));
    expect(loadNpy(path).shape).toEqual([2]);
    expect(readdirSync(sub)).toEqual(['keep.npy']);
  });

  it('creates missing parent directories and reports an unwritable destination', () => {
    const path = join(dir, 'new', 'nested', 'a.npy');
    saveNpy(path, makeArray('uint8', [2]));
    expect(loadNpy(path).shape).toEqual([2]);
    const blocked = join(dir, 'new', 'nested', 'a.npy', 'b.npy'); // a.npy is a file, not a directory
    expectDataFileError(() => saveNpy(blocked, makeArray('uint8', [2])), blocked, /cannot be written/);
  });
});

// ---------------------------------------------------------------------------
// NumPy interop
// ---------------------------------------------------------------------------

describe.runIf(HAVE_NUMPY)('NumPy interop', () => {
  it('NumPy loads our files with identical dtype, shape and values', () => {
    const files: { path: string; a: NpyArray }[] = [];
    for (const dtype of NPY_DTYPES) {
      for (const shape of [[], [0], [5], [2, 3], [0, 4, 5], [2, 3, 4]]) {
        const path = join(dir, `to-numpy-${dtype}-${shape.join('x') || 'scalar'}.npy`);
        const a = makeArray(dtype, shape);
        saveNpy(path, a);
        files.push({ path, a });
      }
    }
    const script = `
import json, sys, numpy as np
out = []
for p in sys.argv[1:]:
    a = np.load(p)
    out.append({'dtype': a.dtype.str, 'shape': list(a.shape),
                'hex': np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes().hex()})
print(json.dumps(out))`;
    const seen = python(script, ...files.map((f) => f.path)) as { dtype: string; shape: number[]; hex: string }[];
    files.forEach(({ a }, i) => {
      expect(seen[i].dtype).toBe(npyDescr(a.dtype));
      expect(seen[i].shape).toEqual(a.shape);
      expect(seen[i].hex).toBe(bytesOf(a.data).toString('hex'));
    });
  });

  it('our bytes are identical to np.save for NumPy >= 1.23 (same header and padding)', () => {
    const version = python('import json, numpy; print(json.dumps(numpy.__version__))') as string;
    const [major, minor] = version.split('.').map(Number);
    if (major === 1 && minor < 23) return; // older NumPy pads differently; both layouts are valid
    const cases: NpyArray[] = [makeArray('float32', [3, 4]), makeArray('uint8', [60, 28, 28]), makeArray('int32', []), makeArray('float64', [0])];
    const paths = cases.map((a, i) => {
      const p = join(dir, `ours-${i}.npy`);
      saveNpy(p, a);
      return p;
    });
    const script = `
import json, sys, numpy as np
out = []
for p in sys.argv[1:]:
    q = p + '.numpy.npy'
    np.save(q, np.load(p))
    out.append(q)
print(json.dumps(out))`;
    const theirs = python(script, ...paths) as string[];
    paths.forEach((p, i) => expect(readFileSync(theirs[i]).equals(readFileSync(p))).toBe(true));
  });

  it('we load files NumPy saved: every dtype, 0-d, empty, Fortran order, big-endian, versions 2.0 and 3.0', () => {
    const script = `
import json, sys, numpy as np
from numpy.lib import format as fmt
d = sys.argv[1]
rng = np.random.default_rng(0)
cases = {
  'u1': rng.integers(0, 256, (4, 5), dtype=np.uint8),
  'i1': rng.integers(-128, 128, (7,), dtype=np.int8),
  'u2': rng.integers(0, 65536, (2, 3), dtype=np.uint16),
  'i2': rng.integers(-32768, 32768, (3, 2), dtype=np.int16),
  'u4': rng.integers(0, 2**32, (5,), dtype=np.uint32),
  'i4': rng.integers(-2**31, 2**31, (2, 2, 2), dtype=np.int32),
  'f4': rng.standard_normal((3, 4)).astype(np.float32),
  'f8': np.array([[0.0, -0.0, np.nan], [np.inf, -np.inf, np.pi]]),
  'b1': rng.integers(0, 2, (6,)).astype(bool),
  'scalar': np.array(3.5, dtype=np.float64),
  'empty': np.zeros((0, 3), dtype=np.float32),
  'fortran2d': np.asfortranarray(np.arange(12, dtype=np.int32).reshape(3, 4)),
  'fortran3d': np.asfortranarray(rng.standard_normal((2, 3, 4))),
  'fortran_f4': np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
  'big_f8': np.arange(5, dtype='>f8') / 3,
  'big_i4': np.array([[1, -2], [300000, -400000]], dtype='>i4'),
  'big_u2_fortran': np.asfortranarray(np.arange(6, dtype='>u2').reshape(2, 3) * 1000),
  'mnist_like': rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
}
out = {}
for name, a in cases.items():
    p = f'{d}/numpy-{name}.npy'
    np.save(p, a)
    if name == 'fortran2d':
        assert open(p, 'rb').read(128).find(b"'fortran_order': True") > 0
    c = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<'))
    out[name] = {'path': p, 'descr': a.dtype.str, 'shape': list(a.shape), 'hex': c.tobytes().hex()}
for version in [(2, 0), (3, 0)]:
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    p = f'{d}/numpy-v{version[0]}.npy'
    with open(p, 'wb') as f:
        fmt.write_array(f, a, version=version)
    out[f'v{version[0]}'] = {'path': p, 'descr': a.dtype.str, 'shape': list(a.shape), 'hex': a.tobytes().hex()}
print(json.dumps(out))`;
    const made = python(script, dir) as Record<string, { path: string; descr: string; shape: number[]; hex: string }>;
    expect(Object.keys(made)).toHaveLength(20);
    const dtypeOf: Record<string, NpyDtype> = { u1: 'uint8', i1: 'int8', u2: 'uint16', i2: 'int16', u4: 'uint32', i4: 'int32', f4: 'float32', f8: 'float64', b1: 'bool' };
    for (const [name, m] of Object.entries(made)) {
      const a = loadNpy(m.path);
      expect(a.dtype, name).toBe(dtypeOf[m.descr.slice(1)]);
      expect(a.shape, name).toEqual(m.shape);
      expect(bytesOf(a.data).toString('hex'), name).toBe(m.hex);
      const v = readFileSync(m.path)[6];
      if (name === 'v2' || name === 'v3') expect(v).toBe(Number(name[1]));
    }
  });
});
