/** How a lesson run looks on the terminal: cells as they start, their output, and a results table. */
import { formatNumber } from '../src/training/progress';
import { describeThreshold, LessonFile, LessonResults } from './notebooks';
import type { RunObserver } from './run-lesson';

const tty = Boolean(process.stdout.isTTY);
const color = (code: number) => (text: string) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const dim = color(2);
const red = color(31);
const green = color(32);

function indent(text: string): string {
  return text.replace(/\n$/, '').split('\n').map((line) => `    ${line}`).join('\n');
}

/** Prints the run as it happens. Displays redrawn in place (progress bars) are redrawn in place here too. */
export function terminalObserver(): RunObserver {
  let total = 0;
  let liveLine = false; // is the last printed line a redrawable display?
  const displays = new Map<string, string>();
  const print = (text: string) => {
    if (liveLine) process.stdout.write('\n');
    liveLine = false;
    console.log(text);
  };
  return {
    event(event) {
      switch (event.event) {
        case 'kernel_ready':
          total = event.code_cells;
          break;
        case 'cell_start': {
          const first = event.source.split('\n').find((l) => l.trim() && !l.trim().startsWith('//')) ?? '';
          print(dim(`[${event.number}/${total}] ${first.trim().slice(0, 90)}`));
          break;
        }
        case 'output': {
          const { content, type } = event;
          const id = content.transient?.display_id;
          const text = type === 'stream' ? content.text ?? '' : type === 'error' ? `${content.ename}: ${content.evalue}` : String(content.data?.['text/plain'] ?? '');
          if (!text.trim()) break;
          if (id) {
            displays.set(id, text);
            if (tty) {
              process.stdout.write(`${liveLine ? '\r\x1b[2K' : ''}${indent(text).split('\n').pop()}`);
              liveLine = true;
            }
            break;
          }
          print(content.name === 'stderr' ? red(indent(text)) : indent(text));
          break;
        }
        case 'cell_done':
          // Not a terminal (CI logs): show each live display once, in its final state.
          if (!tty) for (const text of displays.values()) print(indent(text));
          else if (liveLine) print('');
          displays.clear();
          break;
        case 'cell_failed':
          print(red(`    cell ${event.number} ${event.kind === 'timeout' ? 'timed out' : 'failed'}`));
          break;
        default:
          break;
      }
    },
  };
}

/** ", peak memory 687 MiB", or nothing where the run could not measure it. */
export function peakMemoryText(results: LessonResults): string {
  return results.peak_rss_mib === undefined ? '' : `, peak memory ${Math.round(results.peak_rss_mib)} MiB`;
}

/** The last lines of a run: every metric beside its threshold, then the verdict. */
export function resultsTable(lesson: LessonFile, results: LessonResults, executedPath: string): string {
  const lines = [''];
  lines.push(`Lesson ${lesson.number}: ${lesson.meta.title} — backend ${results.backend ?? 'unknown'}, ${results.seconds} s${peakMemoryText(results)}`);
  lines.push(`Executed notebook: ${executedPath}`);
  if (results.failure) lines.push(red(`Stopped: ${results.failure}`));
  const rows = results.checks.map((c) => [
    c.metric,
    c.value === undefined ? '—' : formatNumber(c.value),
    describeThreshold(c.threshold),
    c.passed ? green('ok') : red(`FAIL: ${c.metric} ${c.problem}`),
  ]);
  const header = ['metric', 'value', 'threshold', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i]).length)));
  const format = (row: string[]) => `  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join('  ')}`;
  lines.push(format(header), ...rows.map(format));
  lines.push(results.passed ? green(`PASSED lesson ${lesson.number}`) : red(`FAILED lesson ${lesson.number}`));
  return lines.join('\n');
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[\d+m/g, '');
}
