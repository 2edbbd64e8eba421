// @ts-check
// Replays wire-format command records against the WASM engine and returns the event records. Plain ESM with no
// host APIs, so Node, Deno, Bun and a browser page all run this very file against the same pkg/ build.
import { initSync, Engine, wasmMemory, commandStride, eventStride } from '../../pkg/cift_engine.js';

/** f64 slots per command record (see engine-rs/src/wire.rs). */
export const COMMAND_STRIDE = 16;
/** f64 slots per event record. */
export const EVENT_STRIDE = 14;

/** Records per executeBatch call in 'batch' mode: odd-sized, so chunk edges fall mid-scenario. */
const BATCH_CHUNK = 4093;

/**
 * @typedef {BufferSource | WebAssembly.Module} WasmSource
 * @typedef {'batch' | 'percall'} Mode
 */

/**
 * Instantiates the WASM module from bytes or a compiled module (a no-op once it is instantiated, e.g. after
 * `await init()` in a browser, which is what passing `undefined` expects) and checks the strides match.
 * @param {WasmSource | undefined} wasm
 */
export function load(wasm) {
  if (wasm !== undefined) initSync({ module: wasm });
  if (commandStride() !== COMMAND_STRIDE || eventStride() !== EVENT_STRIDE) {
    throw new Error(`wire strides changed: commands ${commandStride()}, events ${eventStride()}`);
  }
}

/** A growable Float64Array that event records are copied into. */
class Sink {
  constructor() {
    this.buf = new Float64Array(1 << 16);
    this.len = 0;
  }

  /** @param {Float64Array} values */
  push(values) {
    if (this.len + values.length > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + values.length) cap *= 2;
      const next = new Float64Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(values, this.len);
    this.len += values.length;
  }

  result() {
    return this.buf.slice(0, this.len);
  }
}

/**
 * The event records of the engine's last call. Memory may have grown during the call, so the view is taken afresh.
 * @param {Engine} engine
 * @param {number} count
 */
export function eventsView(engine, count) {
  return new Float64Array(wasmMemory().buffer, engine.eventsPtr(), count * EVENT_STRIDE);
}

/**
 * Executes command records through executeBatch, in chunks; returns the number of events each chunk produced
 * through `onEvents`.
 * @param {Engine} engine
 * @param {Float64Array} commands
 * @param {(events: Float64Array) => void} onEvents
 * @param {number} [chunk]
 */
export function runBatch(engine, commands, onEvents, chunk = BATCH_CHUNK) {
  const total = commands.length / COMMAND_STRIDE;
  for (let at = 0; at < total; at += chunk) {
    const n = Math.min(chunk, total - at);
    const ptr = engine.commandBuffer(n);
    new Float64Array(wasmMemory().buffer, ptr, n * COMMAND_STRIDE).set(
      commands.subarray(at * COMMAND_STRIDE, (at + n) * COMMAND_STRIDE),
    );
    onEvents(eventsView(engine, engine.executeBatch(n)));
  }
}

/**
 * Executes one command record through the numeric per-call method of its kind. A record whose kind no method
 * expresses (an unknown or malformed kind code) goes through a one-record batch, which is how a host would have
 * to send it. Returns the number of events.
 * @param {Engine} engine
 * @param {Float64Array} r one record of COMMAND_STRIDE slots
 */
