/**
 * The class list (`--roster students.csv`): who should have handed something in. A roster is the
 * teacher's file, but its names end up in file names and spreadsheets, so an id must be a plain name
 * (no folder, no formula); a bad row stops the run with the row and the fix.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { UsageError } from './submissions';

export interface RosterStudent {
  /** As the submissions name the student: the folder name (or the file name in a flat folder). */
  id: string;
  name?: string;
}

/** Letters, digits and . _ @ + -, starting with a letter or digit: safe as a file name and in a spreadsheet. */
export const PLAIN_ID = /^[\p{L}\p{N}][\p{L}\p{N}._@+-]{0,99}$/u;

/** Reads a CSV with a `student` column (and optionally `name`). */
export function readRoster(path: string): RosterStudent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--roster ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim().toLowerCase() });
  // A roster of one column has no delimiter to detect: that is fine.
  const problem = parsed.errors.find((e) => e.code !== 'UndetectableDelimiter');
  if (problem) throw new UsageError(`--roster ${path}, row ${(problem.row ?? 0) + 2}: ${problem.message}. Fix: save the roster as a plain CSV with a header row.`);
  const columns = parsed.meta.fields ?? [];
  if (!columns.includes('student')) {
    throw new UsageError(`--roster ${path} has no "student" column (its columns: ${columns.join(', ') || 'none'}). Fix: name the column of ids "student", as the submission folders are named.`);
  }
  const seen = new Set<string>();
  return parsed.data.map((row, index) => {
    const id = (row.student ?? '').trim();
    const where = `--roster ${path}, row ${index + 2}`;
    if (!PLAIN_ID.test(id)) {
      throw new UsageError(`${where}: the student id ${JSON.stringify(id)} is not a plain name. Fix: use letters, digits and . _ @ + - only, starting with a letter or digit (no folders, no formulas).`);
    }
    if (seen.has(id)) throw new UsageError(`${where}: the student id "${id}" is listed twice. Fix: list each student once.`);
    seen.add(id);
    const name = row.name?.trim();
    return name ? { id, name } : { id };
  });
}
