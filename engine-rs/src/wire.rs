//! The numeric wire format shared by the WASM boundary, the batch path, test
//! vectors and the fuzzer: a command is [`COMMAND_STRIDE`] f64 slots, an event
//! [`EVENT_STRIDE`] f64 slots. Every integer travels as an exactly
//! representable f64 (|v| ≤ 2^53), so JavaScript needs no BigInt.
//!
//! Command slots: `0` kind, `1` ts, `2` seq, then per kind —
//! - New (1): `3` order id, `4` account, `5` symbol, `6` side, `7` order type,
//!   `8` tif, `9` price, `10` qty, `11` stop price, `12` display qty,
//!   `13` expire at, `14` STP mode, `15` flags (bit 0: post-only, bit 1: reduce-only).
//! - Cancel (2): `3` order id, `4` account.
//! - Replace (3): `3` order id, `4` account, `9` new price (0 keeps it), `10` new qty.
//! - MassCancel (4): `4` account, `5` symbol (−1: any), `6` side (0: any).
//! - SessionEnd (5): `5` symbol (−1: all).
//! - AdvanceTime (6): nothing more; `1` is the new time.
//! - AddInstrument (7): `5` symbol, `9` tick size, `10` lot size, `11` min price,
//!   `12` max price, `13` min qty, `14` max qty.
//! - Deposit (8): `4` account, `9` amount (> 0, money units).
//! - Withdraw (9): `4` account, `9` amount (> 0).
//! - SetAccountLimits (10): `4` account, `6` rate capacity, `7` rate refill per
//!   interval, `8` rate interval, `9` max order qty, `10` max order notional,
//!   `11` max gross exposure, `12` max open orders, `15` flags (bit 0: short
//!   selling forbidden, bit 1: post-trade only). Zero means unlimited.
//! - SetInstrumentLimits (11): `4` account, `5` symbol, `6` collar reference
//!   (0 off, 1 last trade, 2 mid, 3 host), `7` collar basis points, `9` max order
//!   qty, `10` max order notional, `11` max long, `12` max short.
//! - SetFees (12): `5` symbol, `9` maker ppm, `10` taker ppm (parts per million of
//!   notional, 1 bp = 100 ppm, |ppm| ≤ 10^6), `11` maker per unit, `12` taker per
//!   unit (money units per quantity unit); negative is a rebate.
//! - SetKillSwitch (13): `4` account, `15` flags (bit 0: on).
//! - SetHalt (14): `5` symbol, `15` flags (bit 0: halted).
//! - SetReferencePrice (15): `5` symbol, `9` price (0 clears it).
//!
//! Money (cash, fees, P&L, notional) is exact in an f64 up to 2^53 in
//! magnitude; the engine keeps it in i128, so only the JS side loses exactness
//! beyond that.
//!
//! Event slots: `0` kind, `1` event seq, `2` command seq, `3` ts, then per kind —
//! - InstrumentAdded (1): `4` symbol.
//! - Accepted (2): `4` order id, `5` account, `6` symbol, `7` side, `8` order type,
//!   `9` tif, `10` price, `11` qty.
//! - Rejected (3): `4` order id, `5` account, `6` symbol, `7` reason, `8` limit,
//!   `9` requested (both 0 unless a risk check).
//! - Trade (4): `4` symbol, `5` maker id, `6` taker id, `7` maker account,
//!   `8` taker account, `9` taker side, `10` price, `11` qty, `12` maker leaves,
//!   `13` taker leaves.
//! - Cancelled (5): `4` order id, `5` account, `6` symbol, `7` side, `8` qty,
//!   `9` leaves, `10` reason.
//! - Replaced (6): `4` order id, `5` account, `6` symbol, `7` side, `8` old price,
//!   `9` new price, `10` old qty, `11` new qty, `12` priority kept (0/1).
//! - Triggered (7): `4` order id, `5` account, `6` symbol, `7` side, `8` stop price,
//!   `9` last price.
//! - BookDelta (8): `4` symbol, `5` side, `6` price, `7` qty, `8` orders.
//! - Fill (9): `4` account, `5` order id, `6` symbol, `7` side + 10 × liquidity
//!   (1 maker, 2 taker: 11 buy maker, 12 sell maker, 21 buy taker, 22 sell taker),
//!   `8` price, `9` qty, `10` fee, `11` realized P&L, `12` position after, `13` cash after.
//! - CashMoved (10): `4` account, `5` signed amount, `6` cash after.
//! - ConfigChanged (11): `4` what (the command kind code, 10–15), `5` account, `6` symbol.

