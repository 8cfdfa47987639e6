// A real crash in the middle of saving: a child process saves checkpoints in a loop and is killed
// with SIGKILL (no chance to clean up) at different moments. Whatever the moment, the folder must
// hold one complete checkpoint: exactly one of the two models the child was saving.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler } from '../src/checkpoints/file-io-handler';

const root = mkdtempSync(join(tmpdir(), 'checkpoint-kill-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Starts the saving child, waits for `saves` completed saves plus `delayMs`, then SIGKILLs it. */
function saveAndKill(dir: string, saves: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('tests', 'fixtures', 'save-forever.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      const before = seen;
      seen += (chunk.toString().match(/saved/g) ?? []).length;
      if (before < saves && seen >= saves) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(seen) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });
}

describe('a save killed half-way', () => {
  it('always leaves a complete checkpoint of one of the models being saved', async () => {
    for (const delayMs of [0, 3, 7, 15]) {
      const dir = join(root, `run-${delayMs}`);
      const saves = await saveAndKill(dir, 3, delayMs);
      expect(saves).toBeGreaterThanOrEqual(3);
      const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
      const [kernel, bias] = loaded.getWeights().map((w) => Array.from(w.dataSync()));
      const seed = kernel[0];
      expect([1, 2]).toContain(seed);
      expect(kernel.every((v) => v === seed)).toBe(true); // no mixture of two saves, no zeros from a short file
      expect(bias.every((v) => v === -seed)).toBe(true);
      loaded.dispose();
    }
  }, 120_000);
});
