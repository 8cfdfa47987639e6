/**
 * The judge: a process of its own, started by the grader for each submission, in which no code of
 * the student's ever runs. It loads the lesson's check cells (sent by the grader, so they never
 * exist in the student's sandbox), draws each check's hidden inputs, and later judges the answers
 * that the student's probes sent, with its own built-ins, its own TensorFlow.js and the teacher's
 * reference. Its verdicts go back on its own standard output, which only the grader reads.
 *
 * Protocol, one JSON object a line:
 *   in   {"folder": "<writable folder with a src link>", "checks": [{"cell": 12, "source": "..."}]}
 *   out  {"event": "inputs", "cell": 12, "id": "huber-loss", "inputs": ...}  or  {"event": "broken", "cell": 12, "message": "..."}
 *   out  {"event": "ready"}
 *   in   {"answers": {"huber-loss": ...}}
 *   out  {"event": "verdict", "id": "huber-loss", "passed": false, "reason": "..."}  for each answer, then {"event": "done"}
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { judgeFailure } from '../../src/homework/checks';
import { registeredChecks, throughJson } from '../../src/homework/grading';

const send = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
// A check that prints must not break the protocol: everything but the protocol goes to stderr.
console.log = console.info = console.debug = console.error;

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the grader closed the connection');
    return JSON.parse(value as string) as unknown;
  };
  const request = (await nextLine()) as { folder: string; checks: Array<{ cell: number; source: string }> };
  const inputsById = new Map<string, unknown>();
  for (const { cell, source } of request.checks) {
    try {
      const before = new Set(registeredChecks().keys());
      const file = join(request.folder, `check-${cell}.ts`);
      writeFileSync(file, source);
      await import(pathToFileURL(file).href);
      const added = [...registeredChecks().keys()].filter((id) => !before.has(id));
      if (added.length !== 1) throw new Error(`a check cell must declare exactly one check with check(id, ...); this one declared ${added.length}`);
      const id = added[0];
      const inputs = throughJson(await registeredChecks().get(id)!.inputs());
      inputsById.set(id, inputs);
      send({ event: 'inputs', cell, id, inputs });
    } catch (error) {
      send({ event: 'broken', cell, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  send({ event: 'ready' });

  const { answers } = (await nextLine()) as { answers: Record<string, unknown> };
  for (const [id, answer] of Object.entries(answers)) {
    const check = registeredChecks().get(id);
    if (!check || !inputsById.has(id)) continue;
    try {
      await check.judge(inputsById.get(id), answer);
      send({ event: 'verdict', id, passed: true });
    } catch (error) {
      // Only a tampered answer reaches the judge in a shape its check does not expect.
      send({ event: 'verdict', id, passed: false, reason: judgeFailure(error) });
    }
  }
  send({ event: 'done' });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  },
);