use crate::command::{Command, CommandKind, NewOrder};
use crate::event::{Event, EventKind};
use crate::instrument::InstrumentSpec;
use crate::risk::{AccountLimits, CollarRef, Fees, InstrumentLimits};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
use std::fmt;

/// f64 slots per command.
pub const COMMAND_STRIDE: usize = 16;
/// f64 slots per event.
pub const EVENT_STRIDE: usize = 14;
/// Largest integer every f64 represents exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// Command kind codes (slot 0).
pub mod command_kind {
    /// New order.
    pub const NEW: u8 = 1;
    /// Cancel.
    pub const CANCEL: u8 = 2;
    /// Replace.
    pub const REPLACE: u8 = 3;
    /// Mass cancel.
    pub const MASS_CANCEL: u8 = 4;
    /// Session end.
    pub const SESSION_END: u8 = 5;
    /// Advance time.
    pub const ADVANCE_TIME: u8 = 6;
    /// Add instrument.
    pub const ADD_INSTRUMENT: u8 = 7;
    /// Deposit.
    pub const DEPOSIT: u8 = 8;
    /// Withdraw.
    pub const WITHDRAW: u8 = 9;
    /// Set account limits.
    pub const SET_ACCOUNT_LIMITS: u8 = 10;
    /// Set instrument limits.
    pub const SET_INSTRUMENT_LIMITS: u8 = 11;
    /// Set fees.
    pub const SET_FEES: u8 = 12;
    /// Set kill switch.
    pub const SET_KILL_SWITCH: u8 = 13;
    /// Set halt.
    pub const SET_HALT: u8 = 14;
    /// Set reference price.
    pub const SET_REFERENCE_PRICE: u8 = 15;
}

/// Event kind codes (slot 0).
pub mod event_kind {
    /// Instrument added.
    pub const INSTRUMENT_ADDED: u8 = 1;
    /// Order accepted.
    pub const ACCEPTED: u8 = 2;
    /// Command rejected.
    pub const REJECTED: u8 = 3;
    /// Trade.
    pub const TRADE: u8 = 4;
    /// Quantity cancelled.
    pub const CANCELLED: u8 = 5;
    /// Order replaced.
    pub const REPLACED: u8 = 6;
    /// Stop triggered.
    pub const TRIGGERED: u8 = 7;
    /// L2 level change.
    pub const BOOK_DELTA: u8 = 8;
    /// One managed side of a trade.
    pub const FILL: u8 = 9;
    /// Deposit or withdrawal.
    pub const CASH_MOVED: u8 = 10;
    /// Configuration acknowledged.
    pub const CONFIG_CHANGED: u8 = 11;
}

/// Why a command record could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireError {
    /// The offending slot.
    pub slot: usize,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "command slot {}: {}", self.slot, self.problem)
    }
}

impl std::error::Error for WireError {}

fn err<T>(slot: usize, problem: &'static str) -> Result<T, WireError> {
    Err(WireError { slot, problem })
}

/// Bit `i` set when slot `i` of the record holds an exact integer within
/// ±2^53 — the common case, checked for all slots at once.
#[derive(Clone, Copy)]
struct ExactInts(u16);

