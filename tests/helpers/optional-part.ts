/**
 * Tests that need a part a machine may lack (Chromium, NumPy, Fashion-MNIST, the course-blas addon,
 * bubblewrap) ask here whether to run. Call it where tests are declared (a file's top level or a
 * describe block), not inside a test:
 *
 *   const HAVE_NUMPY = optionalPart('NumPy', numpyWorks, installHint(SYSTEM_PARTS.numpy), { skips: 'the .npy interoperability tests' });
 *   describe.runIf(HAVE_NUMPY)(…)
 *
 * - present: returns true.
 * - missing, with COURSE_REQUIRE_ALL=1 (CI): declares a failing test that names the part, returns false.
 * - missing otherwise: prints one line naming the part, what is skipped and how to install it, records
 *   it for the summary that ends `npm test` (tools/test.ts), returns false.
 * - named in COURSE_EXPECT_ABSENT (a comma-separated list, for the CI pass on a machine without it):
 *   missing is what is wanted (returns false); present declares a failing test.
 */
import { it } from 'vitest';
import { recordSkip } from './skip-log';

export const REQUIRE_ALL_ENV = 'COURSE_REQUIRE_ALL';
export const EXPECT_ABSENT_ENV = 'COURSE_EXPECT_ABSENT';

/** Whether COURSE_EXPECT_ABSENT names `name`: this run is on a machine meant to be without it. */
export function partExpectedAbsent(name: string): boolean {
  const list = (process.env[EXPECT_ABSENT_ENV] ?? '').split(',').map((entry) => entry.trim().toLowerCase());
  return list.includes(name.toLowerCase());
}

/**
 * Whether the tests that need `name` can run here (see above).
 * @param install the command that installs it, e.g. installHint(SYSTEM_PARTS.numpy)
 * @param details.skips what a machine without it does not test, e.g. "the .npy interoperability tests"
 * @param details.why why it is not available, when "<name> is missing" would not say it
 */
export function optionalPart(name: string, available: boolean, install: string, details: { skips?: string; why?: string } = {}): boolean {
  const skipped = details.skips ?? 'the tests that need it';
  const why = details.why ?? `${name} is missing`;
  if (partExpectedAbsent(name)) {
    if (available) {
      it(`${name} is absent, as ${EXPECT_ABSENT_ENV} says`, () => {
        throw new Error(`${EXPECT_ABSENT_ENV} names ${name}, but ${name} is here: this run does not test a machine without it.`);
      });
      return true;
    }
    console.warn(`${name} is absent, as ${EXPECT_ABSENT_ENV} asks: not running ${skipped}.`);
    return false;
  }
  if (available) return true;
  if (process.env[REQUIRE_ALL_ENV] === '1') {
    it(`${name} is installed (${REQUIRE_ALL_ENV}=1)`, () => {
      throw new Error(`${why}, so ${skipped} cannot run. Install: ${install}`);
    });
    return false;
  }
  console.warn(`skipped ${skipped}: ${why}. Install: ${install}`);
  recordSkip({ part: name, skipped, why, install });
  return false;
}
