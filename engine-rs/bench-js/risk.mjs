// @ts-check
// Risk-on versus risk-off on the WASM build: replays the two command streams written by
// `cargo run --release -p cift-engine --example bench_risk -- <dir>` through executeBatch and reports commands per
// second, the ratio, and the nanoseconds the pre-trade checks and the accounting add per checked order.
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

const off = load('risk_off.commands.f64');
const on = load('risk_on.commands.f64');
const { checkedOrders } = JSON.parse(readFileSync(join(dir, 'risk_bench.json'), 'utf8'));
run(off);
run(on);
const tOff = [];
const tOn = [];
for (let i = 0; i < RUNS; i++) {
  tOff.push(run(off));
  tOn.push(run(on));
}
const [mOff, mOn] = [median(tOff), median(tOn)];
const nOff = off.length / STRIDE;
const nOn = on.length / STRIDE;
const rate = (/** @type {number} */ n, /** @type {number} */ ms) => (n / ms / 1e3).toFixed(2);
if (json) {
  console.log(JSON.stringify({
    runtime: `node ${process.versions.node}`,
    commands_off: nOff,
    commands_on: nOn,
    checked_orders: checkedOrders,
    runs: RUNS,
    off_ms: mOff,
    on_ms: mOn,
    off_cmds_per_s: Math.round((nOff / mOff) * 1e3),
    on_cmds_per_s: Math.round((nOn / mOn) * 1e3),
    on_over_off: (nOn / mOn) / (nOff / mOff),
    ns_per_checked_order: ((mOn - mOff) * 1e6) / checkedOrders,
  }));
  process.exit(0);
}
console.log(`node ${process.versions.node}, wasm`);
console.log(`wasm risk off: ${rate(nOff, mOff)} M commands/s (${mOff.toFixed(1)} ms)`);
console.log(`wasm risk on:  ${rate(nOn, mOn)} M commands/s (${mOn.toFixed(1)} ms)`);
console.log(`wasm risk-on / risk-off throughput: ${((nOn / mOn) / (nOff / mOff)).toFixed(3)}`);
console.log(`wasm checks + accounting: ${(((mOn - mOff) * 1e6) / checkedOrders).toFixed(1)} ns per checked order`);
