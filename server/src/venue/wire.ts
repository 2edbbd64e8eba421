// The engine's f64 wire records (layouts: engine-rs/src/wire.rs). Commands are
// built here as records so that exactly what executed is what the command log
// stores and what a restart replays.
import { type Engine, commandStride, eventStride, wasmMemory } from 'cift-engine';

/** f64 slots per command / event record. */
export const CMD = 16;
export const EVT = 14;

/** Command kind codes (slot 0). */
export const Cmd = {
  New: 1,
  Cancel: 2,
  Replace: 3,
  MassCancel: 4,
  SessionEnd: 5,
  AdvanceTime: 6,
  AddInstrument: 7,
  Deposit: 8,
  Withdraw: 9,
  SetAccountLimits: 10,
  SetInstrumentLimits: 11,
  SetFees: 12,
  SetKillSwitch: 13,
  SetHalt: 14,
  SetReferencePrice: 15,
} as const;

/** Event kind codes (slot 0). */
export const Evt = {
  InstrumentAdded: 1,
  Accepted: 2,
  Rejected: 3,
  Trade: 4,
  Cancelled: 5,
  Replaced: 6,
  Triggered: 7,
  BookDelta: 8,
  Fill: 9,
  CashMoved: 10,
  ConfigChanged: 11,
} as const;

/** Reject reason codes and their names (README "reject reason" table). */
export const REJECT_REASONS: Record<number, string> = {
  1: 'malformed',
  2: 'out_of_sequence',
  3: 'unknown_symbol',
  4: 'instrument_exists',
  5: 'invalid_instrument',
  6: 'duplicate_order_id',
  7: 'invalid_price',
  8: 'invalid_stop_price',
  9: 'invalid_qty',
  10: 'invalid_display_qty',
  11: 'invalid_time_in_force',
  12: 'post_only_would_take',
  13: 'unknown_order',
  14: 'invalid_order_type',
  15: 'max_order_qty',
  16: 'max_order_notional',
  17: 'price_collar',
  18: 'max_long_position',
  19: 'max_short_position',
  20: 'max_gross_exposure',
  21: 'insufficient_buying_power',
  22: 'short_selling_not_allowed',
  23: 'max_open_orders',
  24: 'rate_limited',
  25: 'kill_switch',
  26: 'halted',
  27: 'reduce_only',
  28: 'insufficient_funds',
  29: 'overflow',
};

/** Cancel reason codes. */
export const CancelReason = { User: 1, IocRemainder: 2, Fok: 3, SelfTrade: 4, Expired: 5, MassCancel: 6, KillSwitch: 7 } as const;

export const SIDE = { buy: 1, sell: 2 } as const;
export const ORDER_TYPE = { limit: 1, market: 2, stop: 3, stop_limit: 4 } as const;
export const TIF = { gtc: 1, day: 2, gtd: 3, ioc: 4, fok: 5 } as const;

/** A new, zeroed command record of `kind` at (ts, seq). */
export function record(kind: number, ts: number, seq: number): Float64Array {
  const r = new Float64Array(CMD);
  r[0] = kind;
  r[1] = ts;
  r[2] = seq;
  return r;
}

/** Runs command records through the engine's batch path and copies the events out. */
export class WireEngine {
  private readonly memory = wasmMemory() as WebAssembly.Memory;
  /** All of the engine's memory as f64s; made again once the memory grows (which detaches the old buffer). */
  private view = new Float64Array(this.memory.buffer);

  constructor(public engine: Engine) {
    if (commandStride() !== CMD || eventStride() !== EVT) throw new Error('engine wire strides changed');
  }

  private heap(): Float64Array {
    const buffer = this.memory.buffer;
    if (this.view.buffer !== buffer) this.view = new Float64Array(buffer);
    return this.view;
  }

  /** Executes one record; returns its events (a copy, safe across later calls). */
  execute(rec: Float64Array): Float64Array {
    return this.executeMany(rec, 1);
  }

  /** Executes `count` records laid out back to back in `recs`; returns all their events (a copy). */
  executeMany(recs: Float64Array, count: number): Float64Array {
    const ptr = this.engine.commandBuffer(count);
    this.heap().set(recs.length === count * CMD ? recs : recs.subarray(0, count * CMD), ptr / 8);
    const n = this.engine.executeBatch(count);
    const at = this.engine.eventsPtr() / 8;
    return this.heap().slice(at, at + n * EVT);
  }
}
