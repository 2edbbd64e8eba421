//! Historical data held in columns, checked when loaded: bars, trades,
//! quotes, L2 depth diffs and L3 (market-by-order) events, one stream per
//! instrument and kind.
//!
//! Every value arrives as an f64 (the same on the WASM boundary and natively)
//! and must be an exact integer in the instrument's units: timestamps in any
//! unit (non-decreasing within a stream, at most 2^53), prices on the tick
//! grid and within the instrument's bounds, sizes in quantity units. A bad value is reported with the stream,
//! row and field, and nothing of that stream is kept.

use super::l3::L3Action;
use crate::types::{Side, SymbolId};
use crate::InstrumentSpec;
use rustc_hash::FxHashMap;
use std::fmt;

/// The kinds of data a stream can hold; the codes are used in records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DataKind {
    /// OHLCV bars; a bar's timestamp is when it is complete (its close).
    Bars = 1,
    /// Trade prints: price, size, aggressor side (0 unknown, 1 buy, 2 sell).
    Trades = 2,
    /// Top of book: bid, bid size, ask, ask size (the whole visible book).
    Quotes = 3,
    /// L2 diffs: side, price, new total size at that level (0 removes it).
    Depth = 4,
    /// L3 events: action, exchange order id, side, price, size (see `l3`).
    Orders = 5,
}

impl DataKind {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Bars => "bars",
            DataKind::Trades => "trades",
            DataKind::Quotes => "quotes",
            DataKind::Depth => "depth",
            DataKind::Orders => "orders",
        }
    }
}

/// Why a stream or a configuration value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// What was being loaded or set (e.g. "bars for symbol 1", "config").
    pub what: String,
    /// The row (0-based) of the bad value, if it concerns one row.
    pub row: Option<usize>,
    /// The field (column or setting) at fault.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "{}, row {}, field {}: {}", self.what, row, self.field, self.message),
            None => write!(f, "{}, field {}: {}", self.what, self.field, self.message),
        }
    }
}

impl std::error::Error for DataError {}

/// The columns of one stream, converted to integers.
#[derive(Clone, Debug)]
pub(crate) enum Columns {
    Bars { open: Vec<i64>, high: Vec<i64>, low: Vec<i64>, close: Vec<i64>, volume: Vec<i64> },
    Trades { price: Vec<i64>, qty: Vec<i64>, side: Vec<u8> },
    Quotes { bid: Vec<i64>, bid_qty: Vec<i64>, ask: Vec<i64>, ask_qty: Vec<i64> },
    Depth { side: Vec<Side>, price: Vec<i64>, qty: Vec<i64> },
    Orders { action: Vec<L3Action>, id: Vec<u64>, side: Vec<Side>, price: Vec<i64>, qty: Vec<i64> },
}

/// One loaded stream.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    pub symbol: SymbolId,
    /// Index of the instrument in the backtest.
    pub inst: usize,
    pub kind: DataKind,
    pub ts: Vec<u64>,
    pub cols: Columns,
}

impl Stream {
    pub fn len(&self) -> usize {
        self.ts.len()
    }
}

/// Largest integer an f64 holds exactly.
pub(crate) const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Checks and converts columns for one stream.
pub(crate) struct Checker<'a> {
    pub what: String,
    pub spec: &'a InstrumentSpec,
    pub len: usize,
}

