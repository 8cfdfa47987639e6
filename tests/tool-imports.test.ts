import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Whether importing `module` in a fresh Node process creates TensorFlow.js's engine (tfjs-core sets `_tfengine` when it loads). */
function loadsTensorFlow(module: string): boolean {
  const script = `await import(${JSON.stringify(module)}); process.stdout.write(String(globalThis._tfengine !== undefined));`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }) === 'true';
}

describe('tools that read notebooks', () => {
  it('import the runner without loading TensorFlow.js', () => {
    expect(loadsTensorFlow('./tools/run-lesson.ts')).toBe(false);
  });

  it('would see TensorFlow.js loaded through the lesson helpers (the check above can fail)', () => {
    expect(loadsTensorFlow('./src/lesson.ts')).toBe(true);
  });
});
