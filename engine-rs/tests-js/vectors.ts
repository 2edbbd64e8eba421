// Loads the vectors written by `cargo run -p cift-engine --example vectors -- <dir>` for the JS tests.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_STRIDE, EVENT_STRIDE, firstDifference } from './replay.mjs';

/** The repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
/** Where the vectors are: $CIFT_VECTORS_DIR, or target/vectors. */
export const vectorsDir = resolve(process.env.CIFT_VECTORS_DIR ?? join(root, 'target/vectors'));
/** The WASM module bytes every Node-side test instantiates. */
export const wasmBytes = readFileSync(join(root, 'pkg/cift_engine_bg.wasm'));

/** One entry of manifest.json. */
interface ManifestEntry {
  name: string;
  commands: number;
  events: number;
  snapshot?: string;
  prefix?: string;
  prefixCommands?: number;
}

/** A vector with its files loaded. */
export interface Vector {
  name: string;
  commands: Float64Array;
  /** The native engine's events for `commands`. */
  events: Float64Array;
  /** Engine state to start from (the snapshot vector). */
  snapshot?: Uint8Array;
  /** Commands that, run from empty, produce `snapshot`. */
  prefix?: Float64Array;
}

/** A file as a Float64Array, copied so the view is 8-aligned. */
export function readF64(path: string): Float64Array {
  return new Float64Array(new Uint8Array(readFileSync(path)).buffer);
}

/** Loads every vector of the manifest, checking the counts it states. */
export function loadVectors(): Vector[] {
  const manifestPath = join(vectorsDir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(
      `no test vectors at ${vectorsDir}: run \`cargo run --release -q -p cift-engine --example vectors -- target/vectors\``,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    commandStride: number;
    eventStride: number;
    vectors: ManifestEntry[];
  };
  assert.equal(manifest.commandStride, COMMAND_STRIDE);
  assert.equal(manifest.eventStride, EVENT_STRIDE);
  return manifest.vectors.map((m) => {
    const v: Vector = {
      name: m.name,
      commands: readF64(join(vectorsDir, `${m.name}.commands.f64`)),
      events: readF64(join(vectorsDir, `${m.name}.events.f64`)),
    };
    assert.equal(v.commands.length, m.commands * COMMAND_STRIDE, `${m.name}: command count`);
    assert.equal(v.events.length, m.events * EVENT_STRIDE, `${m.name}: event count`);
    assert.ok(m.events > 0, `${m.name}: a vector without events proves nothing`);
    if (m.snapshot) v.snapshot = new Uint8Array(readFileSync(join(vectorsDir, m.snapshot)));
    if (m.prefix) {
      v.prefix = readF64(join(vectorsDir, m.prefix));
      assert.equal(v.prefix.length, (m.prefixCommands ?? -1) * COMMAND_STRIDE, `${m.name}: prefix count`);
    }
    return v;
  });
}

/** Fails with the first differing slot when two event streams are not bit-identical. */
export function assertSameEvents(label: string, expected: Float64Array, actual: Float64Array): void {
  const d = firstDifference(expected, actual);
  if (d) assert.fail(`${label}: ${d.message}`);
}

/** Fails unless two byte strings are identical, naming the first differing byte. */
export function assertSameBytes(label: string, expected: Uint8Array, actual: Uint8Array): void {
  if (Buffer.compare(expected, actual) === 0) return;
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  assert.fail(`${label}: first difference at byte ${i} (${expected[i]} vs ${actual[i]}); lengths ${expected.length} vs ${actual.length}`);
}