impl ExactInts {
    /// The mask for a record of at least [`COMMAND_STRIDE`] slots.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn of(rec: &[f64]) -> Self {
        use core::arch::wasm32::*;
        assert!(rec.len() >= COMMAND_STRIDE);
        let limit = f64x2_splat(MAX_SAFE);
        let mut mask = 0u16;
        for pair in 0..COMMAND_STRIDE / 2 {
            // SAFETY: the assert above keeps both lanes of every pair inside `rec`;
            // wasm loads need no alignment.
            let v = unsafe { v128_load(rec.as_ptr().add(2 * pair).cast::<v128>()) };
            // NaN fails the equality, ±Inf and |v| > 2^53 fail the bound.
            let ok = v128_and(f64x2_eq(v, f64x2_trunc(v)), f64x2_le(f64x2_abs(v), limit));
            mask |= u16::from(i64x2_bitmask(ok)) << (2 * pair);
        }
        ExactInts(mask)
    }

    /// The mask for a record of at least [`COMMAND_STRIDE`] slots.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn of(rec: &[f64]) -> Self {
        ExactInts::scalar(rec)
    }

    /// The same mask, one slot at a time (the reference for the SIMD path).
    fn scalar(rec: &[f64]) -> Self {
        let mut mask = 0u16;
        for (i, v) in rec[..COMMAND_STRIDE].iter().enumerate() {
            if v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX_SAFE {
                mask |= 1 << i;
            }
        }
        ExactInts(mask)
    }

    fn has(self, slot: usize) -> bool {
        self.0 & (1 << slot) != 0
    }
}

/// A command record with its exact-integer mask.
struct Record<'a> {
    rec: &'a [f64],
    exact: ExactInts,
}

/// An exact integer in ±2^53.
fn int(r: &Record, slot: usize) -> Result<i64, WireError> {
    if r.exact.has(slot) {
        return Ok(r.rec[slot] as i64);
    }
    let v = r.rec[slot];
    if !v.is_finite() {
        err(slot, "not a finite number")
    } else if v.fract() != 0.0 {
        err(slot, "not an integer")
    } else {
        err(slot, "beyond ±2^53")
    }
}

fn uint(rec: &Record, slot: usize) -> Result<u64, WireError> {
    let v = int(rec, slot)?;
    u64::try_from(v).or_else(|_| err(slot, "negative"))
}

fn u32_at(rec: &Record, slot: usize) -> Result<u32, WireError> {
    u32::try_from(uint(rec, slot)?).or_else(|_| err(slot, "above 2^32-1"))
}

fn code_at(rec: &Record, slot: usize) -> Result<u8, WireError> {
    u8::try_from(uint(rec, slot)?).or_else(|_| err(slot, "unknown code"))
}

fn coded<T>(rec: &Record, slot: usize, from: fn(u8) -> Option<T>) -> Result<T, WireError> {
    from(code_at(rec, slot)?).map_or_else(|| err(slot, "unknown code"), Ok)
}

/// An optional u32 where −1 means "any".
fn opt_u32(rec: &Record, slot: usize) -> Result<Option<u32>, WireError> {
    if rec.rec[slot] == -1.0 {
        Ok(None)
    } else {
        u32_at(rec, slot).map(Some)
    }
}

/// Flags in slot 15 with no bits beyond `allowed`.
fn flags_at(rec: &Record, allowed: u64) -> Result<u64, WireError> {
    let flags = uint(rec, 15)?;
    if flags & !allowed != 0 {
        return err(15, "unknown flag bits");
    }
    Ok(flags)
}

/// A positive amount.
fn amount_at(rec: &Record, slot: usize) -> Result<i64, WireError> {
    let v = int(rec, slot)?;
    if v <= 0 {
        return err(slot, "not positive");
    }
    Ok(v)
}

/// A non-negative limit (0: unlimited).
fn limit_at(rec: &Record, slot: usize) -> Result<i64, WireError> {
    let v = int(rec, slot)?;
    if v < 0 {
        return err(slot, "negative");
    }
    Ok(v)
}

