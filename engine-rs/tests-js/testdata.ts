// The bundled real market data (engine-rs/testdata) as the JS tests read it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzip } from '../../browser-sim/src/runtime/index.ts';

/** engine-rs/testdata. */
export const testdata = join(import.meta.dirname, '..', 'testdata');

/** The one file inside a zip under engine-rs/testdata, as text, read by the runtime's (Zip64-aware) unzip. */
export async function zipText(rel: string): Promise<string> {
  const entries = await unzip(readFileSync(join(testdata, rel)), rel);
  assert.equal(entries.size, 1, `${rel}: expected one file`);
  return Buffer.from([...entries.values()][0]).toString('latin1');
}
