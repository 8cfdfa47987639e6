/**
 * Finding and reading the students' notebooks. Nothing here trusts a submission: a link is not
 * followed (it could point at the teacher's solution or at a classmate's notebook), a file must be a
 * regular file of sensible size, and a notebook must have the shape the grader reads, or it is
 * reported with what is wrong. Each problem stays with its own notebook.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Notebook } from '../notebooks';

/** Larger than any notebook a lesson's exercises need, outputs included. */
export const MAX_NOTEBOOK_BYTES = 20 * 2 ** 20;

export interface Submission {
  file: string;
  student: string;
  /** Why this entry cannot be graded at all (a link, a device, ...). */
  problem?: string;
}

export class UsageError extends Error {}

/** Every notebook under the given paths, each with the student it belongs to. */
export function findSubmissions(paths: string[]): Submission[] {
  const found: Submission[] = [];
  for (const given of paths) {
    const root = resolve(given);
    if (!existsSync(root)) throw new UsageError(`${given} does not exist.`);
    // A path the teacher names is taken as given, links included; inside a folder, nothing is followed.
    if (statSync(root).isFile()) {
      found.push({ file: root, student: basename(root).replace(/\.ipynb$/, '') });
      continue;
    }
    for (const entry of entriesUnder(root)) {
      const parts = relative(root, entry.file).split(sep);
      found.push({ ...entry, student: parts.length > 1 ? parts[0] : basename(entry.file).replace(/\.ipynb$/, '') });
    }
  }
  return found;
}

function entriesUnder(folder: string): Array<{ file: string; problem?: string }> {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === '.ipynb_checkpoints' || entry.name === 'node_modules' ? [] : entriesUnder(path);
      if (entry.isSymbolicLink()) {
        let target = 'a missing file';
        try {
          target = statSync(path).isDirectory() ? 'a folder' : 'a file';
        } catch {
          // dangling
        }
        if (target !== 'a folder' && !entry.name.endsWith('.ipynb')) return [];
        return [{ file: path, problem: `is a symbolic link to ${target}, which the grader does not follow: hand in the notebook itself` }];
      }
      if (!entry.name.endsWith('.ipynb')) return [];
      return [{ file: path, problem: entry.isFile() ? undefined : 'is not a regular file' }];
    });
}

/** Reads a submission without following a link at its end, refusing anything but a regular file of sensible size. */
export function readSubmission(file: string, followLinks = false): Notebook {
  const fd = openSync(file, constants.O_RDONLY | (followLinks ? 0 : constants.O_NOFOLLOW) | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotebookProblem('it is not a regular file');
    if (stat.size > MAX_NOTEBOOK_BYTES) throw new NotebookProblem(`it is ${(stat.size / 2 ** 20).toFixed(0)} MiB, more than the ${MAX_NOTEBOOK_BYTES / 2 ** 20} MiB a notebook may have`);
    const bytes = Buffer.alloc(stat.size);
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new NotebookProblem(`it is not JSON (${(error as Error).message})`);
    }
    return validNotebook(parsed);
  } finally {
    closeSync(fd);
  }
}

/** A notebook the grader cannot read; the message says what is wrong with it. */
export class NotebookProblem extends Error {}

/**
 * The notebook, checked cell by cell for what the grader reads: every cell an object with a type
 * and a source (text or a list of lines), metadata an object, tags a list.
 */
export function validNotebook(value: unknown): Notebook {
  if (!isObject(value)) throw new NotebookProblem(`it is ${describe(value)}, not a notebook`);
  if (!Array.isArray(value.cells)) throw new NotebookProblem('it has no list of cells');
  if (value.metadata !== undefined && !isObject(value.metadata)) throw new NotebookProblem('its metadata is not an object');
  const cells = value.cells.map((cell: unknown, index: number) => {
    const where = `cell ${index + 1}`;
    if (!isObject(cell)) throw new NotebookProblem(`${where} is ${describe(cell)}, not a cell`);
    if (typeof cell.cell_type !== 'string') throw new NotebookProblem(`${where} has no cell_type`);
    const source = cell.source;
    const isText = typeof source === 'string' || (Array.isArray(source) && source.every((line) => typeof line === 'string'));
    if (!isText) throw new NotebookProblem(`${where} (${cell.cell_type}) has ${source === undefined ? 'no source' : 'a source that is not text'}`);
    if (cell.metadata !== undefined && !isObject(cell.metadata)) throw new NotebookProblem(`${where} has metadata that is not an object`);
    const metadata = (cell.metadata ?? {}) as Record<string, unknown>;
    if (metadata.tags !== undefined && !Array.isArray(metadata.tags)) throw new NotebookProblem(`${where} has tags that are not a list`);
    return { ...cell, cell_type: cell.cell_type, source: source as string | string[], metadata };
  });
  return { ...value, cells, metadata: (value.metadata ?? {}) as Notebook['metadata'], nbformat: Number(value.nbformat), nbformat_minor: Number(value.nbformat_minor) } as Notebook;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
