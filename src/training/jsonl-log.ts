/**
 * A training log as JSON lines: one JSON object per line, appended after each
 * epoch. Appending a line is cheap and never rewrites what is already there,
 * so a run that crashes keeps the record of every epoch it finished, and any
 * tool (a plot, `jq`, a spreadsheet) can read the file while training goes on.
 * This is the role TensorBoard's event files play in PyTorch.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataFileError } from '../errors';

export type LogRecord = Record<string, number | string | boolean | null>;

export class JsonLinesLog {
  /** Opens `file` for appending; `fresh` empties it first (a new run). */
  constructor(readonly file: string, options: { fresh?: boolean } = {}) {
    mkdirSync(dirname(file), { recursive: true });
    if (options.fresh || !existsSync(file)) writeFileSync(file, '');
  }

  append(record: LogRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  read<T extends LogRecord = LogRecord>(): T[] {
    return readJsonLines<T>(this.file);
  }
}

/** Every record of a JSON-lines file; a line that is not a JSON object is an error naming the file and line. */
export function readJsonLines<T extends LogRecord = LogRecord>(file: string): T[] {
  if (!existsSync(file)) throw new DataFileError(file, 'does not exist.');
  const records: T[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new DataFileError(file, `line ${i + 1} is not valid JSON: ${line.slice(0, 60)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataFileError(file, `line ${i + 1} is not a JSON object.`);
    }
    records.push(value as T);
  });
  return records;
}
