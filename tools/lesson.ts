// `npm run lesson -- <n>`: execute lesson n headless through the tslab kernel, as a student's Jupyter would.
// Exits 1 if a cell fails or hangs past its time limit, or a metric misses its threshold.
import { parseArgs } from 'node:util';
import { findLesson } from './notebooks';
import { resultsTable, terminalObserver } from './report';
import { runLesson, seedRunOptions, SetupError } from './run-lesson';
import { stopOnSignals } from './stop-on-signals';

const usage = 'usage: npm run lesson -- <lesson number or name> [--timeout <seconds per cell>] [--seed <n>]';

async function main(): Promise<number> {
  stopOnSignals('npm run lesson');
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { timeout: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    console.error(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
    return 2;
  }
  const seed = values.seed ?? process.env.COURSE_SEED;
  if (seed !== undefined && !/^\d{1,9}$/.test(seed.trim())) {
    console.error(`--seed must be a whole number from 0 to 999999999, not "${seed}".`);
    return 2;
  }
  const lesson = findLesson(positionals[0]);
  const expected = lesson.meta.expected_seconds;
  const duration = expected === undefined ? '' : expected < 90 ? `, about ${expected} s` : `, about ${Math.round(expected / 60)} min`;
  console.log(`Running lesson ${lesson.number}: ${lesson.meta.title} (${lesson.path}${duration} on a 2-core machine)`);
  const onSeed = seed === undefined ? {} : seedRunOptions(Number(seed.trim()));
  const run = await runLesson(lesson, { cellTimeoutSeconds: timeout, observer: terminalObserver(), ...onSeed });
  console.log(resultsTable(lesson, run.results, run.executedPath));
  return run.results.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof SetupError || error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
