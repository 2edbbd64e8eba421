// @ts-check
// Child-process entry for the cross-host test: `deno run --allow-read --allow-write=<out> host-replay.mjs <vectors>
// <out>` or `bun host-replay.mjs <vectors> <out>`. Replays every vector of the manifest in both modes with
// replay.mjs and writes the raw event bytes as <out>/<name>.<mode>.f64 (and <name>.snapshot.bin for the snapshot
// vector's prefix); the Node test compares them with the native events. Uses only node: built-ins, which Deno and
// Bun both provide.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { replay, snapshotAfter } from './replay.mjs';

/** @param {string} path */
function readF64(path) {
  const bytes = readFileSync(path);
  // Copy into a fresh (8-aligned) buffer: a file buffer need not be aligned for a Float64Array view.
  return new Float64Array(new Uint8Array(bytes).buffer);
}

/** @param {ArrayBufferView} view */
function bytesOf(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

const [vectorsDir, outDir] = process.argv.slice(2);
if (!vectorsDir || !outDir) {
  console.error('usage: host-replay.mjs <vectors_dir> <out_dir>');
  process.exit(2);
}
const g = /** @type {{ Deno?: { version: { deno: string } }, Bun?: { version: string } }} */ (globalThis);
const host = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${process.versions.node}`;
const wasm = readFileSync(new URL('../../pkg/cift_engine_bg.wasm', import.meta.url));
/** @type {{ vectors: { name: string, snapshot?: string, prefix?: string }[] }} */
const manifest = JSON.parse(readFileSync(join(vectorsDir, 'manifest.json'), 'utf8'));
const t0 = performance.now();
for (const v of manifest.vectors) {
  const commands = readF64(join(vectorsDir, `${v.name}.commands.f64`));
  const snapshot = v.snapshot ? new Uint8Array(readFileSync(join(vectorsDir, v.snapshot))) : undefined;
  for (const mode of /** @type {const} */ (['batch', 'percall'])) {
    writeFileSync(join(outDir, `${v.name}.${mode}.f64`), bytesOf(replay(wasm, commands, mode, snapshot)));
  }
  if (v.prefix) {
    writeFileSync(join(outDir, `${v.name}.snapshot.bin`), snapshotAfter(wasm, readF64(join(vectorsDir, v.prefix))));
  }
}
console.log(`${host}: replayed ${manifest.vectors.length} vectors in ${(performance.now() - t0).toFixed(0)} ms`);
