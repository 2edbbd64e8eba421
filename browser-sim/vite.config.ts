// Vite build of the sandbox: a static app with relative URLs (base './'), so the same build works from any path —
// the server's /sim/, a test's static server, or a file host. Everything is bundled (engine WASM, editor, charts,
// datasets); nothing is fetched from a CDN, so the page runs offline once loaded.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { bundledDatasets } from './build/datasets.ts';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [bundledDatasets()],
  // Workers import the engine and the runtime as ES modules (one chunk graph shared with the page).
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The engine's WASM is ~1 MB and CodeMirror is large; splitting them further buys nothing for a local app.
    chunkSizeWarningLimit: 2048,
    // Rolldown reports plugins that took long; on a shared 2-core machine that is noise in every test run.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
