/**
 * A `fetch` that serves a folder of files under a URL, for loading a model
 * exactly the way a browser does: `tf.loadLayersModel(url, { fetchFunc })`
 * goes through TensorFlow.js's HTTP loader, which reads model.json and then
 * requests each weights file by its path relative to model.json's URL. If that
 * works here, the same folder works on a web server.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';

export interface FolderFetch {
  /** Has fetch's own type, so that it fits `tf.loadLayersModel`'s `fetchFunc`. */
  fetch: typeof globalThis.fetch;
  /** Every URL requested so far, in order. */
  requested: string[];
}

export function serveFolder(baseUrl: string, dir: string): FolderFetch {
  const prefix = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const requested: string[] = [];
  return {
    requested,
    fetch: async (input) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      requested.push(url);
      const relative = url.startsWith(prefix) ? normalize(url.slice(prefix.length)) : undefined;
      const file = relative && !relative.startsWith('..') ? join(dir, relative) : undefined;
      if (!file || !existsSync(file) || !statSync(file).isFile()) return new Response(`not found: ${url}`, { status: 404 });
      return new Response(readFileSync(file), { status: 200 });
    },
  };
}
