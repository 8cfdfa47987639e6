/**
 * MNIST as CSV, the form many PyTorch and pandas tutorials start from
 * (`mnist_train.csv`, `mnist_test.csv`): one image per row, the label 0-9 in
 * the first column, then the 784 pixels (0-255) of the 28x28 image in
 * row-major order.
 *
 * We write a header row `label,1x1,1x2,...,1x28,2x1,...,28x28` (pixel
 * "RxC" = row R, column C, counting from 1). Why a header:
 *   - it is the layout of the widely used Kaggle "MNIST in CSV" files, so
 *     code written against those works on ours unchanged;
 *   - `pandas.read_csv` and danfo's `readCSV` treat the first line as column
 *     names by default, so a headerless file silently loses its first image
 *     to the column names there, while a file with a header is read right by
 *     every tool's default.
 * Reading accepts files with or without a header (a first line containing
 * letters is a header, e.g. Kaggle's `label,pixel0,...,pixel783`).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { DataFrame } from 'danfojs-node';
import { CourseError, DataFileError } from '../errors';
import { fsReason, writeDataFile } from './data-files';

export const MNIST_PIXELS = 784;
export const MNIST_CSV_COLUMNS = MNIST_PIXELS + 1;

/** The header we write: label,1x1,1x2,...,28x28. */
export const MNIST_CSV_HEADER: readonly string[] = Object.freeze([
  'label',
  ...Array.from({ length: MNIST_PIXELS }, (_, i) => `${Math.floor(i / 28) + 1}x${(i % 28) + 1}`),
]);

export interface MnistCsv {
  /** count * 784 pixels, image after image, each row-major 28x28. */
  images: Uint8Array;
  /** count labels 0-9. */
  labels: Uint8Array;
  count: number;
  /** The file's header row, or null when it had none. */
  header: string[] | null;
}

export interface ReadMnistCsvOptions {
  /** Read at most this many images (from the start of the file). */
  limit?: number;
}

export interface MnistCsvDataFrameOptions extends ReadMnistCsvOptions {
  /**
   * danfo keeps a second, column-major copy of every DataFrame unless
   * lowMemoryMode is on; for all 60,000 rows that copy costs hundreds of MB.
   * Default false (danfo's own default).
   */
  lowMemoryMode?: boolean;
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/**
 * Writes images (n*784 pixels, n >= 1) and labels (n) as an MNIST CSV with a
 * header row, streamed in 1 MB chunks. The file appears all at once (temp
 * file + rename) when complete, and missing parent directories are created.
 */
export function writeMnistCsv(path: string, images: Uint8Array, labels: Uint8Array): void {
  checkUint8(path, 'images', images);
  checkUint8(path, 'labels', labels);
  const n = labels.length;
  if (images.length !== n * MNIST_PIXELS) {
    throw new DataFileError(
      path,
      `cannot be written because there are ${n} labels but ${images.length} pixels, not ${n} x 784 = ${n * MNIST_PIXELS}.`,
    );
  }
  if (n === 0) {
    // readMnistCsv rejects a header-only file, so refuse to write one.
    throw new DataFileError(path, 'cannot be written because there are no images to write.');
  }
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) {
    throw new DataFileError(path, `cannot be written because label ${bad} is ${labels[bad]}, not a digit 0-9.`);
  }
  writeDataFile(path, csvChunks(images, labels));
}

