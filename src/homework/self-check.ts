/**
 * A graded exercise's self-check: public checks the student runs in their own notebook, after
 * their code, on visible examples whose expected answers are written out in the cell. Each public
 * check calls the student's code and judges what it gave with the same code as the grader's hidden
 * check (./exercises/*), so a failure reads in the grader's words; only the inputs differ, and the
 * reference that computes the hidden answers stays with the teacher.
 *
 *     await selfCheck('Exercise 6', 'huberLoss', [{ check: huberLossValues, description, examples, expected }]);
 *
 * It prints one line a check, passed or failed with the reason, and then, if any failed, stops the
 * cell with one line (no stack trace), so that a lesson run (`npm test`) fails on it too.
 */
import { CheckFailed, describeFailure, judgeFailure } from './checks';
import { throughJson } from './grading';

/** One check of an exercise, as the grader's probe and judge and the self-check all run it. */
export interface ExerciseCheck<Student, Inputs, Expected> {
  /** Calls the student's code (`student()` returns it) on `inputs`; returns plain data, the probe's answer. */
  answer(student: () => Student, inputs: Inputs): unknown;
  /** Throws a CheckFailed, whose message is the reason, unless `answer` is right; `expected` is the reference's answer on `inputs`. */
  judge(inputs: Inputs, expected: Expected, answer: unknown): void | Promise<void>;
}

/** A public check: visible examples and what the reference gives on them. */
export interface PublicCheck<Student, Inputs, Expected> {
  check: ExerciseCheck<Student, Inputs, Expected>;
  /** What it verifies, as the list says it. */
  description: string;
  examples: Inputs;
  expected: Expected;
}

/** Some public checks failed; the list above the error says which and why. Shown in one line, as a CheckFailed. */
export class SelfCheckFailed extends CheckFailed {
  constructor(message: string) {
    super(message);
    this.name = 'Self-check';
  }
}

/** Runs one public check: the reason it fails, or undefined when it passes. */
async function failureOf<Student, Inputs, Expected>(student: () => Student, { check, examples, expected }: PublicCheck<Student, Inputs, Expected>): Promise<string | undefined> {
  const inputs = throughJson(examples);
  let answer: unknown;
  try {
    // The answer crosses JSON as it does on its way to the grader's judge.
    answer = throughJson(await check.answer(student, inputs));
  } catch (error) {
    return describeFailure(error);
  }
  try {
    await check.judge(inputs, throughJson(expected), answer);
    return undefined;
  } catch (error) {
    return judgeFailure(error);
  }
}

/**
 * The notebook's value of `name`, read when a check calls it. The self-check names the student's code
 * instead of referring to it, because a cell that stopped (as the exercise's cell does until it is
 * done) leaves its names out of the types of later cells, which then do not compile; tslab 1.0.22
 * still keeps their values, here.
 */
function notebookValue(name: string): unknown {
  const names = (globalThis as { __tslab__?: { exports?: Record<string, unknown> } }).__tslab__?.exports;
  // A `const` whose cell stopped before assigning it is there, as undefined.
  if (names?.[name] === undefined) throw new CheckFailed(`${name} is not defined: run the exercise's cell above first (until the exercise is done, it stops with its instruction)`);
  return names[name];
}

/** Runs the exercise's public checks on the student's `name` and prints what passes and what fails, and why. */
export async function selfCheck(exercise: string, name: string, checks: Array<PublicCheck<any, any, any>>): Promise<void> {
  const student = () => notebookValue(name);
  const lines = [`Self-check of ${exercise}, on the examples in this cell (the grader uses others):`];
  let failed = 0;
  // Asked once, before any check: calls through studentCall or throwsOn would take its absence for the student's error.
  let missing: string | undefined;
  try {
    student();
  } catch (error) {
    missing = describeFailure(error);
  }
  for (const publicCheck of checks) {
    const reason = missing ?? (await failureOf(student, publicCheck));
    if (reason !== undefined) failed += 1;
    lines.push(reason === undefined ? `  ✓ ${publicCheck.description}` : `  ✗ ${publicCheck.description}: ${reason}`);
  }
  console.log(lines.join('\n'));
  if (failed > 0) throw new SelfCheckFailed(`${failed} of ${checks.length} checks failed (see the list above).`);
}
