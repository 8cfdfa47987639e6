// Part of `npm run setup`: reads every dataset file once, so a corrupt or missing file is found now, with
// a message naming it, rather than in the middle of a lesson.
import { CourseError } from '../src/errors';
import { DatasetName, isDatasetInstalled, loadDataset } from '../src/data/mnist';

const OPTIONAL: Partial<Record<DatasetName, string>> = {
  'fashion-mnist': 'optional, used by lesson 7: `sudo apt-get install dataset-fashion-mnist`',
};

let ok = true;
for (const name of ['mnist', 'fashion-mnist'] as const) {
  if (!isDatasetInstalled(name) && OPTIONAL[name]) {
    console.log(`setup: ${name} is not installed (${OPTIONAL[name]})`);
    continue;
  }
  try {
    const { train, test } = loadDataset(name);
    console.log(`setup: ${name} is readable (${train.count} training + ${test.count} test images)`);
  } catch (error) {
    ok = false;
    console.error(`setup: ${error instanceof CourseError ? error.message : String(error)}`);
  }
}
process.exit(ok ? 0 : 1);
