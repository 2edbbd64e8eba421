// The WASM engine runners: per-call (numeric methods, one command per call) and
// batch (command records copied into WASM memory, executeBatch). Both copy every
// event record out of WASM memory into a preallocated Float64Array, as a consumer would.
import { readFileSync } from 'node:fs';
import { initSync, Engine, wasmMemory } from '../../pkg/cift_engine.js';
import { COMMAND_STRIDE as CS, EVENT_STRIDE as ES, TRADE, percentiles } from './common.mjs';

let memory = null;

/** Instantiates the WASM module once (synchronously, from pkg/cift_engine_bg.wasm). */
export function loadWasm() {
  if (memory === null) {
    initSync({ module: readFileSync(new URL('../../pkg/cift_engine_bg.wasm', import.meta.url)) });
    memory = wasmMemory();
  }
  return memory;
}

/** Events copied out; grown (rarely) when one call returns more than it holds. */
let sink = new Float64Array(1 << 16);
/** A view of all of WASM memory; re-made when memory grows (the old view is detached, length 0). */
let heap = null;

/** Executes record `o` of `r` through the numeric method its kind names; returns the event count. */
function call(e, r, o) {
  switch (r[o]) {
    case 1:
      return e.newOrder(r[o + 1], r[o + 2], r[o + 3], r[o + 4], r[o + 5], r[o + 6], r[o + 7], r[o + 8], r[o + 9],
        r[o + 10], r[o + 11], r[o + 12], r[o + 13], r[o + 14], r[o + 15]);
    case 2:
      return e.cancel(r[o + 1], r[o + 2], r[o + 3], r[o + 4]);
    case 3:
      return e.replace(r[o + 1], r[o + 2], r[o + 3], r[o + 4], r[o + 9], r[o + 10]);
    case 4:
      return e.massCancel(r[o + 1], r[o + 2], r[o + 4], r[o + 5], r[o + 6]);
    case 5:
      return e.sessionEnd(r[o + 1], r[o + 2], r[o + 5]);
    case 6:
      return e.advanceTime(r[o + 1], r[o + 2]);
    case 7:
      return e.addInstrument(r[o + 1], r[o + 2], r[o + 5], r[o + 9], r[o + 10], r[o + 11], r[o + 12], r[o + 13],
        r[o + 14]);
    default:
      throw new Error(`unknown command kind ${r[o]} at record ${o / CS}`);
  }
}

/** Copies the last call's `n` events into `sink`; returns how many are trades. */
function readEvents(e, n) {
  if (heap.length === 0) heap = new Float64Array(memory.buffer);
  const base = e.eventsPtr() >>> 3;
  const len = n * ES;
  if (len > sink.length) sink = new Float64Array(len * 2);
  let trades = 0;
  for (let i = 0; i < len; i += ES) {
    const k = heap[base + i];
    trades += k === TRADE ? 1 : 0;
    sink[i] = k;
    for (let j = 1; j < ES; j++) sink[i + j] = heap[base + i + j];
  }
  return trades;
}

/** Runs records [from, to) one call each, untimed; returns [events, trades]. */
function perCallRange(e, r, from, to) {
  let events = 0;
  let trades = 0;
  for (let i = from; i < to; i++) {
    const n = call(e, r, i * CS);
    events += n;
    trades += readEvents(e, n);
  }
  return [events, trades];
}

/** Runs records [from, to) in batches of `batch`; per-batch wall times go to `lat` (ns per message). */
function batchRange(e, r, from, to, batch, lat) {
  let events = 0;
  let trades = 0;
  let busy = 0;
  let k = 0;
  for (let at = from; at < to; at += batch) {
    const n = Math.min(batch, to - at);
    const t0 = performance.now();
    const ptr = e.commandBuffer(n) >>> 3;
    if (heap.length === 0) heap = new Float64Array(memory.buffer);
    heap.set(r.subarray(at * CS, (at + n) * CS), ptr);
    const ne = e.executeBatch(n);
    if (heap.length === 0) heap = new Float64Array(memory.buffer);
    const base = e.eventsPtr() >>> 3;
    const len = ne * ES;
    if (len > sink.length) sink = new Float64Array(len * 2);
    sink.set(heap.subarray(base, base + len));
    const dt = performance.now() - t0;
    busy += dt;
    if (lat !== null) lat[k++] = (dt * 1e6) / n;
    events += ne;
    for (let i = 0; i < len; i += ES) trades += sink[i] === TRADE ? 1 : 0;
  }
  return [events, trades, busy];
}

/** A fresh engine that has applied the stream's setup records. */
function engineAfterSetup(r, setup) {
  const e = new Engine();
  heap = new Float64Array(memory.buffer);
  perCallRange(e, r, 0, setup);
  return e;
}

/**
 * Per-call benchmark: a warm-up pass over the whole stream on a throwaway engine, throughput passes
 * (one timer around the loop; the fastest of `repeat` is kept), then a latency pass timing every call
 * with performance.now() (call + eventsPtr + event copy-out; the figure includes one timer pair's cost).
 */
export function benchPerCall(r, setup, repeat) {
  loadWasm();
  const total = r.length / CS;
  const timed = total - setup;
  let e = engineAfterSetup(r, 0);
  perCallRange(e, r, 0, total);
  e.free();

  let events = 0;
  let trades = 0;
  let seconds = Infinity;
  for (let rep = 0; rep < repeat; rep++) {
    e = engineAfterSetup(r, setup);
    const t0 = performance.now();
    [events, trades] = perCallRange(e, r, setup, total);
    seconds = Math.min(seconds, (performance.now() - t0) / 1e3);
    e.free();
  }

  e = engineAfterSetup(r, setup);
  const lat = new Float64Array(timed);
  let latEvents = 0;
  for (let i = setup; i < total; i++) {
    const a = performance.now();
    const n = call(e, r, i * CS);
    readEvents(e, n);
    lat[i - setup] = (performance.now() - a) * 1e6;
    latEvents += n;
  }
  e.free();
  return { events, trades, latEvents, msgs_per_s: timed / seconds, lat_ns: percentiles(lat) };
}

/**
 * Batch benchmark: a warm-up pass, then `repeat` timed passes (the fastest is kept) where each batch
 * (copy commands in, executeBatch, copy events out) is timed; throughput = messages / summed batch
 * time, latency = batch time / batch size (amortized, one sample per batch).
 */
export function benchBatch(r, setup, batch, repeat) {
  loadWasm();
  const total = r.length / CS;
  const timed = total - setup;
  let e = new Engine();
  heap = new Float64Array(memory.buffer);
  batchRange(e, r, 0, total, batch, null);
  e.free();

  let best = null;
  for (let rep = 0; rep < repeat; rep++) {
    e = new Engine();
    heap = new Float64Array(memory.buffer);
    batchRange(e, r, 0, setup, batch, null);
    const lat = new Float64Array(Math.ceil(timed / batch));
    const [events, trades, busyMs] = batchRange(e, r, setup, total, batch, lat);
    e.free();
    if (best === null || busyMs < best.busyMs) best = { events, trades, busyMs, lat };
  }
  const msgsPerS = timed / (best.busyMs / 1e3);
  return { events: best.events, trades: best.trades, msgs_per_s: msgsPerS, lat_ns: percentiles(best.lat) };
}