/// Decodes one command record (at least [`COMMAND_STRIDE`] slots).
pub fn decode_command(rec: &[f64]) -> Result<Command, WireError> {
    if rec.len() < COMMAND_STRIDE {
        return err(rec.len(), "record too short");
    }
    let rec = &Record { rec, exact: ExactInts::of(rec) };
    let kind_code = code_at(rec, 0)?;
    let ts = uint(rec, 1)?;
    let seq = uint(rec, 2)?;
    let kind = match kind_code {
        command_kind::NEW => {
            let flags = flags_at(rec, 0b11)?;
            CommandKind::New(NewOrder {
                id: OrderId(uint(rec, 3)?),
                account: AccountId(u32_at(rec, 4)?),
                symbol: SymbolId(u32_at(rec, 5)?),
                side: coded(rec, 6, Side::from_code)?,
                order_type: coded(rec, 7, OrderType::from_code)?,
                tif: coded(rec, 8, TimeInForce::from_code)?,
                price: Price(int(rec, 9)?),
                qty: Qty(int(rec, 10)?),
                stop_price: Price(int(rec, 11)?),
                display_qty: Qty(int(rec, 12)?),
                expire_at: uint(rec, 13)?,
                stp: coded(rec, 14, StpMode::from_code)?,
                post_only: flags & 1 == 1,
                reduce_only: flags & 2 == 2,
            })
        }
        command_kind::CANCEL => {
            CommandKind::Cancel { order_id: OrderId(uint(rec, 3)?), account: AccountId(u32_at(rec, 4)?) }
        }
        command_kind::REPLACE => {
            let price = int(rec, 9)?;
            CommandKind::Replace {
                order_id: OrderId(uint(rec, 3)?),
                account: AccountId(u32_at(rec, 4)?),
                new_price: (price != 0).then_some(Price(price)),
                new_qty: Qty(int(rec, 10)?),
            }
        }
        command_kind::MASS_CANCEL => CommandKind::MassCancel {
            account: opt_u32(rec, 4)?.map(AccountId),
            symbol: opt_u32(rec, 5)?.map(SymbolId),
            side: match code_at(rec, 6)? {
                0 => None,
                c => Some(Side::from_code(c).map_or_else(|| err(6, "unknown code"), Ok)?),
            },
        },
        command_kind::SESSION_END => CommandKind::SessionEnd { symbol: opt_u32(rec, 5)?.map(SymbolId) },
        command_kind::ADVANCE_TIME => CommandKind::AdvanceTime,
        command_kind::ADD_INSTRUMENT => CommandKind::AddInstrument(InstrumentSpec {
            symbol: SymbolId(u32_at(rec, 5)?),
            tick_size: int(rec, 9)?,
            lot_size: int(rec, 10)?,
            min_price: Price(int(rec, 11)?),
            max_price: Price(int(rec, 12)?),
            min_qty: Qty(int(rec, 13)?),
            max_qty: Qty(int(rec, 14)?),
        }),
        command_kind::DEPOSIT => {
            CommandKind::Deposit { account: AccountId(u32_at(rec, 4)?), amount: amount_at(rec, 9)? }
        }
        command_kind::WITHDRAW => {
            CommandKind::Withdraw { account: AccountId(u32_at(rec, 4)?), amount: amount_at(rec, 9)? }
        }
        command_kind::SET_ACCOUNT_LIMITS => {
            let flags = flags_at(rec, 0b11)?;
            let limits = AccountLimits {
                max_order_qty: limit_at(rec, 9)?,
                max_order_notional: limit_at(rec, 10)?,
                max_gross_exposure: limit_at(rec, 11)?,
                max_open_orders: u32_at(rec, 12)?,
                rate_capacity: uint(rec, 6)?,
                rate_per_interval: uint(rec, 7)?,
                rate_interval: uint(rec, 8)?,
                forbid_short: flags & 1 == 1,
                post_trade_only: flags & 2 == 2,
            };
            if limits.rate_capacity > 0 && limits.rate_interval == 0 {
                return err(8, "zero interval for a rate limit");
            }
            CommandKind::SetAccountLimits { account: AccountId(u32_at(rec, 4)?), limits }
        }
        command_kind::SET_INSTRUMENT_LIMITS => CommandKind::SetInstrumentLimits {
            account: AccountId(u32_at(rec, 4)?),
            symbol: SymbolId(u32_at(rec, 5)?),
            limits: InstrumentLimits {
                collar_ref: coded(rec, 6, CollarRef::from_code)?,
                collar_bps: u32_at(rec, 7)?,
                max_order_qty: limit_at(rec, 9)?,
                max_order_notional: limit_at(rec, 10)?,
                max_long: limit_at(rec, 11)?,
                max_short: limit_at(rec, 12)?,
            },
        },
        command_kind::SET_FEES => {
            let fees = Fees {
                maker_ppm: int(rec, 9)?,
                taker_ppm: int(rec, 10)?,
                maker_per_unit: int(rec, 11)?,
                taker_per_unit: int(rec, 12)?,
            };
            if fees.maker_ppm.unsigned_abs() > 1_000_000 {
                return err(9, "rate beyond ±10^6 ppm");
            }
            if fees.taker_ppm.unsigned_abs() > 1_000_000 {
                return err(10, "rate beyond ±10^6 ppm");
            }
            CommandKind::SetFees { symbol: SymbolId(u32_at(rec, 5)?), fees }
        }
        command_kind::SET_KILL_SWITCH => {
            CommandKind::SetKillSwitch { account: AccountId(u32_at(rec, 4)?), on: flags_at(rec, 1)? == 1 }
        }
        command_kind::SET_HALT => {
            CommandKind::SetHalt { symbol: SymbolId(u32_at(rec, 5)?), halted: flags_at(rec, 1)? == 1 }
        }
        command_kind::SET_REFERENCE_PRICE => {
            let price = limit_at(rec, 9)?;
            CommandKind::SetReferencePrice {
                symbol: SymbolId(u32_at(rec, 5)?),
                price: (price != 0).then_some(Price(price)),
            }
        }
        _ => return err(0, "unknown command kind"),
    };
    Ok(Command { ts, seq, kind })
}