/** Yields the CSV text in ~1 MB chunks so a 100 MB file never sits in memory whole. */
function* csvChunks(images: Uint8Array, labels: Uint8Array): Generator<Uint8Array> {
  // The text of "v," for every byte value, as bytes.
  const text: Uint8Array[] = [];
  for (let v = 0; v < 256; v++) text.push(Buffer.from(`${v},`, 'latin1'));
  const CHUNK = 1 << 20;
  const MAX_ROW = MNIST_CSV_COLUMNS * 4; // "255," per value
  let buf = Buffer.allocUnsafe(CHUNK);
  let p = buf.write(`${MNIST_CSV_HEADER.join(',')}\n`, 0, 'latin1');
  for (let r = 0, n = labels.length; r < n; r++) {
    if (p + MAX_ROW > CHUNK) {
      yield buf.subarray(0, p);
      buf = Buffer.allocUnsafe(CHUNK);
      p = 0;
    }
    buf[p++] = 48 + labels[r];
    const base = r * MNIST_PIXELS;
    for (let j = 0; j < MNIST_PIXELS; j++) {
      buf[p++] = 44; // ','
      const t = text[images[base + j]];
      const len = t.length - 1; // without its comma
      for (let k = 0; k < len; k++) buf[p++] = t[k];
    }
    buf[p++] = 10; // '\n'
  }
  if (p > 0) yield buf.subarray(0, p);
}

function checkUint8(path: string, what: string, a: unknown): void {
  const tag = a !== null && typeof a === 'object' ? (a as Uint8Array)[Symbol.toStringTag] : undefined;
  if (tag !== 'Uint8Array') {
    throw new DataFileError(path, `cannot be written because ${what} must be a Uint8Array, not ${tag ?? typeof a}.`);
  }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

const COMMA = 44;
const NEWLINE = 10;
const CR = 13;
const CHUNK_SIZE = 1 << 20;
/** The fewest bytes a data row can take: 785 one-digit values, 784 commas, a newline. */
const MIN_ROW_BYTES = MNIST_CSV_COLUMNS * 2;

/**
 * Reads an MNIST CSV (with or without header row), checking every value:
 * each row must have 785 columns, the label must be an integer 0-9 and each
 * pixel an integer 0-255. Blank lines are skipped. Problems throw a
 * DataFileError naming the file and the line (1-based, header included).
 */
export function readMnistCsv(path: string, options: ReadMnistCsvOptions = {}): MnistCsv {
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && !(Number.isSafeInteger(limit) && limit >= 0)) {
    throw new CourseError(`readMnistCsv: limit must be a whole number >= 0, not ${String(options.limit)}.`);
  }
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
    size = fstatSync(fd).size;
  } catch (e) {
    throw new DataFileError(path, `cannot be read (${fsReason(e)}).`);
  }
  try {
    return new CsvReader(path, fd, size, limit).read();
  } finally {
    closeSync(fd);
  }
}

/** A byte-at-a-time parser over the file, read in 1 MB chunks. */
class CsvReader {
  private readonly buf = Buffer.allocUnsafe(CHUNK_SIZE);
  /** File offset of buf[0]. */
  private chunkStart = 0;

  constructor(
    private readonly path: string,
    private readonly fd: number,
    private readonly size: number,
    private readonly limit: number,
  ) {}

  private fail(problem: string): never {
    throw new DataFileError(this.path, problem);
  }

