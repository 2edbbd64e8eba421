// Shared helpers for the engine benchmark runners: stream loading, percentiles,
// timer calibration and runtime identification. Runs unchanged on Node, Deno and Bun.
import { readFileSync } from 'node:fs';
import process from 'node:process';

/** f64 slots per command record (engine-rs/src/wire.rs COMMAND_STRIDE). */
export const COMMAND_STRIDE = 16;
/** f64 slots per event record (engine-rs/src/wire.rs EVENT_STRIDE). */
export const EVENT_STRIDE = 14;
/** Event kind code of a trade (wire.rs event_kind::TRADE). */
export const TRADE = 4;

/** Reads a stream file of little-endian f64 command records into an aligned Float64Array. */
export function loadStream(path) {
  const bytes = readFileSync(path);
  const records = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(records.buffer).set(bytes);
  return records;
}

/** Nearest-rank p50/p99/p99.9 of `samples` (sorted in place). */
export function percentiles(samples) {
  samples.sort();
  const n = samples.length;
  const at = (q) => samples[Math.min(n, Math.max(1, Math.ceil(q * n))) - 1];
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999) };
}

/** The cost of one back-to-back pair of `performance.now()` calls, in ns: the floor under per-call figures. */
export function timerOverhead(pairs = 1_000_000) {
  const d = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) {
    const a = performance.now();
    const b = performance.now();
    d[i] = (b - a) * 1e6;
  }
  const p = percentiles(d);
  let min = Infinity;
  for (let i = 0; i < pairs; i++) if (d[i] > 0 && d[i] < min) min = d[i];
  return { ...round(p), resolution: Math.round(min * 10) / 10 };
}

/** Rounds every number of a flat object to 0.1. */
export function round(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k] = Math.round(v * 10) / 10;
  return out;
}

/** Which runtime this is, and its version. */
export function runtime() {
  if (globalThis.Deno) return { name: 'deno', version: globalThis.Deno.version.deno, v8: globalThis.Deno.version.v8 };
  if (globalThis.Bun) return { name: 'bun', version: globalThis.Bun.version };
  return { name: 'node', version: process.version, v8: process.versions.v8 };
}

/** Parses `--key value` pairs. */
export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}
