/**
 * Files that replace the test sets' labels in a student's sandbox: the same format and count, every
 * label 0. Training on the test set, or reading its answers, is then impossible; the judge, which
 * tests a trained model, sees the real ones.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { datasetFiles } from '../../src/data/mnist';

let decoys: Array<{ from: string; to: string }> | undefined;
let decoyDir: string | undefined;
/** Each decoy and the real file it covers; made once per run, in a folder of the grader's own. */
export function testLabelDecoys(): Array<{ from: string; to: string }> {
  if (decoys) return decoys;
  decoyDir = mkdtempSync(join(tmpdir(), 'course-grader-'));
  decoys = [];
  for (const name of ['mnist', 'fashion-mnist'] as const) {
    let real: string;
    try {
      real = datasetFiles(name).testLabels;
    } catch {
      continue;
    }
    if (!existsSync(real)) continue;
    const gzipped = real.endsWith('.gz');
    const bytes = gzipped ? gunzipSync(readFileSync(real)) : readFileSync(real);
    const decoy = Buffer.alloc(bytes.length);
    bytes.copy(decoy, 0, 0, 8); // the header: magic number and count
    const path = join(decoyDir, `${name}-${basename(real)}`);
    writeFileSync(path, gzipped ? gzipSync(decoy) : decoy);
    decoys.push({ from: path, to: realpathSync(real) });
  }
  return decoys;
}

/** Removes the run's decoy files (the grader calls this when it is done). */
export function removeTestLabelDecoys(): void {
  if (decoyDir) rmSync(decoyDir, { recursive: true, force: true });
  decoys = undefined;
  decoyDir = undefined;
}
