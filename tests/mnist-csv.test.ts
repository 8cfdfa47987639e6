import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CourseError, DataFileError } from '../src/errors';
import {
  loadMnistCsvDataFrame,
  MNIST_CSV_HEADER,
  readMnistCsv,
  writeMnistCsv,
} from '../src/data/mnist-csv';
import { expectDataFileError } from './helpers/data-file-error';

const dir = mkdtempSync(join(tmpdir(), 'mnist-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reader's chunk size; some tests place tricky bytes across its boundary. */
const CHUNK = 1 << 20;

let fileCounter = 0;
function tmpFile(content: string | Buffer, name = 'mnist'): string {
  const path = join(dir, `${name}-${++fileCounter}.csv`);
  writeFileSync(path, content);
  return path;
}

/** n deterministic images with every pixel value 0-255 appearing, and labels 0-9. */
function makeData(n: number, seed = 1): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < images.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    // Mostly zeros, like MNIST, with every value 0-255 somewhere.
    images[i] = i % 3 === 0 ? i % 256 : x % 5 === 0 ? x >>> 24 : 0;
  }
  for (let r = 0; r < n; r++) labels[r] = (r * 7 + seed) % 10;
  return { images, labels };
}

function rowText(images: Uint8Array, labels: Uint8Array, r: number): string[] {
  return [String(labels[r]), ...Array.from(images.subarray(r * 784, (r + 1) * 784), String)];
}

/** CSV text for rows (as arrays of field strings), with optional header. */
function csvText(rows: string[][], { header = true, eol = '\n', finalEol = true } = {}): string {
  const lines = rows.map((r) => r.join(','));
  if (header) lines.unshift(MNIST_CSV_HEADER.join(','));
  return lines.join(eol) + (finalEol ? eol : '');
}

function validRows(n: number, seed = 1): string[][] {
  const { images, labels } = makeData(n, seed);
  return Array.from({ length: n }, (_, r) => rowText(images, labels, r));
}

// ---------------------------------------------------------------------------

describe('MNIST_CSV_HEADER', () => {
  it('is label,1x1,...,1x28,2x1,...,28x28 (row x column, row-major, from 1)', () => {
    expect(MNIST_CSV_HEADER).toHaveLength(785);
    expect(MNIST_CSV_HEADER.slice(0, 4)).toEqual(['label', '1x1', '1x2', '1x3']);
    expect(MNIST_CSV_HEADER[28]).toBe('1x28');
    expect(MNIST_CSV_HEADER[29]).toBe('2x1');
    expect(MNIST_CSV_HEADER[784]).toBe('28x28');
  });
});

