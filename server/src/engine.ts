// Loads the engine's WebAssembly module (pkg/, npm package `cift-engine`) from
// its bytes with initSync, which works the same in Node, Deno and Bun (the
// fetch-based `init()` is for browsers).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Engine, initSync } from 'cift-engine';

export { Engine };

let loaded = false;

/** Instantiates the WebAssembly module once per process; later calls do nothing. */
export function loadEngineModule(): void {
  if (loaded) return;
  const wasm = fileURLToPath(import.meta.resolve('cift-engine/cift_engine_bg.wasm'));
  initSync({ module: readFileSync(wasm) });
  loaded = true;
}

/** A new, empty engine (loading the module first if needed). */
export function createEngine(): Engine {
  loadEngineModule();
  return new Engine();
}