  private readAt(position: number, into: Buffer, length: number): number {
    try {
      let got = 0;
      while (got < length) {
        const n = readSync(this.fd, into, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    } catch (e) {
      throw new DataFileError(this.path, `cannot be read (${fsReason(e)}).`);
    }
  }

  read(): MnistCsv {
    const { size, limit, buf } = this;
    if (size === 0) this.fail('is empty; an MNIST CSV needs one row per image: a label 0-9, then 784 pixels 0-255.');

    // --- optional BOM and header line -----------------------------------
    let len = this.readAt(0, buf, Math.min(CHUNK_SIZE, size));
    let i = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    let line = 1;
    let header: string[] | null = null;
    {
      let end = buf.indexOf(NEWLINE, i);
      if (end < 0 || end >= len) end = len;
      const first = buf.toString('latin1', i, end).replace(/\r$/, '');
      // A header's first name has letters ("label"); a row's first field is a digit.
      if (/[A-Za-z_"']/.test(first.split(',', 1)[0])) {
        header = first.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
        if (header.length !== MNIST_CSV_COLUMNS) {
          this.fail(
            `line 1 (the header) has ${header.length} columns; expected ${MNIST_CSV_COLUMNS} (label + 784 pixels).` +
              (header.length === MNIST_PIXELS ? ' It looks like a file without labels (like Kaggle\'s test.csv).' : ''),
          );
        }
        if (end === len && len < size) this.fail('line 1 (the header) is longer than 1 MB, so this is not an MNIST CSV.');
        i = end + 1;
        line = 2;
      }
    }

    // --- the rows --------------------------------------------------------
    const capacity = Math.min(limit, Math.floor((size + 1) / MIN_ROW_BYTES));
    let images = new Uint8Array(capacity * MNIST_PIXELS);
    let labels = new Uint8Array(capacity);
    let count = 0;

    let col = 0; // index of the field being read in this row
    let val = 0; // its value so far
    let digits = 0; // its digit count so far
    let lineStart = i; // file offset where the current line starts
    let fieldStart = i; // file offset where the current field starts
    let rowBase = 0; // count * 784
    let crPending = false; // the previous chunk ended with '\r'

    // One loop, no closures: this runs once per byte of a ~110 MB file.
    let done = count >= limit;
    while (!done) {
      if (crPending) {
        if (len > i && buf[i] !== NEWLINE) this.badText(line, col, fieldStart);
        crPending = false;
      }
      for (; i < len; i++) {
        const b = buf[i];
        const d = b - 48;
        if (d >= 0 && d <= 9) {
          val = val * 10 + d;
          digits++;
        } else if (b === COMMA) {
          if (col === 0) {
            if (digits === 0 || val > 9) this.badValue(line, col, digits, val);
            labels[count] = val;
          } else {
            if (digits === 0 || val > 255) this.badValue(line, col, digits, val);
            images[rowBase + col - 1] = val;
          }
          col++;
          if (col >= MNIST_CSV_COLUMNS) this.tooManyColumns(line, lineStart);
          val = 0;
          digits = 0;
          fieldStart = this.chunkStart + i + 1;
        } else if (b === NEWLINE) {
          if (col > 0 || digits > 0) {
            if (col !== MNIST_CSV_COLUMNS - 1) this.wrongColumnCount(line, col + 1);
            if (digits === 0 || val > 255) this.badValue(line, col, digits, val);
            images[rowBase + col - 1] = val;
            count++;
            rowBase += MNIST_PIXELS;
            col = 0;
            val = 0;
            digits = 0;
            if (count >= limit) {
              done = true;
              break;
            }
          } // else: a blank line, skipped
          line++;
          lineStart = fieldStart = this.chunkStart + i + 1;
        } else if (b === CR) {
          if (i + 1 < len) {
            if (buf[i + 1] !== NEWLINE) this.badText(line, col, fieldStart);
          } else {
            crPending = true;
          }
        } else {
          this.badText(line, col, fieldStart);
        }
      }
      if (done) break;
      this.chunkStart += len;
      if (this.chunkStart >= size) break;
      len = this.readAt(this.chunkStart, buf, Math.min(CHUNK_SIZE, size - this.chunkStart));
      if (len === 0) break; // the file shrank while we read it
      i = 0;
    }
    // A last row without a final newline.
    if (!done && (col > 0 || digits > 0)) {
      if (col !== MNIST_CSV_COLUMNS - 1) this.wrongColumnCount(line, col + 1);
      if (digits === 0 || val > 255) this.badValue(line, col, digits, val);
      images[rowBase + col - 1] = val;
      count++;
    }

    if (count === 0 && limit > 0) {
      this.fail(
        header
          ? 'has a header line but no image rows.'
          : 'has no image rows; an MNIST CSV needs one row per image: a label 0-9, then 784 pixels 0-255.',
      );
    }
    if (count < capacity) {
      images = images.slice(0, count * MNIST_PIXELS);
      labels = labels.slice(0, count);
    }
    return { images, labels, count, header };
  }

  private wrongColumnCount(line: number, columns: number): never {
    this.fail(`line ${line} has ${columns} columns; expected ${MNIST_CSV_COLUMNS} (label + 784 pixels).`);
  }

  /** Throws for an empty or out-of-range field. */
  private badValue(line: number, col: number, digits: number, val: number): never {
    if (digits === 0) this.fail(`${where(line, col)} is empty; expected ${expected(col)}.`);
    this.fail(`${where(line, col)} is ${digits > 15 ? 'a huge number' : val}; expected ${expected(col)}.`);
  }

  /** Throws for a field holding something other than digits, quoting it. */
  private badText(line: number, col: number, fieldStart: number): never {
    const raw = Buffer.alloc(40);
    const n = this.readAt(fieldStart, raw, raw.length);
    let text = raw.toString('latin1', 0, n);
    const cut = text.search(/[,\n]/);
    if (cut >= 0) text = text.slice(0, cut);
    else if (n === raw.length) text += '...';
    text = text.replace(/\r$/, '');
    if (/^-\d+$/.test(text)) this.fail(`${where(line, col)} is ${text}; expected ${expected(col)}.`);
    this.fail(`${where(line, col)} is ${JSON.stringify(text)}, not an integer; expected ${expected(col)}.`);
  }

  /** Throws for a row with more than 785 columns, counting them all. */
  private tooManyColumns(line: number, lineStart: number): never {
    let columns = 1;
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (let pos = lineStart; ; ) {
      const n = this.readAt(pos, chunk, chunk.length);
      let end = n;
      const nl = chunk.subarray(0, n).indexOf(NEWLINE);
      if (nl >= 0) end = nl;
      for (let k = 0; k < end; k++) if (chunk[k] === COMMA) columns++;
      if (nl >= 0 || n < chunk.length) break;
      pos += n;
    }
    this.fail(`line ${line} has ${columns} columns; expected ${MNIST_CSV_COLUMNS} (label + 784 pixels).`);
  }
}

function where(line: number, col: number): string {
  return `line ${line}, column ${col + 1} (${col === 0 ? 'label' : `pixel ${MNIST_CSV_HEADER[col]}`})`;
}

function expected(col: number): string {
  return col === 0 ? 'a label 0-9' : 'a pixel value 0-255';
}

// ---------------------------------------------------------------------------
// danfo.js
// ---------------------------------------------------------------------------

/**
 * Reads an MNIST CSV (validated exactly as readMnistCsv does) into a
 * danfo.js DataFrame with 785 int32 columns: `label`, then the pixels. The
 * column names are the file's header, or MNIST_CSV_HEADER if it has none.
 *
 * danfojs-node is loaded on first use (it takes about a second and pulls in
 * TensorFlow.js), which is why this is async.
 */
export async function loadMnistCsvDataFrame(
  path: string,
  options: MnistCsvDataFrameOptions = {},
): Promise<DataFrame> {
  const { images, labels, count, header } = readMnistCsv(path, options);
  // Named access on the namespace works both as ESM and as the CommonJS that
  // tslab compiles notebooks to; a default import does not (see report).
  const dfd = await import('danfojs-node');
  const rows: number[][] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: number[] = new Array(MNIST_CSV_COLUMNS);
    row[0] = labels[r];
    const base = r * MNIST_PIXELS;
    for (let j = 0; j < MNIST_PIXELS; j++) row[j + 1] = images[base + j];
    rows[r] = row;
  }
  const columns = header ? [...header] : [...MNIST_CSV_HEADER];
  return new dfd.DataFrame(rows, {
    columns,
    dtypes: columns.map(() => 'int32'),
    config: { lowMemoryMode: options.lowMemoryMode ?? false },
  });
}