describe('writeMnistCsv / readMnistCsv', () => {
  it('round trips images and labels exactly', () => {
    const { images, labels } = makeData(50);
    const path = join(dir, 'roundtrip.csv');
    writeMnistCsv(path, images, labels);
    const back = readMnistCsv(path);
    expect(back.count).toBe(50);
    expect(back.header).toEqual(MNIST_CSV_HEADER);
    expect(Buffer.from(back.images).equals(Buffer.from(images))).toBe(true);
    expect(Buffer.from(back.labels).equals(Buffer.from(labels))).toBe(true);
    expect(back.images.length).toBe(50 * 784);
  });

  it('writes a header line then one plain row per image, newline-terminated', () => {
    const { images, labels } = makeData(3);
    const path = join(dir, 'layout.csv');
    writeMnistCsv(path, images, labels);
    const text = readFileSync(path, 'latin1');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(MNIST_CSV_HEADER.join(','));
    for (let r = 0; r < 3; r++) expect(lines[r + 1]).toBe(rowText(images, labels, r).join(','));
  });

  it('round trips a file several chunks long (rows straddle the 1 MB read boundaries)', () => {
    const { images, labels } = makeData(2000, 7);
    const path = join(dir, 'big.csv');
    writeMnistCsv(path, images, labels);
    expect(readFileSync(path).length).toBeGreaterThan(3 * CHUNK);
    const back = readMnistCsv(path);
    expect(back.count).toBe(2000);
    expect(Buffer.from(back.images).equals(Buffer.from(images))).toBe(true);
    expect(Buffer.from(back.labels).equals(Buffer.from(labels))).toBe(true);
  });

  it('reads only the first `limit` images', () => {
    const { images, labels } = makeData(20);
    const path = join(dir, 'limit.csv');
    writeMnistCsv(path, images, labels);
    const five = readMnistCsv(path, { limit: 5 });
    expect(five.count).toBe(5);
    expect(Buffer.from(five.images).equals(Buffer.from(images.subarray(0, 5 * 784)))).toBe(true);
    expect(Array.from(five.labels)).toEqual(Array.from(labels.subarray(0, 5)));
    expect(readMnistCsv(path, { limit: 0 }).count).toBe(0);
    expect(readMnistCsv(path, { limit: 1000 }).count).toBe(20);
    for (const limit of [-1, 1.5, NaN]) expect(() => readMnistCsv(path, { limit })).toThrow(CourseError);
  });

  it('a limit stops before a bad row further down', () => {
    const rows = validRows(3);
    rows[2][5] = 'oops';
    const path = tmpFile(csvText(rows));
    expect(readMnistCsv(path, { limit: 2 }).count).toBe(2);
    expectDataFileError(() => readMnistCsv(path), path, /line 4/);
  });

  it('reads files without a header (the pjreddie.com layout)', () => {
    const { images, labels } = makeData(4);
    const rows = Array.from({ length: 4 }, (_, r) => rowText(images, labels, r));
    const back = readMnistCsv(tmpFile(csvText(rows, { header: false })));
    expect(back.header).toBeNull();
    expect(back.count).toBe(4);
    expect(Buffer.from(back.images).equals(Buffer.from(images))).toBe(true);
  });

  it("reads Kaggle's label,pixel0,...,pixel783 header, CRLF line ends, a BOM, blank lines and no final newline", () => {
    const { images, labels } = makeData(3);
    const rows = Array.from({ length: 3 }, (_, r) => rowText(images, labels, r));
    const kaggle = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
    const text = `\ufeff${kaggle}\r\n${rows[0].join(',')}\r\n\r\n${rows[1].join(',')}\n\n${rows[2].join(',')}`;
    const back = readMnistCsv(tmpFile(Buffer.from(text, 'utf8')));
    expect(back.header?.[784]).toBe('pixel783');
    expect(back.count).toBe(3);
    expect(Buffer.from(back.images).equals(Buffer.from(images))).toBe(true);
    expect(Array.from(back.labels)).toEqual(Array.from(labels));
  });

  it('accepts leading zeros ("007" is 7)', () => {
    const rows = validRows(1);
    rows[0][0] = '007';
    rows[0][1] = '0255';
    const back = readMnistCsv(tmpFile(csvText(rows)));
    expect(back.labels[0]).toBe(7);
    expect(back.images[0]).toBe(255);
  });

  it('handles a CRLF whose \\r ends a 1 MB chunk', () => {
    const rows = validRows(800, 3);
    const text = csvText(rows, { header: false, eol: '\r\n' });
    // Pad the first label with zeros so that some '\r' lands on byte CHUNK - 1.
    const q = text.lastIndexOf('\r', CHUNK - 1);
    const padded = '0'.repeat(CHUNK - 1 - q) + text;
    expect(padded[CHUNK - 1]).toBe('\r');
    expect(padded[CHUNK]).toBe('\n');
    expect(readMnistCsv(tmpFile(padded)).count).toBe(800);
  });
});

