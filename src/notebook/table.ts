/**
 * A small table as notebook output: HTML for Jupyter, aligned text for the
 * terminal and the saved notebook's plain view.
 */
import { displayBundle, escapeHtml, MimeBundle } from './display';

export type Cell = string | number;

function show(value: Cell): string {
  return typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(4)) : value;
}

export function tableBundle(columns: string[], rows: Cell[][], caption?: string): MimeBundle {
  const text = [columns, ...rows.map((row) => row.map(show))];
  const widths = columns.map((_, c) => Math.max(...text.map((row) => String(row[c] ?? '').length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const plain = [...(caption ? [caption] : []), line(text[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map((row) => line(row as string[]))].join('\n');
  const cells = (row: Cell[], tag: string) => row.map((cell, c) => `<${tag} style="text-align:${c === 0 ? 'left' : 'right'}">${escapeHtml(show(cell))}</${tag}>`).join('');
  const html =
    `<table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}` +
    `<thead><tr>${cells(columns, 'th')}</tr></thead><tbody>${rows.map((row) => `<tr>${cells(row, 'td')}</tr>`).join('')}</tbody></table>`;
  return { 'text/plain': plain, 'text/html': html };
}

/** Shows a table; numbers are printed with four significant digits unless they are integers. */
export function showTable(columns: string[], rows: Cell[][], caption?: string): void {
  displayBundle(tableBundle(columns, rows, caption));
}
