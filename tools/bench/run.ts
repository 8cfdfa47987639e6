// `npm run bench`: the fixed workloads on every TensorFlow.js backend that loads (each in its own
// process, so that peak memory is its own), and in PyTorch where Debian's python3-torch is installed,
// all in one run. Prints a table, writes build/bench.json and puts the table in docs/performance.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_CHOICES, BackendChoice, selectBackend } from '../../src/backend';
import { NATIVE_BLAS_ENV_VAR } from '../../src/kernels/native-blas';
import { datasetFiles } from '../../src/data/mnist';
import { firstLine } from '../../src/errors';
import { REPO_ROOT } from '../jupyter.mjs';
import { benchSection, type BackendReport, type BenchReport, type WorkloadResult } from './report';
import { BENCH_JSON, currentCommit, writePerformanceDoc } from './write-doc';
import { WORKLOADS } from './workloads';

// `npm run bench -- grading`: the grader's throughput instead (./grading.ts).
if (process.argv[2] === 'grading') process.exit(await (await import('./grading')).runGradingBench(process.argv.slice(3)));

const { values } = parseArgs({
  options: {
    backend: { type: 'string' }, // internal: run the workloads on one backend and print JSON
    'max-seconds': { type: 'string', default: '20' },
    backends: { type: 'string', default: BACKEND_CHOICES.join(',') },
    'torch-threads': { type: 'string', default: '1' },
  },
});
const maxSeconds = Number(values['max-seconds']);

async function benchOneBackend(choice: BackendChoice): Promise<void> {
  let report: BackendReport;
  try {
    const info = await selectBackend({ force: choice });
    const results: WorkloadResult[] = [];
    for (const workload of WORKLOADS) results.push(await workload.run(maxSeconds));
    const label = info.nativeBlas ? `tfjs-${info.choice} (${info.nativeBlas.active ? 'native BLAS' : 'pure wasm'})` : `tfjs-${info.choice}`;
    report = { backend: label, available: true, results, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
    if (info.nativeBlas) report.nativeBlas = info.nativeBlas.description;
  } catch (error) {
    // The backend's own reason ("… is not installed"), without the sentence around it.
    const message = firstLine(error);
    report = { backend: `tfjs-${choice}`, available: false, reason: /\(\S+: (.+)\)\.$/.exec(message)?.[1] ?? message, results: [] };
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  const child = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 16 << 20, env });
  if (child.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed:\n${child.stderr}`);
    return undefined;
  }
  return child.stdout.trim().split('\n').pop();
}

function torchReport(): BackendReport {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return { backend: 'pytorch', available: false, reason: "Debian's python3-torch is not installed", results: [] };
  const files = datasetFiles('mnist');
  const threads = values['torch-threads']!;
  // torch.set_num_threads does not reach the BLAS Debian's PyTorch calls for matrix products (OpenBLAS,
  // with its own thread pool): without these variables "1 thread" multiplied matrices on both cores.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
  const out = runChild('/usr/bin/python3', [
    join(REPO_ROOT, 'tools', 'bench', 'torch_workloads.py'), '--images', files.trainImages, '--labels', files.trainLabels,
    '--max-seconds', String(maxSeconds), '--threads', threads,
  ], env);
  return out
    ? { backend: `pytorch ${probe.stdout.trim()} (${threads} thread)`, available: true, results: JSON.parse(out) as WorkloadResult[] }
    : { backend: 'pytorch', available: false, reason: 'the PyTorch run failed (see above)', results: [] };
}

async function main(): Promise<void> {
  if (values.backend) return benchOneBackend(values.backend as BackendChoice);
  const reports: BackendReport[] = [];
  for (const choice of values.backends!.split(',') as BackendChoice[]) {
    console.error(`bench: ${choice}…`);
    const child = (env?: NodeJS.ProcessEnv) =>
      runChild(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'tools', 'bench', 'run.ts'), '--backend', choice, '--max-seconds', String(maxSeconds)], env);
    const out = child();
    if (!out) continue;
    const report = JSON.parse(out) as BackendReport;
    reports.push(report);
    if (report.backend.endsWith('(native BLAS)')) {
      // The same workloads without the addon, in the same run, so that the two paths compare under the same load.
      console.error(`bench: ${choice} without native BLAS…`);
      const pure = child({ ...process.env, [NATIVE_BLAS_ENV_VAR]: '0' });
      if (pure) reports.push(JSON.parse(pure) as BackendReport);
    }
  }
  console.error('bench: pytorch…');
  reports.push(torchReport());
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, tfjs: tf.version.tfjs };
  const run: BenchReport = { date: new Date().toISOString(), commit: currentCommit(), machine, maxSeconds, reports };
  mkdirSync(join(REPO_ROOT, 'build'), { recursive: true });
  writeFileSync(BENCH_JSON, `${JSON.stringify(run, null, 2)}\n`);
  console.log(benchSection(run));
  console.log(`\nWritten: build/bench.json and ${writePerformanceDoc(run)}'s tables`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
