// @ts-check
// Browser side of the cross-host test, imported by the page the test opens in Chromium. Loads the engine the way
// a web app does (`await init()`, which streams pkg/cift_engine_bg.wasm from the server) and replays every vector
// in both modes with replay.mjs. Uploads from headless Chromium are slow (~15 MB/s), so the page hands back each
// result's length and SHA-256 and keeps the bytes; the test asks for the bytes of a result (postResult) only when
// its digest differs from the native events', to report the first difference.
import init from '../../pkg/cift_engine.js';
import { replay, snapshotAfter } from './replay.mjs';

/** Results by key; their buffers are plain (never shared) ArrayBuffers, as fetch and digest require. */
/** @type {Map<string, Uint8Array<ArrayBuffer>>} */
const results = new Map();

/** @param {string} url */
async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** @param {Uint8Array<ArrayBuffer>} bytes */
async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * @param {ArrayBufferView} view
 * @returns {Uint8Array<ArrayBuffer>}
 */
function bytesOf(view) {
  return new Uint8Array(/** @type {ArrayBuffer} */ (view.buffer), view.byteOffset, view.byteLength);
}

/**
 * Replays every vector under `vectorsUrl`; returns `{ [key]: { bytes, sha256 } }` with keys `<name>.<mode>` and
 * `<name>.snapshot` (the snapshot after the snapshot vector's prefix).
 * @param {string} vectorsUrl
 */
export async function runAll(vectorsUrl) {
  await init();
  /** @type {{ vectors: { name: string, snapshot?: string, prefix?: string }[] }} */
  const manifest = await (await fetch(`${vectorsUrl}/manifest.json`)).json();
  for (const v of manifest.vectors) {
    const commands = new Float64Array((await fetchBytes(`${vectorsUrl}/${v.name}.commands.f64`)).buffer);
    const snapshot = v.snapshot ? await fetchBytes(`${vectorsUrl}/${v.snapshot}`) : undefined;
    for (const mode of /** @type {const} */ (['batch', 'percall'])) {
      results.set(`${v.name}.${mode}`, bytesOf(replay(undefined, commands, mode, snapshot)));
    }
    if (v.prefix) {
      const prefix = new Float64Array((await fetchBytes(`${vectorsUrl}/${v.prefix}`)).buffer);
      results.set(`${v.name}.snapshot`, bytesOf(snapshotAfter(undefined, prefix)));
    }
  }
  /** @type {Record<string, { bytes: number, sha256: string }>} */
  const summary = {};
  for (const [key, bytes] of results) summary[key] = { bytes: bytes.byteLength, sha256: await sha256(bytes) };
  return summary;
}

/**
 * Uploads one result's bytes to the test's server as POST /result/<key>.
 * @param {string} key
 */
export async function postResult(key) {
  const bytes = results.get(key);
  if (!bytes) throw new Error(`no result ${key}`);
  const res = await fetch(`/result/${key}`, { method: 'POST', body: bytes });
  if (!res.ok) throw new Error(`POST /result/${key}: ${res.status}`);
}
