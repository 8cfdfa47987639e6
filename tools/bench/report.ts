/**
 * What `npm run bench` writes (build/bench.json) and how it reads as Markdown: the table it prints and the
 * section of docs/performance.md between the generated markers, so the doc's figures are one run's, as run.
 * Pure functions, and no TensorFlow.js: tests/bench-report.test.ts renders a fixture.
 */
export interface WorkloadResult {
  workload: string;
  unit: string;
  /** samples/s for training workloads, GFLOP/s for the operator workloads */
  throughput: number;
  samples: number;
  seconds: number;
  /** Processor time over the same span: cpuSeconds / seconds is the number of cores kept busy. */
  cpuSeconds: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

export interface BackendReport {
  backend: string;
  available: boolean;
  reason?: string;
  peakRssMiB?: number;
  /** On wasm: whether the course's kernels used the native BLAS addon (src/kernels/native-blas.ts). */
  nativeBlas?: string;
  results: WorkloadResult[];
}

export interface BenchReport {
  /** When the run finished (ISO 8601). */
  date: string;
  /** The checkout's commit, when it is a git checkout. */
  commit?: string;
  machine: { cpus: number; cpu?: string; memoryGiB: number; node: string; tfjs: string };
  maxSeconds: number;
  reports: BackendReport[];
}

export const BEGIN_MARKER = '<!-- bench:begin: written by npm run bench (tools/bench/report.ts) from build/bench.json; do not edit -->';
export const END_MARKER = '<!-- bench:end -->';

/** The run in one line: when, which commit, which machine and software, the time cap. */
export function runLine(run: BenchReport): string {
  const m = run.machine;
  const when = `${run.date.slice(0, 16).replace('T', ' ')} UTC${run.commit ? `, commit ${run.commit}` : ''}`;
  return `Run of ${when}: ${m.cpus} × ${m.cpu ?? 'unknown processor'}, ${m.memoryGiB} GiB, Node ${m.node}, TensorFlow.js ${m.tfjs}; each workload capped at ${run.maxSeconds} s.`;
}

/** The results as a Markdown table; each row of TensorFlow.js beside PyTorch's row of the same workload. */
export function benchTable(reports: BackendReport[]): string {
  const torch = reports.find((r) => r.backend.startsWith('pytorch') && r.available);
  // "cores busy" is processor time over wall time: both sides are meant to run on one core.
  const rows: string[][] = [['backend', 'workload', 'throughput', 'vs PyTorch', 'cores busy', 'tensors before→after', 'peak RSS']];
  for (const report of reports) {
    if (!report.available) {
      rows.push([report.backend, `not available: ${report.reason}`, '', '', '', '', '']);
      continue;
    }
    for (const r of report.results) {
      // "name [variant]" is compared with PyTorch's "name".
      const reference = torch?.results.find((t) => t.workload === r.workload.replace(/ \[.*\]$/, ''));
      rows.push([
        report.backend, r.workload, `${r.throughput.toFixed(r.throughput < 10 ? 2 : 0)} ${r.unit}`,
        reference && report !== torch ? `${(r.throughput / reference.throughput).toFixed(2)}×` : '',
        r.cpuSeconds === undefined ? '' : (r.cpuSeconds / r.seconds).toFixed(1),
        r.tensorsBefore === undefined ? '' : `${r.tensorsBefore}→${r.tensorsAfter}`,
        report.peakRssMiB ? `${report.peakRssMiB.toFixed(0)} MiB` : '',
      ]);
    }
  }
  const lines = rows.map((r) => `| ${r.join(' | ')} |`);
  lines.splice(1, 0, `| ${rows[0].map(() => '---').join(' | ')} |`);
  return lines.join('\n');
}

/** The doc's generated section: the run, what the addon was, and the table. */
export function benchSection(run: BenchReport): string {
  const blas = run.reports.filter((r) => r.nativeBlas).map((r) => `${r.backend}: ${r.nativeBlas}.`);
  return [runLine(run), ...blas, '', benchTable(run.reports)].join('\n');
}

/** `doc` with the text between its bench markers replaced by `section`. */
export function withBenchSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error(`docs/performance.md has lost its bench markers; put back the two lines\n${BEGIN_MARKER}\n${END_MARKER}\nwhere the tables go.`);
  return `${doc.slice(0, begin + BEGIN_MARKER.length)}\n${section}\n${doc.slice(end)}`;
}
