/**
 * Rich output for notebooks. tslab's public `display` sends one MIME type per
 * output; the course needs bundles (a plotly figure *and* an HTML fallback, a
 * metric as text *and* as JSON), so we talk to the kernel's display channel
 * directly. Outside a kernel (tests, benchmarks, scripts) the text/plain part
 * is printed instead, so every helper works everywhere.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

/** MIME type → content, as in Jupyter's display_data messages. */
export type MimeBundle = Record<string, unknown> & { 'text/plain': string };

type WriteDisplayData = (
  content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

/** tslab 1.0.22 keeps the current cell's display channel in this module. */
function kernelDisplayChannel(): WriteDisplayData | null {
  const require = createRequire(`${process.cwd()}/`);
  let modulePath: string;
  try {
    modulePath = require.resolve('tslab/dist/jupyter');
  } catch {
    return null;
  }
  // Only a running kernel has loaded this module; never load it ourselves.
  const loaded = require.cache[modulePath]?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined;
  return loaded?.lastWriteDisplayData ?? null;
}

/** True when this code runs inside a Jupyter kernel (tslab). */
export function inNotebook(): boolean {
  return kernelDisplayChannel() !== null;
}

/** Shows a bundle once. */
export function displayBundle(bundle: MimeBundle): void {
  const write = kernelDisplayChannel();
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else console.log(bundle['text/plain']);
}

/** A display that can be redrawn in place (progress bars, live plots). */
export interface LiveDisplay {
  show(bundle: MimeBundle): void;
}

/**
 * In a notebook the first `show` creates the output and later ones replace it;
 * the saved notebook keeps the final state. Outside a notebook each `show`
 * prints its text, so callers should throttle.
 */
export function liveDisplay(): LiveDisplay {
  const id = randomBytes(8).toString('hex');
  let shown = false;
  return {
    show(bundle) {
      const write = kernelDisplayChannel();
      if (!write) {
        console.log(bundle['text/plain']);
        return;
      }
      write({ data: bundle, metadata: {}, transient: { display_id: id } }, shown);
      shown = true;
    },
  };
}

export { escapeHtml } from './escape-html';