/// Encodes a command into a record; the inverse of [`decode_command`] for
/// values within ±2^53.
pub fn encode_command(cmd: &Command, rec: &mut [f64]) {
    rec[..COMMAND_STRIDE].fill(0.0);
    rec[1] = cmd.ts as f64;
    rec[2] = cmd.seq as f64;
    match cmd.kind {
        CommandKind::New(o) => {
            rec[0] = f64::from(command_kind::NEW);
            rec[3] = o.id.0 as f64;
            rec[4] = f64::from(o.account.0);
            rec[5] = f64::from(o.symbol.0);
            rec[6] = f64::from(o.side.code());
            rec[7] = f64::from(o.order_type.code());
            rec[8] = f64::from(o.tif.code());
            rec[9] = o.price.0 as f64;
            rec[10] = o.qty.0 as f64;
            rec[11] = o.stop_price.0 as f64;
            rec[12] = o.display_qty.0 as f64;
            rec[13] = o.expire_at as f64;
            rec[14] = f64::from(o.stp.code());
            rec[15] = f64::from(u8::from(o.post_only) | u8::from(o.reduce_only) << 1);
        }
        CommandKind::Cancel { order_id, account } => {
            rec[0] = f64::from(command_kind::CANCEL);
            rec[3] = order_id.0 as f64;
            rec[4] = f64::from(account.0);
        }
        CommandKind::Replace { order_id, account, new_price, new_qty } => {
            rec[0] = f64::from(command_kind::REPLACE);
            rec[3] = order_id.0 as f64;
            rec[4] = f64::from(account.0);
            rec[9] = new_price.map_or(0.0, |p| p.0 as f64);
            rec[10] = new_qty.0 as f64;
        }
        CommandKind::MassCancel { account, symbol, side } => {
            rec[0] = f64::from(command_kind::MASS_CANCEL);
            rec[4] = account.map_or(-1.0, |a| f64::from(a.0));
            rec[5] = symbol.map_or(-1.0, |s| f64::from(s.0));
            rec[6] = side.map_or(0.0, |s| f64::from(s.code()));
        }
        CommandKind::SessionEnd { symbol } => {
            rec[0] = f64::from(command_kind::SESSION_END);
            rec[5] = symbol.map_or(-1.0, |s| f64::from(s.0));
        }
        CommandKind::AdvanceTime => rec[0] = f64::from(command_kind::ADVANCE_TIME),
        CommandKind::AddInstrument(s) => {
            rec[0] = f64::from(command_kind::ADD_INSTRUMENT);
            rec[5] = f64::from(s.symbol.0);
            rec[9] = s.tick_size as f64;
            rec[10] = s.lot_size as f64;
            rec[11] = s.min_price.0 as f64;
            rec[12] = s.max_price.0 as f64;
            rec[13] = s.min_qty.0 as f64;
            rec[14] = s.max_qty.0 as f64;
        }
        CommandKind::Deposit { account, amount } | CommandKind::Withdraw { account, amount } => {
            let deposit = matches!(cmd.kind, CommandKind::Deposit { .. });
            rec[0] = f64::from(if deposit { command_kind::DEPOSIT } else { command_kind::WITHDRAW });
            rec[4] = f64::from(account.0);
            rec[9] = amount as f64;
        }
        CommandKind::SetAccountLimits { account, limits: l } => {
            rec[0] = f64::from(command_kind::SET_ACCOUNT_LIMITS);
            rec[4] = f64::from(account.0);
            rec[6] = l.rate_capacity as f64;
            rec[7] = l.rate_per_interval as f64;
            rec[8] = l.rate_interval as f64;
            rec[9] = l.max_order_qty as f64;
            rec[10] = l.max_order_notional as f64;
            rec[11] = l.max_gross_exposure as f64;
            rec[12] = f64::from(l.max_open_orders);
            rec[15] = f64::from(u8::from(l.forbid_short) | u8::from(l.post_trade_only) << 1);
        }
        CommandKind::SetInstrumentLimits { account, symbol, limits: l } => {
            rec[0] = f64::from(command_kind::SET_INSTRUMENT_LIMITS);
            rec[4] = f64::from(account.0);
            rec[5] = f64::from(symbol.0);
            rec[6] = f64::from(l.collar_ref.code());
            rec[7] = f64::from(l.collar_bps);
            rec[9] = l.max_order_qty as f64;
            rec[10] = l.max_order_notional as f64;
            rec[11] = l.max_long as f64;
            rec[12] = l.max_short as f64;
        }
        CommandKind::SetFees { symbol, fees } => {
            rec[0] = f64::from(command_kind::SET_FEES);
            rec[5] = f64::from(symbol.0);
            rec[9] = fees.maker_ppm as f64;
            rec[10] = fees.taker_ppm as f64;
            rec[11] = fees.maker_per_unit as f64;
            rec[12] = fees.taker_per_unit as f64;
        }
        CommandKind::SetKillSwitch { account, on } => {
            rec[0] = f64::from(command_kind::SET_KILL_SWITCH);
            rec[4] = f64::from(account.0);
            rec[15] = f64::from(u8::from(on));
        }
        CommandKind::SetHalt { symbol, halted } => {
            rec[0] = f64::from(command_kind::SET_HALT);
            rec[5] = f64::from(symbol.0);
            rec[15] = f64::from(u8::from(halted));
        }
        CommandKind::SetReferencePrice { symbol, price } => {
            rec[0] = f64::from(command_kind::SET_REFERENCE_PRICE);
            rec[5] = f64::from(symbol.0);
            rec[9] = price.map_or(0.0, |p| p.0 as f64);
        }
    }
}