describe('bad MNIST CSV files throw DataFileError naming the file and the line', () => {
  const bad = (mutate: (rows: string[][]) => void, options?: { header?: boolean }) => {
    const rows = validRows(5);
    mutate(rows);
    return tmpFile(csvText(rows, options), 'bad');
  };

  it('an empty file', () => {
    const path = tmpFile('', 'empty');
    expectDataFileError(() => readMnistCsv(path), path, /is empty/, /label 0-9, then 784 pixels 0-255/);
  });

  it('a file of blank lines', () => {
    const path = tmpFile('\n\r\n\n', 'blank');
    expectDataFileError(() => readMnistCsv(path), path, /has no image rows/);
  });

  it('a header and no rows', () => {
    const path = tmpFile(`${MNIST_CSV_HEADER.join(',')}\n`, 'header-only');
    expectDataFileError(() => readMnistCsv(path), path, /has a header line but no image rows/);
  });

  it('a header with the wrong number of columns (e.g. Kaggle test.csv, which has no labels)', () => {
    const header = Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',');
    const path = tmpFile(`${header}\n${'0,'.repeat(783)}0\n`, 'kaggle-test');
    expectDataFileError(() => readMnistCsv(path), path, /line 1 \(the header\) has 784 columns; expected 785/, /without labels/);
  });

  it('a row with too few columns', () => {
    const path = bad((rows) => rows[2].pop());
    expectDataFileError(() => readMnistCsv(path), path, /line 4 has 784 columns; expected 785 \(label \+ 784 pixels\)/);
  });

  it('a row with too many columns', () => {
    const path = bad((rows) => rows[1].push('0', '0'));
    expectDataFileError(() => readMnistCsv(path), path, /line 3 has 787 columns; expected 785/);
  });

  it('a truncated last row without a newline', () => {
    const rows = validRows(3);
    const text = csvText(rows, { finalEol: false });
    const path = tmpFile(text.slice(0, text.length - 600), 'truncated');
    expectDataFileError(() => readMnistCsv(path), path, /line 4 has \d+ columns; expected 785/);
  });

  it('an empty value', () => {
    const path = bad((rows) => (rows[0][10] = ''));
    expectDataFileError(() => readMnistCsv(path), path, /line 2, column 11 \(pixel 1x10\) is empty; expected a pixel value 0-255/);
  });

  it('an empty last value', () => {
    const path = bad((rows) => (rows[4][784] = ''));
    expectDataFileError(() => readMnistCsv(path), path, /line 6, column 785 \(pixel 28x28\) is empty/);
  });

  it('a non-integer pixel', () => {
    const path = bad((rows) => (rows[3][100] = '12.5'));
    expectDataFileError(() => readMnistCsv(path), path, /line 5, column 101 \(pixel 4x16\) is "12\.5", not an integer; expected a pixel value 0-255/);
  });

  it('a non-numeric label', () => {
    const path = bad((rows) => (rows[1][0] = 'seven'));
    expectDataFileError(() => readMnistCsv(path), path, /line 3, column 1 \(label\) is "seven", not an integer; expected a label 0-9/);
  });

  it('a float pixel like pandas writes after dividing by 255', () => {
    const path = bad((rows) => (rows[0][1] = '0.0'));
    expectDataFileError(() => readMnistCsv(path), path, /line 2, column 2 \(pixel 1x1\) is "0\.0", not an integer/);
  });

  it('a pixel above 255', () => {
    const path = bad((rows) => (rows[2][784] = '256'));
    expectDataFileError(() => readMnistCsv(path), path, /line 4, column 785 \(pixel 28x28\) is 256; expected a pixel value 0-255/);
  });

  it('a huge pixel value', () => {
    const path = bad((rows) => (rows[2][3] = '9'.repeat(30)));
    expectDataFileError(() => readMnistCsv(path), path, /line 4, column 4 \(pixel 1x3\) is a huge number; expected a pixel value 0-255/);
  });

  it('a negative pixel', () => {
    const path = bad((rows) => (rows[0][5] = '-1'));
    expectDataFileError(() => readMnistCsv(path), path, /line 2, column 6 \(pixel 1x5\) is -1; expected a pixel value 0-255/);
  });

  it('a label above 9', () => {
    const path = bad((rows) => (rows[4][0] = '10'));
    expectDataFileError(() => readMnistCsv(path), path, /line 6, column 1 \(label\) is 10; expected a label 0-9/);
  });

  it('spaces around a value', () => {
    const path = bad((rows) => (rows[0][7] = ' 3'));
    expectDataFileError(() => readMnistCsv(path), path, /line 2, column 8 \(pixel 1x7\) is " 3", not an integer/);
  });

  it('a stray carriage return inside a row', () => {
    const path = bad((rows) => (rows[0][7] = '3\r4'));
    expectDataFileError(() => readMnistCsv(path), path, /line 2, column 8 \(pixel 1x7\) is "3\\r4", not an integer/);
  });

  it('counts blank lines and the header in line numbers, and works without a header', () => {
    const rows = validRows(3);
    rows[2][1] = 'x';
    const text = `${rows[0].join(',')}\n\n${rows[1].join(',')}\n${rows[2].join(',')}\n`;
    const path = tmpFile(text, 'numbering');
    expectDataFileError(() => readMnistCsv(path), path, /line 4, column 2/);
  });

  it('quotes a bad value that straddles a 1 MB chunk boundary, with the right line number', () => {
    const rows = validRows(800, 5);
    const r = 400; // starts below 1 MB (rows are ~2.2 kB here)
    rows[r][50] = '12.5';
    const text = csvText(rows, { header: false });
    // Shift line r + 1 so that "12" ends the first chunk and ".5" starts the next.
    const lineStart = text.split('\n').slice(0, r).join('\n').length + 1;
    const fieldStart = lineStart + rows[r].slice(0, 50).join(',').length + 1;
    expect(text.slice(fieldStart, fieldStart + 4)).toBe('12.5');
    const pad = CHUNK - 2 - fieldStart;
    expect(pad).toBeGreaterThanOrEqual(0);
    const path = tmpFile('0'.repeat(pad) + text, 'straddle');
    expect(readFileSync(path, 'latin1').slice(CHUNK - 2, CHUNK + 2)).toBe('12.5');
    expectDataFileError(() => readMnistCsv(path), path, /line 401, column 51 \(pixel 2x22\) is "12\.5", not an integer/);
  });

  it('a missing file or a directory', () => {
    const missing = join(dir, 'missing.csv');
    expectDataFileError(() => readMnistCsv(missing), missing, /cannot be read/, /does not exist/);
    expectDataFileError(() => readMnistCsv(dir), dir, /cannot be read|is a directory/);
  });
});

