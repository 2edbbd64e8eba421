//! Helpers shared by the fuzz targets: bytes to wire slots, and wire event
//! records back to [`Event`]s so the checks can read the batch path's output.

use cift_engine::wire::{event_kind, EVENT_STRIDE, MAX_SAFE};
use cift_engine::{
    AccountId, CancelReason, Event, EventKind, Liquidity, OrderId, OrderType, Price, Qty, RejectReason, Side, SymbolId,
    TimeInForce,
};
use libfuzzer_sys::arbitrary::{self, Unstructured};

/// Awkward f64 values for a wire slot: non-finite, fractional, signed zero,
/// the ±2^53 edge, integer-width edges, subnormals and extremes.
const SPECIAL: [f64; 32] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -0.0,
    0.5,
    -0.5,
    1.5,
    -1.0,
    MAX_SAFE,
    -MAX_SAFE,
    MAX_SAFE - 1.0,
    MAX_SAFE + 2.0,
    -(MAX_SAFE + 2.0),
    4_294_967_295.0,
    4_294_967_296.0,
    -2_147_483_648.0,
    2_147_483_648.0,
    9_223_372_036_854_775_808.0,
    -9_223_372_036_854_775_808.0,
    18_446_744_073_709_551_616.0,
    f64::MIN_POSITIVE,
    5e-324,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
    1e15,
    255.0,
    256.0,
    -255.0,
    65_536.0,
    1e-9,
    100.000_000_000_001,
];

/// One f64 wire slot from the input. A selector byte picks a small integer
/// (−16..=175, so every code and −1 are common), a value from [`SPECIAL`], or
/// the next 8 bytes as a raw little-endian f64 (zero-padded at the end).
pub fn wire_value(u: &mut Unstructured) -> arbitrary::Result<f64> {
    let s: u8 = u.arbitrary()?;
    Ok(match s {
        0..=0xbf => f64::from(i16::from(s) - 16),
        0xc0..=0xdf => SPECIAL[usize::from(s - 0xc0)],
        _ => {
            let mut raw = [0u8; 8];
            let take = u.len().min(8);
            raw[..take].copy_from_slice(u.bytes(take)?);
            f64::from_le_bytes(raw)
        }
    })
}

/// All of `data` as wire slots (see [`wire_value`]).
pub fn wire_values(data: &[u8]) -> Vec<f64> {
    let mut u = Unstructured::new(data);
    let mut out = Vec::with_capacity(data.len());
    while !u.is_empty() {
        match wire_value(&mut u) {
            Ok(v) => out.push(v),
            Err(_) => break,
        }
    }
    out
}

/// An exact integer slot of an event record.
fn int(rec: &[f64], slot: usize) -> Result<i64, String> {
    let v = rec[slot];
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > MAX_SAFE {
        return Err(format!("event slot {slot} is not an exact integer: {v}"));
    }
    Ok(v as i64)
}

/// An integer slot that may lie beyond 2^53 (a level total, money, a risk limit):
/// it travels rounded, so only integrality is checked.
fn wide(rec: &[f64], slot: usize) -> Result<i128, String> {
    let v = rec[slot];
    if !v.is_finite() || v.fract() != 0.0 {
        return Err(format!("event slot {slot} is not an integer: {v}"));
    }
    Ok(v as i128)
}

fn uint(rec: &[f64], slot: usize) -> Result<u64, String> {
    u64::try_from(int(rec, slot)?).map_err(|_| format!("event slot {slot} is negative"))
}

fn u32_at(rec: &[f64], slot: usize) -> Result<u32, String> {
    u32::try_from(int(rec, slot)?).map_err(|_| format!("event slot {slot} is not a u32"))
}

fn code<T>(rec: &[f64], slot: usize, from: fn(u8) -> Option<T>) -> Result<T, String> {
    u8::try_from(int(rec, slot)?).ok().and_then(from).ok_or_else(|| format!("event slot {slot}: unknown code"))
}

fn flag(rec: &[f64], slot: usize) -> Result<bool, String> {
    match int(rec, slot)? {
        0 => Ok(false),
        1 => Ok(true),
        v => Err(format!("event slot {slot}: flag {v}")),
    }
}