/// Writes one event into a record of [`EVENT_STRIDE`] slots.
pub fn encode_event(ev: &Event, rec: &mut [f64]) {
    // Every slot is written below, so the record needs no clearing first.
    let rec = &mut rec[..EVENT_STRIDE];
    rec[1] = ev.seq as f64;
    rec[2] = ev.cmd_seq as f64;
    rec[3] = ev.ts as f64;
    let (kind, fields): (u8, [f64; 10]) = match ev.kind {
        EventKind::InstrumentAdded { symbol } => (event_kind::INSTRUMENT_ADDED, pad(&[f64::from(symbol.0)])),
        EventKind::Accepted { order_id, account, symbol, side, order_type, tif, price, qty } => (
            event_kind::ACCEPTED,
            pad(&[
                order_id.0 as f64,
                f64::from(account.0),
                f64::from(symbol.0),
                f64::from(side.code()),
                f64::from(order_type.code()),
                f64::from(tif.code()),
                price.0 as f64,
                qty.0 as f64,
            ]),
        ),
        EventKind::Rejected { order_id, account, symbol, reason, limit, requested } => (
            event_kind::REJECTED,
            pad(&[
                order_id.0 as f64,
                f64::from(account.0),
                f64::from(symbol.0),
                f64::from(reason.code()),
                wide(limit),
                wide(requested),
            ]),
        ),
        EventKind::Trade {
            symbol,
            maker_id,
            taker_id,
            maker_account,
            taker_account,
            taker_side,
            price,
            qty,
            maker_leaves,
            taker_leaves,
        } => (
            event_kind::TRADE,
            [
                f64::from(symbol.0),
                maker_id.0 as f64,
                taker_id.0 as f64,
                f64::from(maker_account.0),
                f64::from(taker_account.0),
                f64::from(taker_side.code()),
                price.0 as f64,
                qty.0 as f64,
                maker_leaves.0 as f64,
                taker_leaves.0 as f64,
            ],
        ),
        EventKind::Cancelled { order_id, account, symbol, side, qty, leaves, reason } => (
            event_kind::CANCELLED,
            pad(&[
                order_id.0 as f64,
                f64::from(account.0),
                f64::from(symbol.0),
                f64::from(side.code()),
                qty.0 as f64,
                leaves.0 as f64,
                f64::from(reason.code()),
            ]),
        ),
        EventKind::Replaced {
            order_id,
            account,
            symbol,
            side,
            old_price,
            new_price,
            old_qty,
            new_qty,
            priority_kept,
        } => (
            event_kind::REPLACED,
            pad(&[
                order_id.0 as f64,
                f64::from(account.0),
                f64::from(symbol.0),
                f64::from(side.code()),
                old_price.0 as f64,
                new_price.0 as f64,
                old_qty.0 as f64,
                new_qty.0 as f64,
                f64::from(u8::from(priority_kept)),
            ]),
        ),
        EventKind::Triggered { order_id, account, symbol, side, stop_price, last_price } => (
            event_kind::TRIGGERED,
            pad(&[
                order_id.0 as f64,
                f64::from(account.0),
                f64::from(symbol.0),
                f64::from(side.code()),
                stop_price.0 as f64,
                last_price.0 as f64,
            ]),
        ),
        EventKind::BookDelta { symbol, side, price, qty, orders } => (
            event_kind::BOOK_DELTA,
            pad(&[f64::from(symbol.0), f64::from(side.code()), price.0 as f64, wide(qty), f64::from(orders)]),
        ),
        EventKind::Fill { account, order_id, symbol, side, liquidity, price, qty, fee, realized, position, cash } => (
            event_kind::FILL,
            [
                f64::from(account.0),
                order_id.0 as f64,
                f64::from(symbol.0),
                f64::from(side.code() + 10 * liquidity.code()),
                price.0 as f64,
                qty.0 as f64,
                wide(fee),
                wide(realized),
                position as f64,
                wide(cash),
            ],
        ),
        EventKind::CashMoved { account, amount, cash } => {
            (event_kind::CASH_MOVED, pad(&[f64::from(account.0), wide(amount), wide(cash)]))
        }
        EventKind::ConfigChanged { what, account, symbol } => {
            (event_kind::CONFIG_CHANGED, pad(&[f64::from(what), f64::from(account.0), f64::from(symbol.0)]))
        }
    };
    rec[0] = f64::from(kind);
    rec[4..].copy_from_slice(&fields);
}

