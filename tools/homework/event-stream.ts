/**
 * The executor's events as they come out of a sandbox, where the student's code can write into them
 * too: one JSON object a line, read without ever holding more than a bounded amount.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { ExecutorEvent } from '../executor';

/** All a notebook run may print, events included; past it the run is stopped. */
export const MAX_OUTPUT_BYTES = 256 * 2 ** 20;
/** The longest event (a trained model as an answer is a few MB). */
export const MAX_EVENT_BYTES = 64 * 2 ** 20;

/**
 * Reads the executor's events, one JSON object a line, never holding more than MAX_EVENT_BYTES
 * of one line nor reading more than MAX_OUTPUT_BYTES in all: past either, `tooMuch` is called and
 * the rest is thrown away.
 */
export async function readEvents(
  child: ChildProcessWithoutNullStreams,
  onEvent: (event: ExecutorEvent) => void,
  tooMuch: (what: string) => void,
  damaged: () => void,
): Promise<void> {
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowing = false;
  const line = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    let event: ExecutorEvent;
    try {
      event = JSON.parse(text) as ExecutorEvent;
    } catch {
      if (text.startsWith('{"event"')) damaged();
      return;
    }
    if (typeof event !== 'object' || event === null || typeof event.event !== 'string') return;
    onEvent(event);
  };
  const chunks = async function* () {
    try {
      yield* child.stdout as AsyncIterable<Buffer>;
    } catch {
      // destroyed while the executor was gone: the end of the output
    }
  };
  for await (const chunk of chunks()) {
    if (overflowing) continue;
    total += chunk.length;
    if (total > MAX_OUTPUT_BYTES) {
      overflowing = true;
      tooMuch(`printed more than ${formatBytes(MAX_OUTPUT_BYTES)}`);
      continue;
    }
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, newline));
      line(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_EVENT_BYTES) {
        overflowing = true;
        tooMuch(`printed one output of more than ${formatBytes(MAX_EVENT_BYTES)}`);
      }
    }
  }
  if (pending.length && !overflowing) line(Buffer.concat(pending));
}

/** 2147483648 → "2 GiB". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(bytes % size === 0 ? 0 : 1))} ${unit}`;
  }
  return `${bytes} bytes`;
}
