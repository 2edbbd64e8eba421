// Types of replay.mjs (kept as plain JS so Deno, Bun and the browser run it unchanged).
import type { Engine } from 'cift-engine';

/** f64 slots per command record. */
export const COMMAND_STRIDE: 16;
/** f64 slots per event record. */
export const EVENT_STRIDE: 14;

/** Module bytes or a compiled module; `undefined` when the module is already instantiated. */
export type WasmSource = BufferSource | WebAssembly.Module;
/** 'batch': commandBuffer/executeBatch; 'percall': the numeric per-call methods. */
export type Mode = 'batch' | 'percall';

/** Instantiates the module (a no-op once done) and checks the wire strides. */
export function load(wasm: WasmSource | undefined): void;
/** A fresh view of the engine's last `count` event records. */
export function eventsView(engine: Engine, count: number): Float64Array;
/** Executes records through executeBatch in chunks, handing each chunk's events to `onEvents`. */
export function runBatch(
  engine: Engine,
  commands: Float64Array,
  onEvents: (events: Float64Array) => void,
  chunk?: number,
): void;
/** Executes one record through the per-call method of its kind; returns the number of events. */
export function callOne(engine: Engine, record: Float64Array): number;
/** Replays records on a fresh (or restored) engine and returns all event records. */
export function replay(
  wasm: WasmSource | undefined,
  commands: Float64Array,
  mode: Mode,
  snapshot?: Uint8Array,
): Float64Array;
/** Runs records through executeBatch and returns the snapshot bytes afterwards. */
export function snapshotAfter(wasm: WasmSource | undefined, commands: Float64Array): Uint8Array;
/** Name of a slot of an event of the given kind. */
export function slotName(kind: number, slot: number): string;

/** The first differing slot of two event streams. */
export interface Difference {
  index: number;
  event: number;
  slot: number;
  expected: number | undefined;
  actual: number | undefined;
  message: string;
}
/** The first bit-level difference, or null when identical. */
export function firstDifference(expected: Float64Array, actual: Float64Array): Difference | null;
