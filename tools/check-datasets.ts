// Part of `npm run setup`: reads every installed dataset file once, so a corrupt file is found now, with a
// message naming it, rather than in the middle of a lesson. A missing Fashion-MNIST is not an error here:
// setup has already said what it costs and how to install it (tools/system-parts.mjs).
import { CourseError } from '../src/errors';
import { isDatasetInstalled, loadDataset } from '../src/data/mnist';

let ok = true;
for (const name of ['mnist', 'fashion-mnist'] as const) {
  if (name === 'fashion-mnist' && !isDatasetInstalled(name)) continue;
  try {
    const { train, test } = loadDataset(name);
    console.log(`setup: ${name} is readable (${train.count} training + ${test.count} test images)`);
  } catch (error) {
    ok = false;
    console.error(`setup: ${error instanceof CourseError ? error.message : String(error)}`);
  }
}
process.exit(ok ? 0 : 1);
