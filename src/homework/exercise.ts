/**
 * What a student sees in place of a graded exercise's solution.
 *
 * `npm run homework -- build` replaces each solution with a stub such as
 *
 *     return todo('Exercise 6: return the mean Huber loss of `residuals` as a scalar.');
 *
 * Running the stub stops the cell with that one line, not with a stack trace:
 * tslab prints a thrown error with Node's `util.inspect`, and an error can say
 * how it wants to be inspected. The kernel keeps running, so the student can
 * fix the cell and run it again.
 */

/** The error a stub throws until the student replaces it. */
export class ExerciseNotDone extends Error {
  constructor(readonly instruction: string) {
    super(instruction);
    this.name = 'Exercise';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Marks code the student has to write. Its return type `never` fits wherever a value is expected. */
export function todo(instruction: string): never {
  throw new ExerciseNotDone(instruction);
}
