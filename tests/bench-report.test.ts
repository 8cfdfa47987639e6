// docs/performance.md's tables are written by `npm run bench` from build/bench.json (tools/bench/report.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, benchSection, type BenchReport, END_MARKER, withBenchSection } from '../tools/bench/report';
import { PERFORMANCE_DOC } from '../tools/bench/write-doc';
import { REPO_ROOT } from '../tools/jupyter.mjs';

const run = JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'bench.json'), 'utf8')) as BenchReport;

describe('the bench report', () => {
  it('says which run it is and renders every backend beside PyTorch', () => {
    expect(benchSection(run).split('\n')).toEqual([
      'Run of 2026-11-30 06:12 UTC, commit abc1234: 2 × AMD EPYC 7B13, 24 GiB, Node v20.19.2, TensorFlow.js 4.22.0; each workload capped at 20 s.',
      'tfjs-wasm (native BLAS): OpenBLAS 0.3.21 (Zen), 1 thread.',
      '',
      '| backend | workload | throughput | vs PyTorch | cores busy | tensors before→after | peak RSS |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| tfjs-node | not available: @tensorflow/tfjs-node is not installed |  |  |  |  |  |',
      '| tfjs-wasm (native BLAS) | mlp 784-250-200-10, Adam, batch 64 | 11888 samples/s | 0.53× | 1.1 | 22→22 | 712 MiB |',
      "| tfjs-wasm (native BLAS) | mlp 784-250-200-10, Adam, batch 64 [the course's adam(), lessons 5-7] | 31471 samples/s | 1.40× | 1.2 | 20→20 | 712 MiB |",
      '| tfjs-wasm (native BLAS) | matmul 1024×1024 · 1024×1024 | 0.56 GFLOP/s |  | 1.0 | 2→2 | 712 MiB |',
      '| pytorch 1.13.0a0 (1 thread) | mlp 784-250-200-10, Adam, batch 64 | 22496 samples/s |  | 1.0 |  |  |',
    ]);
  });

  it('replaces only what lies between the markers', () => {
    const doc = `# Performance\n\nBefore.\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nAfter.\n`;
    const written = withBenchSection(doc, 'new table');
    expect(written).toBe(`# Performance\n\nBefore.\n\n${BEGIN_MARKER}\nnew table\n${END_MARKER}\n\nAfter.\n`);
    expect(withBenchSection(written, 'new table')).toBe(written);
  });

  it('refuses a doc whose markers are gone, saying how to put them back', () => {
    expect(() => withBenchSection('# Performance\n', 'table')).toThrow(/lost its bench markers/);
  });

  it('has its place in docs/performance.md, once', () => {
    const doc = readFileSync(PERFORMANCE_DOC, 'utf8');
    expect(doc.split(BEGIN_MARKER)).toHaveLength(2);
    expect(doc.split(END_MARKER)).toHaveLength(2);
  });
});
