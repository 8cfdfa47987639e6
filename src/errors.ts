/**
 * The one error type the course throws on purpose. Its message always names
 * the thing that is wrong and, where there is one, the fix, so that a student
 * who sees only the last line of a notebook cell knows what to do next.
 */
export class CourseError extends Error {
  constructor(message: string, readonly fix?: string) {
    super(fix ? `${message}\n  Fix: ${fix}` : message);
    this.name = 'CourseError';
  }
}

/** A data file that exists but cannot be what it claims to be. */
export class DataFileError extends CourseError {
  constructor(readonly file: string, problem: string, fix?: string) {
    super(`${file}: ${problem}`, fix);
    this.name = 'DataFileError';
  }
}

/** The first line of an error's message (or of the thrown value), for a one-line reason. */
export function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
