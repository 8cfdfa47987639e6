/** Failure messages from the kernel, as the reasons a student reads in the report. */
import { withoutStack } from '../executor';
import type { StudentOrigin } from './grading-notebook';

/** A failing student cell, in the words of the report; an untouched stub says so. */
export function describeStudentFailure(origin: StudentOrigin, message: string): string {
  const cell = `your code cell ${origin.codeCell} (\`${origin.firstLine}\`)`;
  if (/^Exercise: /.test(message.trim())) return `${cell} is not done yet: ${reasonFrom(message)}`;
  return `${cell} failed: ${reasonFrom(message)}`;
}

/**
 * A failure message as a reason: no stack trace, no "CheckFailed:" label, and
 * TypeScript's "line:column - " positions (they point into the hidden check) removed.
 */
export function reasonFrom(message: string): string {
  const lines = withoutSourceExcerpt(withoutStack(message))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.replace(/^CheckFailed: /, '').replace(/^Exercise: /, ''));
  const diagnostics = lines.filter((line) => /^\d+:\d+ - /.test(line)).map((line) => line.replace(/^\d+:\d+ - /, ''));
  if (diagnostics.length > 0) return `the code does not compile: ${[...new Set(diagnostics)].slice(0, 2).join(' ')}`.slice(0, 300);
  return (lines[0] ?? 'failed without a message').slice(0, 300);
}

/**
 * Node prefixes an error thrown from evaluated code with the line that threw:
 * "file:line", the source line, a "^" marker and a blank line. The error itself follows.
 */
function withoutSourceExcerpt(message: string): string {
  const lines = message.split('\n');
  if (!/:\d+$/.test(lines[0] ?? '')) return message;
  const marker = lines.findIndex((line) => /^\s*\^+\s*$/.test(line));
  return marker > 0 ? lines.slice(marker + 1).join('\n') : message;
}
