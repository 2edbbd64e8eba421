// `/sim`: the built browser sandbox (browser-sim/dist, written by `npm run build:sim`), served as static files.
// The server never builds it itself: a build needs Vite and the dev dependencies, which a venue host may not
// have, and two requests must not race one build. Until it is built, /sim answers 503 saying how to build it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../app.ts';

/** Where `npm run build:sim` writes the sandbox (browser-sim/dist at the repo root). */
export const SIM_DIST: string = fileURLToPath(new URL('../../../browser-sim/dist', import.meta.url));

/** Content types of what a Vite build emits; `nosniff` is on, so each must be right (wasm streaming needs its own). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
  '.jsonl': 'application/x-ndjson',
};

const NOT_BUILT = (dir: string) =>
  `The browser sandbox is not built (no ${dir}/index.html).\n` +
  'Build it from the repo root with `npm run build:sim`, then reload /sim/.\n';

/** Serves the sandbox built in `dir` under /sim/ (index.html at /sim/; /sim redirects there so relative URLs resolve). */
export function registerSimRoutes(app: App, dir: string = SIM_DIST): void {
  const root = resolve(dir);
  app.get('/sim', (c) => c.redirect('/sim/', 301));
  app.get('/sim/*', (c) => {
    if (!existsSync(resolve(root, 'index.html'))) return c.text(NOT_BUILT(root), 503);
    const rel = decodeURIComponent(c.req.path.slice('/sim/'.length)) || 'index.html';
    const file = resolve(root, rel);
    // Only files inside the build: `..` or an absolute path in the URL never reaches the rest of the disk.
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return c.text(`not found: ${c.req.path}\n`, 404);
    }
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    // Vite fingerprints everything under assets/, so those never change; the page itself must always revalidate.
    const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(readFileSync(file), 200, { 'content-type': type, 'cache-control': cache });
  });
}