export function callOne(engine, r) {
  switch (r[0]) {
    case 1:
      return engine.newOrder(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
    case 2:
      return engine.cancel(r[1], r[2], r[3], r[4]);
    case 3:
      return engine.replace(r[1], r[2], r[3], r[4], r[9], r[10]);
    case 4:
      return engine.massCancel(r[1], r[2], r[4], r[5], r[6]);
    case 5:
      return engine.sessionEnd(r[1], r[2], r[5]);
    case 6:
      return engine.advanceTime(r[1], r[2]);
    case 7:
      return engine.addInstrument(r[1], r[2], r[5], r[9], r[10], r[11], r[12], r[13], r[14]);
    case 8:
      return engine.deposit(r[1], r[2], r[4], r[9]);
    case 9:
      return engine.withdraw(r[1], r[2], r[4], r[9]);
    case 10:
      return engine.setAccountLimits(r[1], r[2], r[4], r[9], r[10], r[11], r[12], r[6], r[7], r[8], r[15]);
    case 11:
      return engine.setInstrumentLimits(r[1], r[2], r[4], r[5], r[9], r[10], r[11], r[12], r[7], r[6]);
    case 12:
      return engine.setFees(r[1], r[2], r[5], r[9], r[10], r[11], r[12]);
    case 13:
      return engine.setKillSwitch(r[1], r[2], r[4], r[15]);
    case 14:
      return engine.setHalt(r[1], r[2], r[5], r[15]);
    case 15:
      return engine.setReferencePrice(r[1], r[2], r[5], r[9]);
    default: {
      const ptr = engine.commandBuffer(1);
      new Float64Array(wasmMemory().buffer, ptr, COMMAND_STRIDE).set(r);
      return engine.executeBatch(1);
    }
  }
}

/**
 * Replays command records on a fresh engine (or one restored from `snapshot`) and returns all event records.
 * 'batch' sends them through commandBuffer/executeBatch; 'percall' through the numeric per-call methods.
 * @param {WasmSource | undefined} wasm module bytes or compiled module; undefined if already instantiated
 * @param {Float64Array} commands
 * @param {Mode} mode
 * @param {Uint8Array} [snapshot] engine state to start from
 * @returns {Float64Array}
 */
export function replay(wasm, commands, mode, snapshot) {
  load(wasm);
  if (commands.length % COMMAND_STRIDE !== 0) throw new Error(`${commands.length} slots is not whole records`);
  const engine = snapshot ? Engine.restore(snapshot) : new Engine();
  const sink = new Sink();
  try {
    if (mode === 'batch') {
      runBatch(engine, commands, (events) => sink.push(events));
    } else if (mode === 'percall') {
      for (let at = 0; at < commands.length; at += COMMAND_STRIDE) {
        const n = callOne(engine, commands.subarray(at, at + COMMAND_STRIDE));
        sink.push(eventsView(engine, n));
      }
    } else {
      throw new Error(`unknown replay mode ${String(mode)}`);
    }
  } finally {
    engine.free();
  }
  return sink.result();
}

/**
 * Runs command records through executeBatch and returns the engine's snapshot bytes afterwards.
 * @param {WasmSource | undefined} wasm
 * @param {Float64Array} commands
 * @returns {Uint8Array}
 */
export function snapshotAfter(wasm, commands) {
  load(wasm);
  const engine = new Engine();
  try {
    runBatch(engine, commands, () => {});
    return engine.snapshot();
  } finally {
    engine.free();
  }
}

/** Slot names per event kind, for readable mismatch reports. */
const SLOTS = {
  1: ['symbol'],
  2: ['orderId', 'account', 'symbol', 'side', 'orderType', 'tif', 'price', 'qty'],
  3: ['orderId', 'account', 'symbol', 'reason', 'limit', 'requested'],
  4: ['symbol', 'makerId', 'takerId', 'makerAccount', 'takerAccount', 'takerSide', 'price', 'qty', 'makerLeaves', 'takerLeaves'],
  5: ['orderId', 'account', 'symbol', 'side', 'qty', 'leaves', 'reason'],
  6: ['orderId', 'account', 'symbol', 'side', 'oldPrice', 'newPrice', 'oldQty', 'newQty', 'priorityKept'],
  7: ['orderId', 'account', 'symbol', 'side', 'stopPrice', 'lastPrice'],
  8: ['symbol', 'side', 'price', 'qty', 'orders'],
  9: ['account', 'orderId', 'symbol', 'sideLiquidity', 'price', 'qty', 'fee', 'realized', 'position', 'cash'],
  10: ['account', 'amount', 'cash'],
  11: ['what', 'account', 'symbol'],
};
const KINDS = [
  '?',
  'InstrumentAdded',
  'Accepted',
  'Rejected',
  'Trade',
  'Cancelled',
  'Replaced',
  'Triggered',
  'BookDelta',
  'Fill',
  'CashMoved',
  'ConfigChanged',
];

/**
 * Name of slot `slot` of an event of kind `kind`.
 * @param {number} kind
 * @param {number} slot
 */
export function slotName(kind, slot) {
  const head = ['kind', 'seq', 'cmdSeq', 'ts'];
  if (slot < head.length) return head[slot];
  const names = /** @type {Record<number, string[]>} */ (SLOTS)[kind];
  return names?.[slot - head.length] ?? `slot${slot}`;
}

/**
 * @typedef {object} Difference
 * @property {number} index f64 index of the first differing slot
 * @property {number} event event number (index / EVENT_STRIDE)
 * @property {number} slot slot within the event
 * @property {number | undefined} expected undefined past the end
 * @property {number | undefined} actual undefined past the end
 * @property {string} message a readable report
 */

/**
 * The first bit-level difference between two event streams, or null when they are identical.
 * @param {Float64Array} expected
 * @param {Float64Array} actual
 * @returns {Difference | null}
 */
export function firstDifference(expected, actual) {
  const a = new Uint32Array(expected.buffer, expected.byteOffset, expected.length * 2);
  const b = new Uint32Array(actual.buffer, actual.byteOffset, actual.length * 2);
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return null;
  const index = i >> 1;
  const event = Math.floor(index / EVENT_STRIDE);
  const slot = index % EVENT_STRIDE;
  const exp = index < expected.length ? expected[index] : undefined;
  const act = index < actual.length ? actual[index] : undefined;
  const record = (/** @type {Float64Array} */ xs) =>
    event * EVENT_STRIDE < xs.length ? `[${Array.from(xs.subarray(event * EVENT_STRIDE, (event + 1) * EVENT_STRIDE)).join(', ')}]` : '(none)';
  const kind = (index < expected.length ? expected : actual)[event * EVENT_STRIDE];
  const message =
    `first difference at f64 index ${index}: event ${event} (${KINDS[kind] ?? kind}), slot ${slot} ` +
    `(${slotName(kind, slot)}): expected ${exp}, got ${act}; ` +
    `lengths ${expected.length / EVENT_STRIDE} vs ${actual.length / EVENT_STRIDE} events; ` +
    `expected event ${record(expected)}, actual event ${record(actual)}`;
  return { index, event, slot, expected: exp, actual: act, message };
}