/// A level total or an amount of money as f64; the i64 fast path avoids wasm32's emulated i128 conversion.
fn wide(v: i128) -> f64 {
    i64::try_from(v).map_or(v as f64, |v| v as f64)
}

fn pad(values: &[f64]) -> [f64; 10] {
    let mut out = [0.0; 10];
    out[..values.len()].copy_from_slice(values);
    out
}

/// Decodes and executes `count` command records from `input`, appending each
/// command's events to `output`. A record that fails to decode yields a
/// `Malformed` rejection and the batch goes on. Returns the number of events.
pub fn execute_batch(engine: &mut crate::Engine, input: &[f64], count: usize, output: &mut Vec<f64>) -> usize {
    let before = output.len();
    for rec in input.chunks_exact(COMMAND_STRIDE).take(count) {
        let events = match decode_command(rec) {
            Ok(cmd) => engine.execute(&cmd),
            Err(_) => {
                let r = &Record { rec, exact: ExactInts::scalar(rec) };
                let seq = uint(r, 2).unwrap_or(0);
                let ts = uint(r, 1).unwrap_or(0);
                engine.reject_malformed(seq, ts, OrderId(uint(r, 3).unwrap_or(0)))
            }
        };
        let start = output.len();
        output.resize(start + events.len() * EVENT_STRIDE, 0.0);
        for (ev, out) in events.iter().zip(output[start..].chunks_exact_mut(EVENT_STRIDE)) {
            encode_event(ev, out);
        }
    }
    (output.len() - before) / EVENT_STRIDE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_integer_mask_flags_every_kind_of_bad_slot() {
        let mut rec = [0.0f64; COMMAND_STRIDE];
        rec[1] = MAX_SAFE;
        rec[2] = -MAX_SAFE;
        rec[3] = f64::NAN;
        rec[4] = f64::INFINITY;
        rec[5] = f64::NEG_INFINITY;
        rec[6] = 0.5;
        rec[7] = -1.25;
        rec[8] = MAX_SAFE * 2.0;
        rec[9] = -0.0;
        rec[10] = 1e300;
        rec[11] = f64::MIN_POSITIVE;
        let mask = ExactInts::of(&rec);
        let good = [0, 1, 2, 9, 12, 13, 14, 15];
        for slot in 0..COMMAND_STRIDE {
            assert_eq!(mask.has(slot), good.contains(&slot), "slot {slot}");
        }
        assert_eq!(ExactInts::scalar(&rec).0, mask.0);
    }

    #[test]
    fn decode_errors_name_the_slot_and_the_problem() {
        let mut rec = [0.0f64; COMMAND_STRIDE];
        rec[0] = f64::from(command_kind::CANCEL);
        rec[3] = 2.5;
        assert_eq!(decode_command(&rec), Err(WireError { slot: 3, problem: "not an integer" }));
        rec[3] = f64::NAN;
        assert_eq!(decode_command(&rec).unwrap_err().to_string(), "command slot 3: not a finite number");
        rec[3] = 7.0;
        rec[4] = -1.0;
        assert_eq!(decode_command(&rec), Err(WireError { slot: 4, problem: "negative" }));
        rec[4] = 1.0;
        rec[9] = f64::NAN; // unused by a cancel: ignored
        assert!(decode_command(&rec).is_ok());
        rec[0] = 42.0;
        assert_eq!(decode_command(&rec), Err(WireError { slot: 0, problem: "unknown command kind" }));
    }
}
