/**
 * The parts of the course a test run lacked (tests/helpers/optional-part.ts), gathered across vitest's
 * workers and its two runs into one file that tools/test.ts summarises at the end of `npm test`.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Set by tools/test.ts: the file where skipped parts are recorded, one JSON object a line. */
export const SKIP_LOG_ENV = 'COURSE_SKIP_LOG';

export interface SkippedPart {
  part: string;
  /** What was not tested, e.g. "the NumPy interoperability tests of .npy files". */
  skipped: string;
  /** Why the part is not available, e.g. "/usr/bin/python3 cannot import numpy". */
  why: string;
  install: string;
}

/** Records a skip where tools/test.ts asked for it (a test run outside npm test only prints it). */
export function recordSkip(entry: SkippedPart): void {
  const log = process.env[SKIP_LOG_ENV];
  if (log) appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

/** The parts recorded in `file`, each with everything that went untested for want of it. */
export function readSkips(file: string): Array<{ part: string; why: string; install: string; skipped: string[] }> {
  if (!existsSync(file)) return [];
  const byPart = new Map<string, { part: string; why: string; install: string; skipped: string[] }>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as SkippedPart;
    const part = byPart.get(entry.part) ?? { part: entry.part, why: entry.why, install: entry.install, skipped: [] };
    if (!part.skipped.includes(entry.skipped)) part.skipped.push(entry.skipped);
    byPart.set(entry.part, part);
  }
  return [...byPart.values()];
}
