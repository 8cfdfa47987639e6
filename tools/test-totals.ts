/**
 * The last line of `.ci/run`: every pass's counts since `npm test` began (build/test-results/), added up.
 * Exits 1 if any pass recorded a failure, or if no pass recorded anything.
 */
import { add, countsText, recordedCounts } from './test-runs';

const passes = recordedCounts();
for (const { pass, counts } of passes) console.log(`  ${pass}: ${countsText(counts)}`);
const total = add(...passes.map((p) => p.counts));
console.log(`ci: ${countsText(total)}`);
process.exit(passes.length > 0 && total.failed === 0 ? 0 : 1);