describe('writeMnistCsv rejects bad input and writes atomically', () => {
  it('mismatched image and label counts, labels above 9, wrong array types, no images', () => {
    const { images, labels } = makeData(3);
    const path = join(dir, 'never.csv');
    expectDataFileError(() => writeMnistCsv(path, images.subarray(0, 784 * 2), labels), path, /3 labels but 1568 pixels, not 3 x 784 = 2352/);
    expectDataFileError(() => writeMnistCsv(path, images, new Uint8Array([1, 2, 10])), path, /label 2 is 10, not a digit 0-9/);
    expectDataFileError(() => writeMnistCsv(path, Array.from(images) as unknown as Uint8Array, labels), path, /images must be a Uint8Array, not object/);
    expectDataFileError(() => writeMnistCsv(path, new Float32Array(784 * 3) as unknown as Uint8Array, labels), path, /images must be a Uint8Array, not Float32Array/);
    expectDataFileError(() => writeMnistCsv(path, new Uint8Array(0), new Uint8Array(0)), path, /no images to write/);
    expect(readdirSync(dir)).not.toContain('never.csv');
  });

  it('a failed write keeps the old file and leaves no temporary file', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const path = join(sub, 'train.csv');
    const { images, labels } = makeData(2);
    writeMnistCsv(path, images, labels);
    const before = readFileSync(path);
    expect(() => writeMnistCsv(path, images, new Uint8Array([1, 99]))).toThrow(DataFileError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(['train.csv']);
  });
});

describe('loadMnistCsvDataFrame', () => {
  it('gives a DataFrame of shape [n, 785] with the header as columns and the values of the file', async () => {
    const { images, labels } = makeData(6);
    const path = join(dir, 'df.csv');
    writeMnistCsv(path, images, labels);
    const df = await loadMnistCsvDataFrame(path);
    expect(df.shape).toEqual([6, 785]);
    expect(df.columns).toHaveLength(785);
    expect(df.columns).toEqual([...MNIST_CSV_HEADER]);
    expect(df.dtypes.every((t) => t === 'int32')).toBe(true);
    const values = df.values as number[][];
    expect(values[3]).toEqual([labels[3], ...Array.from(images.subarray(3 * 784, 4 * 784))]);
    expect(df['label'].values).toEqual(Array.from(labels));
    expect(df['14x14'].values).toEqual(Array.from({ length: 6 }, (_, r) => images[r * 784 + 13 * 28 + 13]));
  });

  it('honours limit and lowMemoryMode, and names the columns for a headerless file', async () => {
    const rows = validRows(4);
    const path = tmpFile(csvText(rows, { header: false }), 'df-noheader');
    const df = await loadMnistCsvDataFrame(path, { limit: 2, lowMemoryMode: true });
    expect(df.shape).toEqual([2, 785]);
    expect(df.columns[0]).toBe('label');
    expect(df.columns[784]).toBe('28x28');
    expect(df['label'].values).toEqual([Number(rows[0][0]), Number(rows[1][0])]);
  });

  it('validates like readMnistCsv', async () => {
    const rows = validRows(2);
    rows[1][0] = '12';
    const path = tmpFile(csvText(rows), 'df-bad');
    await expect(loadMnistCsvDataFrame(path)).rejects.toThrow(DataFileError);
    await expect(loadMnistCsvDataFrame(path)).rejects.toThrow(/line 3, column 1 \(label\) is 12/);
  });
});