impl Checker<'_> {
    fn err(&self, row: Option<usize>, field: &'static str, message: String) -> DataError {
        DataError { what: self.what.clone(), row, field, message }
    }

    /// Every column must have the stream's length.
    pub fn same_len(&self, field: &'static str, col: &[f64]) -> Result<(), DataError> {
        if col.len() == self.len {
            Ok(())
        } else {
            Err(self.err(None, field, format!("has {} rows but ts has {}", col.len(), self.len)))
        }
    }

    fn int(&self, row: usize, field: &'static str, v: f64, min: f64) -> Result<i64, DataError> {
        if v.is_finite() && v.fract() == 0.0 && v >= min && v <= MAX_EXACT {
            Ok(v as i64)
        } else {
            Err(self.err(Some(row), field, format!("must be an integer from {min} to 2^53, got {v}")))
        }
    }

    /// Timestamps: integers, non-decreasing.
    pub fn timestamps(&self, ts: &[f64]) -> Result<Vec<u64>, DataError> {
        let mut out = Vec::with_capacity(ts.len());
        let mut prev = 0u64;
        for (row, &v) in ts.iter().enumerate() {
            let t = self.int(row, "ts", v, 0.0)? as u64;
            if t < prev {
                return Err(self.err(Some(row), "ts", format!("{t} is before the previous row's {prev}")));
            }
            prev = t;
            out.push(t);
        }
        Ok(out)
    }

    /// Prices: positive, on the tick grid (0 allowed where `allow_zero`).
    pub fn prices(&self, field: &'static str, col: &[f64], allow_zero: bool) -> Result<Vec<i64>, DataError> {
        self.same_len(field, col)?;
        let tick = self.spec.tick_size;
        col.iter()
            .enumerate()
            .map(|(row, &v)| {
                let p = self.int(row, field, v, 0.0)?;
                if p == 0 && !allow_zero {
                    return Err(self.err(Some(row), field, "must be positive, got 0".into()));
                }
                if p % tick != 0 {
                    return Err(self.err(Some(row), field, format!("{p} is not a multiple of the tick size {tick}")));
                }
                let (lo, hi) = (self.spec.min_price.0, self.spec.max_price.0);
                if p != 0 && !(lo..=hi).contains(&p) {
                    return Err(self.err(
                        Some(row),
                        field,
                        format!("{p} is outside the instrument's prices {lo} to {hi}"),
                    ));
                }
                Ok(p)
            })
            .collect()
    }

    /// Sizes: integers ≥ `min`.
    pub fn sizes(&self, field: &'static str, col: &[f64], min: i64) -> Result<Vec<i64>, DataError> {
        self.same_len(field, col)?;
        col.iter().enumerate().map(|(row, &v)| self.int(row, field, v, min as f64)).collect()
    }

    /// Side codes within `[min, 2]`.
    pub fn sides(&self, field: &'static str, col: &[f64], min: u8) -> Result<Vec<u8>, DataError> {
        self.same_len(field, col)?;
        col.iter()
            .enumerate()
            .map(|(row, &v)| {
                let s = self.int(row, field, v, f64::from(min))?;
                if s > 2 {
                    let allowed = if min == 0 { "0 (unknown), 1 (buy) or 2 (sell)" } else { "1 (buy) or 2 (sell)" };
                    return Err(self.err(Some(row), field, format!("must be {allowed}, got {s}")));
                }
                Ok(s as u8)
            })
            .collect()
    }

    /// L3 action codes (1 add, 2 cancel, 3 delete, 4 execute, 5 modify).
    pub fn actions(&self, col: &[f64]) -> Result<Vec<L3Action>, DataError> {
        self.same_len("action", col)?;
        col.iter()
            .enumerate()
            .map(|(row, &v)| {
                let code = self.int(row, "action", v, 1.0)?;
                u8::try_from(code).ok().and_then(L3Action::from_code).ok_or_else(|| {
                    let msg = format!("must be 1 (add), 2 (cancel), 3 (delete), 4 (execute) or 5 (modify), got {code}");
                    self.err(Some(row), "action", msg)
                })
            })
            .collect()
    }

    /// Bars must be consistent: low ≤ open, close ≤ high.
    pub fn bar_shape(&self, open: &[i64], high: &[i64], low: &[i64], close: &[i64]) -> Result<(), DataError> {
        for row in 0..self.len {
            let (o, h, l, c) = (open[row], high[row], low[row], close[row]);
            if h < o.max(c) {
                return Err(self.err(Some(row), "high", format!("{h} is below the open {o} or close {c}")));
            }
            if l > o.min(c) {
                return Err(self.err(Some(row), "low", format!("{l} is above the open {o} or close {c}")));
            }
        }
        Ok(())
    }

    /// L3 events must tell one consistent story, replayed here once: an add
    /// names a new id; every other event a live one, on its side (and, but
    /// for a modify, at its price); cancels and executions take at most what
    /// is left; sizes are ≥ 1 except a delete's (ignored: it removes the rest).
    pub fn l3_story(
        &self,
        action: &[L3Action],
        id: &[u64],
        side: &[Side],
        price: &[i64],
        qty: &[i64],
    ) -> Result<(), DataError> {
        let mut live: FxHashMap<u64, (Side, i64, i64)> = FxHashMap::default();
        for row in 0..self.len {
            let (a, oid, sd, p, q) = (action[row], id[row], side[row], price[row], qty[row]);
            if a != L3Action::Delete && q < 1 {
                return Err(self.err(Some(row), "qty", format!("must be at least 1, got {q}")));
            }
            if a == L3Action::Add {
                if live.insert(oid, (sd, p, q)).is_some() {
                    return Err(self.err(Some(row), "id", format!("order {oid} is added while it is still live")));
                }
                continue;
            }
            let Some(&(lsd, lp, lq)) = live.get(&oid) else {
                let msg = format!("order {oid} is not live (never added, or already gone)");
                return Err(self.err(Some(row), "id", msg));
            };
            if sd != lsd {
                return Err(self.err(Some(row), "side", format!("order {oid} is on the other side")));
            }
            if a != L3Action::Modify && p != lp {
                return Err(self.err(Some(row), "price", format!("order {oid} rests at {lp}, not {p}")));
            }
            let left = match a {
                L3Action::Cancel | L3Action::Execute if q > lq => {
                    return Err(self.err(Some(row), "qty", format!("{q} is more than the {lq} left of order {oid}")));
                }
                L3Action::Cancel | L3Action::Execute => lq - q,
                L3Action::Delete => 0,
                _ => q,
            };
            if left == 0 {
                live.remove(&oid);
            } else {
                live.insert(oid, (sd, if a == L3Action::Modify { p } else { lp }, left));
            }
        }
        Ok(())
    }

    /// Quotes must not be crossed where both sides are present.
    pub fn quote_shape(&self, bid: &[i64], ask: &[i64]) -> Result<(), DataError> {
        for row in 0..self.len {
            if bid[row] > 0 && ask[row] > 0 && bid[row] >= ask[row] {
                let msg = format!("bid {} is not below ask {}", bid[row], ask[row]);
                return Err(self.err(Some(row), "ask", msg));
            }
        }
        Ok(())
    }
}
