/**
 * A progress bar for training loops. In a notebook it is one output redrawn in
 * place (an HTML <progress> with a text twin for terminals and the saved
 * notebook); in a terminal it is cli-progress. Redraws are throttled so that
 * drawing never costs more than training.
 */
import { SingleBar, Presets } from 'cli-progress';
import { escapeHtml, inNotebook, liveDisplay, LiveDisplay } from '../notebook/display';

export type ProgressValues = Record<string, number | string>;

export interface ProgressOptions {
  /** Shown before the bar, e.g. "epoch 1/3". */
  label?: string;
  /** Minimum milliseconds between two redraws. */
  throttleMs?: number;
}

export class ProgressBar {
  private done = 0;
  private values: ProgressValues = {};
  private lastDraw = 0;
  private readonly startedAt = performance.now();
  private readonly notebook: LiveDisplay | undefined;
  private readonly terminal: SingleBar | undefined;
  private finished = false;

  constructor(readonly total: number, private readonly options: ProgressOptions = {}) {
    if (inNotebook()) {
      this.notebook = liveDisplay();
      this.draw();
    } else if (process.stderr.isTTY) {
      this.terminal = new SingleBar(
        { format: `${options.label ?? ''} [{bar}] {percentage}% {value}/{total} {extra} eta {eta}s`, hideCursor: true },
        Presets.shades_classic,
      );
      this.terminal.start(total, 0, { extra: '' });
    }
  }

  /** Advances by `steps` and optionally updates the numbers shown beside the bar. */
  tick(steps = 1, values?: ProgressValues): void {
    this.done = Math.min(this.total, this.done + steps);
    if (values) this.values = { ...this.values, ...values };
    const now = performance.now();
    if (now - this.lastDraw >= (this.options.throttleMs ?? 250)) this.draw();
  }

  /** Moves to `done` of the total (e.g. the examples seen so far) and optionally updates the numbers beside the bar. */
  update(done: number, values?: ProgressValues): void {
    this.tick(done - this.done, values);
  }

  /** Draws the final state; the bar then stays as a record of the run. */
  finish(values?: ProgressValues): void {
    if (this.finished) return;
    this.finished = true;
    if (values) this.values = { ...this.values, ...values };
    this.draw();
    this.terminal?.stop();
  }

  /** The bar as one line of text, e.g. `epoch 1 [#####-----] 50% 500/1000 loss 0.31 (2.1s)`. */
  text(): string {
    const width = 30;
    const fraction = this.total ? this.done / this.total : 1;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const label = this.options.label ? `${this.options.label} ` : '';
    return `${label}[${bar}] ${Math.round(fraction * 100)}% ${this.done}/${this.total}${this.extras()} (${this.elapsed()})`;
  }

  private extras(): string {
    return Object.entries(this.values)
      .map(([key, value]) => ` ${key} ${typeof value === 'number' ? formatNumber(value) : value}`)
      .join('');
  }

  private elapsed(): string {
    return `${((performance.now() - this.startedAt) / 1000).toFixed(1)}s`;
  }

  private draw(): void {
    this.lastDraw = performance.now();
    if (this.notebook) {
      const label = this.options.label ? `<b>${escapeHtml(this.options.label)}</b> ` : '';
      const html =
        `<div style="font-family:monospace">${label}<progress value="${this.done}" max="${this.total}" style="width:16em"></progress> ` +
        `${this.done}/${this.total}${escapeHtml(this.extras())} (${this.elapsed()})</div>`;
      this.notebook.show({ 'text/plain': this.text(), 'text/html': html });
    } else if (this.terminal) {
      this.terminal.update(this.done, { extra: this.extras().trim() });
    } else if (this.finished) {
      console.log(this.text()); // not a terminal (a log file, CI): one line per bar, when done
    }
  }
}

/** Four significant digits, scientific notation for very small or large values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}
