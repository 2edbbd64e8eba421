// @ts-check
// Risk checks on versus off on the WASM build: replays the three command streams written by
// `cargo run --release -p cift-engine --example bench_risk -- <dir>` (checked, post-trade only, unmanaged) through
// executeBatch and reports commands per second, the ratios, and the nanoseconds the pre-trade checks (on - off)
// and the checks with the accounting (on - unmanaged) add per checked order.
// Usage: node engine-rs/bench-js/risk.mjs [dir] [--json]   (default target/bench; --json: one JSON line, for
// `npm run bench:engine`)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync, Engine, wasmMemory, commandStride } from '../../pkg/cift_engine.js';

const root = new URL('../../', import.meta.url);
const args = process.argv.slice(2);
const json = args.includes('--json');
const dir = args.find((a) => !a.startsWith('--')) ?? new URL('target/bench', root).pathname;
initSync({ module: readFileSync(new URL('pkg/cift_engine_bg.wasm', root)) });
const STRIDE = commandStride();
const RUNS = 7;
const CHUNK = 4096;

/** @param {string} name */
function load(name) {
  return new Float64Array(new Uint8Array(readFileSync(join(dir, name))).buffer);
}

/** Runs every record on a fresh engine; returns milliseconds. @param {Float64Array} commands */
function run(commands) {
  const engine = new Engine();
  const total = commands.length / STRIDE;
  const t0 = performance.now();
  for (let at = 0; at < total; at += CHUNK) {
    const n = Math.min(CHUNK, total - at);
    const ptr = engine.commandBuffer(n);
    new Float64Array(wasmMemory().buffer, ptr, n * STRIDE).set(commands.subarray(at * STRIDE, (at + n) * STRIDE));
    engine.executeBatch(n);
  }
  const ms = performance.now() - t0;
  engine.free();
  return ms;
}

/** @param {number[]} xs */
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

const SIDES = ['on', 'off', 'unmanaged'];
const streams = SIDES.map((side) => load(`risk_${side}.commands.f64`));
const { checkedOrders } = JSON.parse(readFileSync(join(dir, 'risk_bench.json'), 'utf8'));
for (const s of streams) run(s);
/** @type {number[][]} */
const times = SIDES.map(() => []);
// Interleaved, so drift in the machine's speed hits every setup alike.
for (let i = 0; i < RUNS; i++) streams.forEach((s, k) => times[k].push(run(s)));
const [mOn, mOff, mBare] = times.map(median);
const [nOn, nOff, nBare] = streams.map((s) => s.length / STRIDE);
const [rOn, rOff, rBare] = [nOn / mOn, nOff / mOff, nBare / mBare].map((r) => r * 1e3);
const nsPerCheck = ((mOn - mOff) * 1e6) / checkedOrders;
const nsLayer = ((mOn - mBare) * 1e6) / checkedOrders;
if (json) {
  console.log(JSON.stringify({
    runtime: `node ${process.versions.node}`,
    commands_on: nOn,
    commands_off: nOff,
    commands_unmanaged: nBare,
    checked_orders: checkedOrders,
    runs: RUNS,
    on_ms: mOn,
    off_ms: mOff,
    unmanaged_ms: mBare,
    on_cmds_per_s: Math.round(rOn),
    off_cmds_per_s: Math.round(rOff),
    unmanaged_cmds_per_s: Math.round(rBare),
    on_over_off: rOn / rOff,
    on_over_unmanaged: rOn / rBare,
    ns_per_checked_order: nsPerCheck,
    ns_per_order_checks_and_accounting: nsLayer,
  }));
  process.exit(0);
}
const line = (/** @type {number} */ r, /** @type {number} */ ms) => `${(r / 1e6).toFixed(2)} M commands/s (${ms.toFixed(1)} ms)`;
console.log(`node ${process.versions.node}, wasm`);
console.log(`wasm risk on (checked):       ${line(rOn, mOn)}`);
console.log(`wasm risk off (post-trade):   ${line(rOff, mOff)}`);
console.log(`wasm unmanaged (no accounts): ${line(rBare, mBare)}`);
console.log(`wasm risk-on / risk-off throughput: ${(rOn / rOff).toFixed(3)} (checks: ${nsPerCheck.toFixed(1)} ns per checked order)`);
console.log(`wasm risk-on / unmanaged throughput: ${(rOn / rBare).toFixed(3)} (checks and accounting: ${nsLayer.toFixed(1)} ns per checked order)`);
