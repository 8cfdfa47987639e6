/**
 * A tiny static file server for the built site on 127.0.0.1 and a free port: the browser tests need
 * nothing more, and it starts in milliseconds (astro preview would start Vite).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.ipynb': 'application/x-ipynb+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
};

export interface StaticSite {
  url: string;
  close(): Promise<void>;
}

/** Serves root at base ('/' or '/<path>/', as a project page is served); anything outside base is a 404. */
export async function serveStatic(root: string, base = '/'): Promise<StaticSite> {
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const inside = pathname.startsWith(base) ? pathname.slice(base.length - 1) : undefined;
    let file = join(root, normalize(inside ?? '/').replace(/^(\.\.[/\\])+/, ''));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (inside === undefined || !existsSync(file)) {
      response.writeHead(404, { 'Content-Type': TYPES['.html'] });
      createReadStream(join(root, '404.html')).on('error', () => response.end()).pipe(response);
      return;
    }
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base.replace(/\/$/, '')}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
