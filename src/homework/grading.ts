/**
 * A graded exercise's check comes in two cells, because code that runs in the student's process
 * can be changed by the student's code (`Math.abs`, `tf.Tensor.prototype`, these very helpers):
 *
 *   check cell  `check(id, { inputs, judge })`: draws the hidden inputs and judges an answer. When
 *               grading, it runs only in the judge, a separate process the student's code never
 *               touches, and never reaches the student's sandbox.
 *   probe cell  `await probe(id, (inputs) => answer)`: calls the student's code on the inputs and
 *               returns what it gave, as plain data. When grading, it runs in the student's
 *               sandbox after their cells; the answer travels to the judge as data.
 *
 * So a probe can only fail a check (its answer is wrong or missing), never pass one: only the judge
 * passes a check, on inputs it drew itself. In the lesson, both cells run in the lesson's kernel and
 * `probe` judges on the spot (through the same JSON round trip as grading), so `npm test` checks
 * every exercise end to end.
 */
import { readFileSync } from 'node:fs';
import { displayBundle } from '../notebook/display';
import { CheckFailed, describeFailure } from './checks';

/** The MIME type of a probe's answer in the kernel's output. */
export const ANSWER_MIME = 'application/vnd.course.answer+json';
/** Set by the grader in the student's sandbox: the JSON file with every check's hidden inputs, by id. */
export const GRADING_INPUTS_ENV = 'COURSE_GRADING_INPUTS';

export interface CheckDefinition<Inputs, Answer> {
  /**
   * The hidden inputs: what the probe gets, so nothing here may give the answer away. Seed any
   * randomness (createRng('check: …')), so that a submission always gets the same grade.
   */
  inputs(): Inputs | Promise<Inputs>;
  /**
   * Throws (with the `expect` helpers of ./checks) unless `answer` is right for `inputs`. The answer
   * is whatever the student's process sent: treat it as data of any shape, never as code.
   */
  judge(inputs: Inputs, answer: Answer): void | Promise<void>;
}

/**
 * What a probe sends: the answer, or why there is none. `byCheck` says the reason is the check's
 * own ("huberLoss is still the stub"), not an error of the probe's (a name the student never defined).
 */
export type AnswerReply = { id: string; value: unknown } | { id: string; failed: string; byCheck: boolean };

const registry = new Map<string, CheckDefinition<unknown, unknown>>();

/** Declares the check `id` (in a cell tagged "check"). */
export function check<Inputs, Answer>(id: string, definition: CheckDefinition<Inputs, Answer>): void {
  registry.set(id, definition as CheckDefinition<unknown, unknown>);
}

/** The checks declared so far in this process (the judge reads them). */
export function registeredChecks(): ReadonlyMap<string, CheckDefinition<unknown, unknown>> {
  return registry;
}

/** What JSON carries of a value: answers and inputs cross a process boundary as JSON. */
export function throughJson<T>(value: T): T {
  const text = JSON.stringify(value);
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

/**
 * The probe for check `id` (in a cell tagged "check" and "probe"): `answer` calls the student's
 * code on the inputs and returns plain data (numbers, arrays, objects; no tensors). While grading
 * it sends that answer to the grader; in the lesson it judges it here.
 */
export async function probe<Inputs>(id: string, answer: (inputs: Inputs) => unknown): Promise<void> {
  const inputsFile = process.env[GRADING_INPUTS_ENV];
  if (inputsFile) {
    displayBundle({ 'text/plain': `[answer to check ${id}]`, [ANSWER_MIME]: await replyTo(id, inputsFile, answer) });
    return;
  }
  const definition = registry.get(id);
  if (!definition) throw new Error(`No check "${id}" is declared: run the check cell above this one first.`);
  const inputs = throughJson(await definition.inputs()) as Inputs;
  await definition.judge(inputs, throughJson(await answer(inputs)));
}

async function replyTo<Inputs>(id: string, inputsFile: string, answer: (inputs: Inputs) => unknown): Promise<AnswerReply> {
  try {
    const all = JSON.parse(await whenWritten(inputsFile)) as Record<string, Inputs>;
    if (!(id in all)) return { id, failed: `the grader has no inputs for check "${id}"`, byCheck: true };
    return { id, value: throughJson(await answer(all[id])) };
  } catch (error) {
    return { id, failed: describeFailure(error), byCheck: error instanceof CheckFailed };
  }
}

/** The grader writes the inputs while the notebook starts (the judge draws them meanwhile): wait for them. */
async function whenWritten(file: string): Promise<string> {
  for (;;) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
