/**
 * Terminal text as a terminal would finally show it. Progress bars redraw a line with `\r` (or erase it
 * with ESC[K) hundreds of times; the page shows only the last state. ANSI colours (tracebacks, coloured
 * logs) become spans with classes rather than escape garbage.
 */

import { escapeHtml } from '../../../src/notebook/escape-html';

/** One visible character and the escape sequences written just before it. */
interface Glyph {
  escapes: string;
  char: string;
}

const ESCAPE = /^\x1b\[[0-9;?]*[A-Za-z]/;

/** Applies \r, \b and erase-line to the text, keeping colour escapes attached to the characters. */
export function finalState(text: string): string {
  const lines: string[] = [];
  let line: Glyph[] = [];
  let cursor = 0;
  let pending = '';
  const flush = () => {
    lines.push(line.map((g) => g.escapes + g.char).join('') + pending);
    line = [];
    cursor = 0;
    pending = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\x1b') {
      const escape = ESCAPE.exec(text.slice(i))?.[0];
      if (escape) {
        i += escape.length - 1;
        // ESC[K / ESC[0K erase to the end of the line, ESC[2K the whole line; colours are kept.
        if (/^\x1b\[[02]?K$/.test(escape)) line = escape === '\x1b[2K' ? [] : line.slice(0, cursor);
        else if (escape.endsWith('m')) pending += escape;
        if (escape === '\x1b[2K') cursor = 0;
        continue;
      }
    }
    if (ch === '\n') flush();
    else if (ch === '\r') cursor = 0;
    else if (ch === '\b') cursor = Math.max(0, cursor - 1);
    else {
      line[cursor] = { escapes: pending, char: ch };
      pending = '';
      cursor++;
    }
  }
  if (line.length || pending) flush();
  else if (text.endsWith('\n')) lines.push('');
  return lines.join('\n');
}

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** ANSI SGR colours and bold to <span class="ansi-…">; every other escape is dropped. */
export function ansiToHtml(text: string): string {
  let html = '';
  let classes: string[] = [];
  let open = ''; // the classes of the span currently open, '' for none
  for (const part of text.split(/(\x1b\[[0-9;?]*[A-Za-z])/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (sgr) {
      for (const code of (sgr[1] || '0').split(';').map(Number)) {
        if (code === 0) classes = [];
        else if (code === 1) classes = [...classes.filter((c) => c !== 'ansi-bold'), 'ansi-bold'];
        else if (code === 22) classes = classes.filter((c) => c !== 'ansi-bold');
        else if (code === 39) classes = classes.filter((c) => !c.startsWith('ansi-fg'));
        else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) {
          classes = classes.filter((c) => !c.startsWith('ansi-fg')).concat(`ansi-fg-${COLOURS[code % 10]}`);
        }
      }
    } else if (part && !part.startsWith('\x1b')) {
      // Spans open only around text, so styles that change without text in between leave nothing behind.
      const wanted = classes.join(' ');
      if (wanted !== open) {
        if (open) html += '</span>';
        if (wanted) html += `<span class="${wanted}">`;
        open = wanted;
      }
      html += escapeHtml(part);
    }
  }
  return open ? `${html}</span>` : html;
}
