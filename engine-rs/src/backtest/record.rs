//! The f64 record layouts that carry data and order updates to a strategy
//! and its commands back: fixed-size records of [`STRIDE`] f64 slots, so a
//! JS host reads and writes them through one `Float64Array` view per batch.
//!
//! Every record starts `[kind, ts, symbol, …]`; unused slots are 0.
//!
//! | kind | name | slots 3 … 11 |
//! | ---: | --- | --- |
//! | 1 | bar | open, high, low, close, volume, row, stream |
//! | 2 | trade | price, qty, aggressor side (0 unknown, 1 buy, 2 sell), –, –, row, stream |
//! | 3 | quote | bid, bid qty, ask, ask qty, –, row, stream |
//! | 4 | depth | side, price, qty (new level total; 0 removes it), –, –, row, stream |
//! | 5 | order (L3) | action (1 add, 2 cancel, 3 delete, 4 execute, 5 modify), exchange order id, side, price, size, row, stream |
//! | 10 | accepted | order id, side, type, price, qty, stop price, tif |
//! | 11 | rejected | order id, reason (the engine's reject codes) |
//! | 12 | fill | order id, side, price, qty, fee, liquidity (1 maker, 2 taker), position after, cash after, leaves |
//! | 13 | cancelled | order id, reason (the engine's cancel codes), qty cancelled |
//! | 14 | replaced | order id, new price, new leaves |
//! | 15 | triggered | order id, stop price, trigger price |
//!
//! `ts` is when it happened at the venue (a data point's own timestamp); the
//! strategy receives it later by the market-data latency. A `rejected` after
//! an `accepted` means the venue refused to execute the order when it came to
//! fill (the engine's risk checks run at execution); the order is gone.
//!
//! Commands (`[kind, id, symbol, …]`, [`STRIDE`] slots):
//!
//! | kind | name | slots |
//! | ---: | --- | --- |
//! | 1 | new order | 1 id, 2 symbol, 3 side, 4 type (1 limit, 2 market, 3 stop, 4 stop-limit), 5 tif (1 GTC, 2 DAY, 3 GTD, 4 IOC, 5 FOK), 6 price, 7 qty, 8 stop price, 9 expire at (GTD), 10 flags (bit 0 reduce-only) |
//! | 2 | cancel | 1 id |
//! | 3 | replace | 1 id, 6 new price (0 keeps it), 7 new open quantity |
//!
//! A command whose numbers do not decode (not an integer, out of range, an
//! unknown code) is answered with `rejected`, reason 1 (malformed).

/// Slots per record, both directions.
pub const STRIDE: usize = 12;

/// Record kinds (slot 0) of what the strategy receives.
pub mod kind {
    /// An OHLCV bar.
    pub const BAR: f64 = 1.0;
    /// A trade print.
    pub const TRADE: f64 = 2.0;
    /// A top-of-book quote.
    pub const QUOTE: f64 = 3.0;
    /// An L2 level update.
    pub const DEPTH: f64 = 4.0;
    /// An L3 (market-by-order) event.
    pub const ORDER: f64 = 5.0;
    /// An order was accepted by the venue.
    pub const ACCEPTED: f64 = 10.0;
    /// An order or command was refused.
    pub const REJECTED: f64 = 11.0;
    /// A fill of a strategy order.
    pub const FILL: f64 = 12.0;
    /// Quantity was cancelled.
    pub const CANCELLED: f64 = 13.0;
    /// An order was replaced.
    pub const REPLACED: f64 = 14.0;
    /// A stop order triggered.
    pub const TRIGGERED: f64 = 15.0;
}

/// Command kinds (slot 0) of what the strategy sends.
pub mod command {
    /// A new order.
    pub const NEW: f64 = 1.0;
    /// Cancel an order.
    pub const CANCEL: f64 = 2.0;
    /// Replace an order's price and/or quantity.
    pub const REPLACE: f64 = 3.0;
}

/// One record.
pub type Record = [f64; STRIDE];

/// A record of `kind` at `ts` for `symbol` with the given payload from slot 3 on.
pub(crate) fn make(kind: f64, ts: u64, symbol: u32, payload: &[f64]) -> Record {
    let mut r = [0.0; STRIDE];
    r[0] = kind;
    r[1] = ts as f64;
    r[2] = f64::from(symbol);
    r[3..3 + payload.len()].copy_from_slice(payload);
    r
}
