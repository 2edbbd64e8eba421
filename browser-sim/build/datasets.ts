// The bundled datasets: the runtime's real samples (runtime/loaders/samples.ts: SPY from engine-rs/testdata,
// BTCUSDT L2, vega-datasets' S&P 500) copied byte for byte into the build's `datasets/` at build time, so the page
// works offline and reads the very files the CLI reads, through the same `loadFile` (Zip64 archives included).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { SAMPLES } from '../src/runtime/loaders/samples.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** A sample's path in the build (datasets/<file name>). */
export function assetPath(samplePath: string): string {
  return `datasets/${samplePath.split('/').pop()}`;
}

/** Vite plugin: emits the samples into the build and serves them from the dev server. */
export function bundledDatasets(): Plugin {
  const files = new Map(SAMPLES.map((s) => [assetPath(s.path), `${repo}${s.path}`]));
  return {
    name: 'cift-bundled-datasets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const source = files.get((req.url ?? '').split('?')[0].replace(/^\//, ''));
        if (!source) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.end(readFileSync(source));
      });
    },
    generateBundle() {
      for (const [fileName, source] of files) this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
    },
  };
}