/// Decodes one event record written by `wire::encode_event` (the inverse the
/// library does not need, as only hosts read events).
pub fn decode_event(rec: &[f64]) -> Result<Event, String> {
    let rec = &rec[..EVENT_STRIDE];
    let kind = match u8::try_from(int(rec, 0)?).map_err(|_| "event kind out of range".to_string())? {
        event_kind::INSTRUMENT_ADDED => EventKind::InstrumentAdded { symbol: SymbolId(u32_at(rec, 4)?) },
        event_kind::ACCEPTED => EventKind::Accepted {
            order_id: OrderId(uint(rec, 4)?),
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
            side: code(rec, 7, Side::from_code)?,
            order_type: code(rec, 8, OrderType::from_code)?,
            tif: code(rec, 9, TimeInForce::from_code)?,
            price: Price(int(rec, 10)?),
            qty: Qty(int(rec, 11)?),
        },
        event_kind::REJECTED => EventKind::Rejected {
            order_id: OrderId(uint(rec, 4)?),
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
            reason: code(rec, 7, RejectReason::from_code)?,
            limit: wide(rec, 8)?,
            requested: wide(rec, 9)?,
        },
        event_kind::TRADE => EventKind::Trade {
            symbol: SymbolId(u32_at(rec, 4)?),
            maker_id: OrderId(uint(rec, 5)?),
            taker_id: OrderId(uint(rec, 6)?),
            maker_account: AccountId(u32_at(rec, 7)?),
            taker_account: AccountId(u32_at(rec, 8)?),
            taker_side: code(rec, 9, Side::from_code)?,
            price: Price(int(rec, 10)?),
            qty: Qty(int(rec, 11)?),
            maker_leaves: Qty(int(rec, 12)?),
            taker_leaves: Qty(int(rec, 13)?),
        },
        event_kind::CANCELLED => EventKind::Cancelled {
            order_id: OrderId(uint(rec, 4)?),
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
            side: code(rec, 7, Side::from_code)?,
            qty: Qty(int(rec, 8)?),
            leaves: Qty(int(rec, 9)?),
            reason: code(rec, 10, CancelReason::from_code)?,
        },
        event_kind::REPLACED => EventKind::Replaced {
            order_id: OrderId(uint(rec, 4)?),
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
            side: code(rec, 7, Side::from_code)?,
            old_price: Price(int(rec, 8)?),
            new_price: Price(int(rec, 9)?),
            old_qty: Qty(int(rec, 10)?),
            new_qty: Qty(int(rec, 11)?),
            priority_kept: flag(rec, 12)?,
        },
        event_kind::TRIGGERED => EventKind::Triggered {
            order_id: OrderId(uint(rec, 4)?),
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
            side: code(rec, 7, Side::from_code)?,
            stop_price: Price(int(rec, 8)?),
            last_price: Price(int(rec, 9)?),
        },
        event_kind::BOOK_DELTA => EventKind::BookDelta {
            symbol: SymbolId(u32_at(rec, 4)?),
            side: code(rec, 5, Side::from_code)?,
            price: Price(int(rec, 6)?),
            qty: wide(rec, 7)?,
            orders: u32_at(rec, 8)?,
        },
        event_kind::FILL => {
            // Side and liquidity share slot 7: side + 10 × liquidity.
            let both = int(rec, 7)?;
            let side = u8::try_from(both % 10).ok().and_then(Side::from_code);
            let liquidity = u8::try_from(both / 10).ok().and_then(Liquidity::from_code);
            let (Some(side), Some(liquidity)) = (side, liquidity) else {
                return Err(format!("event slot 7: bad side/liquidity {both}"));
            };
            let position = wide(rec, 12)?;
            EventKind::Fill {
                account: AccountId(u32_at(rec, 4)?),
                order_id: OrderId(uint(rec, 5)?),
                symbol: SymbolId(u32_at(rec, 6)?),
                side,
                liquidity,
                price: Price(int(rec, 8)?),
                qty: Qty(int(rec, 9)?),
                fee: wide(rec, 10)?,
                realized: wide(rec, 11)?,
                position: i64::try_from(position).map_err(|_| format!("event slot 12: position {position}"))?,
                cash: wide(rec, 13)?,
            }
        }
        event_kind::CASH_MOVED => {
            EventKind::CashMoved { account: AccountId(u32_at(rec, 4)?), amount: wide(rec, 5)?, cash: wide(rec, 6)? }
        }
        event_kind::CONFIG_CHANGED => EventKind::ConfigChanged {
            what: u8::try_from(int(rec, 4)?).map_err(|_| "event slot 4: not a command kind".to_string())?,
            account: AccountId(u32_at(rec, 5)?),
            symbol: SymbolId(u32_at(rec, 6)?),
        },
        k => return Err(format!("unknown event kind {k}")),
    };
    Ok(Event { seq: uint(rec, 1)?, cmd_seq: uint(rec, 2)?, ts: uint(rec, 3)?, kind })
}
