// Grading needs the sandbox: bubblewrap, root and control groups (tools/homework/sandbox.ts says which is missing).
import { sandboxProblem } from '../../tools/homework/sandbox';
import { optionalPart } from './optional-part';

/** Whether the grader's sandbox works here; call it where tests are declared (see optionalPart). */
export function haveGraderSandbox(skips: string): boolean {
  const sandbox = sandboxProblem();
  return optionalPart('bubblewrap', !sandbox, sandbox?.fix ?? '', {
    skips,
    why: sandbox && `the grader's sandbox is not available: ${sandbox.problem}`,
  });
}
