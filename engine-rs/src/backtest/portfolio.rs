//! The trade list: round trips built from the strategy's fills, one open
//! trade per instrument at a time. A fill in the position's direction adds to
//! the trade; an opposite fill closes part of it; a fill through zero closes
//! the trade and opens the next with the rest, its fee split between the two
//! by quantity (the closing part rounded toward zero). P&L is the engine's
//! realized P&L (average cost) minus fees, so the trade list adds up to the
//! account's realized P&L less its fees.

use super::metrics::Trade;
use crate::types::{Side, SymbolId};

/// A trade still open.
#[derive(Clone, Copy, Debug)]
struct Open {
    side: Side,
    entry_ts: u64,
    last_ts: u64,
    entry_qty: i64,
    entry_notional: i128,
    exit_qty: i64,
    exit_notional: i128,
    realized: i128,
    fees: i128,
    /// Signed position of the trade.
    pos: i64,
}

impl Open {
    fn new(side: Side, ts: u64) -> Self {
        Open {
            side,
            entry_ts: ts,
            last_ts: ts,
            entry_qty: 0,
            entry_notional: 0,
            exit_qty: 0,
            exit_notional: 0,
            realized: 0,
            fees: 0,
            pos: 0,
        }
    }

    fn enter(&mut self, price: i64, qty: i64, fee: i128) {
        self.entry_qty += qty;
        self.entry_notional += i128::from(price) * i128::from(qty);
        self.fees += fee;
        self.pos += if self.side == Side::Buy { qty } else { -qty };
    }

    /// The trade as a `Trade`, with `rest_value` the value of the still-open
    /// position at its mark and `rest_basis` its cost (both 0 when closed).
    fn finish(&self, symbol: SymbolId, exit_ts: u64, mark: Option<i64>, rest_basis: i128) -> Trade {
        let open_qty = self.pos.abs();
        let mark_value = mark.map_or(0, |m| i128::from(m) * i128::from(open_qty));
        let unrealized = if self.pos == 0 {
            0
        } else if self.side == Side::Buy {
            mark_value - rest_basis
        } else {
            rest_basis.abs() - mark_value
        };
        let pnl = (self.realized + unrealized - self.fees) as f64;
        let entry_notional = self.entry_notional as f64;
        let exit_qty = self.exit_qty + if mark.is_some() { open_qty } else { 0 };
        let exit_notional = self.exit_notional + mark_value;
        Trade {
            symbol,
            side: self.side,
            entry_ts: self.entry_ts,
            exit_ts,
            entry_price: entry_notional / self.entry_qty as f64,
            exit_price: if exit_qty > 0 { exit_notional as f64 / exit_qty as f64 } else { 0.0 },
            qty: self.entry_qty,
            pnl,
            ret: if entry_notional != 0.0 { pnl / entry_notional } else { 0.0 },
            duration: exit_ts - self.entry_ts,
            fees: self.fees as f64,
            open: self.pos != 0,
        }
    }
}

/// Builds trades from fills, per instrument index.
#[derive(Clone, Debug, Default)]
pub(crate) struct TradeBook {
    open: Vec<Option<Open>>,
    symbols: Vec<SymbolId>,
    /// Closed trades in the order they closed.
    pub closed: Vec<Trade>,
}

impl TradeBook {
    /// Registers instrument index `inst`.
    pub fn add_instrument(&mut self, symbol: SymbolId) {
        self.open.push(None);
        self.symbols.push(symbol);
    }

    /// Books one fill of the strategy: `realized` is the P&L the engine says it realized.
    #[allow(clippy::too_many_arguments)]
    pub fn on_fill(&mut self, inst: usize, ts: u64, side: Side, price: i64, qty: i64, fee: i128, realized: i128) {
        let symbol = self.symbols[inst];
        let slot = &mut self.open[inst];
        let Some(trade) = slot else {
            let mut t = Open::new(side, ts);
            t.enter(price, qty, fee);
            *slot = Some(t);
            return;
        };
        trade.last_ts = ts;
        if trade.side == side {
            trade.enter(price, qty, fee);
            return;
        }
        let closing = qty.min(trade.pos.abs());
        let close_fee = fee * i128::from(closing) / i128::from(qty);
        trade.exit_qty += closing;
        trade.exit_notional += i128::from(price) * i128::from(closing);
        trade.realized += realized;
        trade.fees += close_fee;
        trade.pos += if side == Side::Buy { closing } else { -closing };
        if trade.pos == 0 {
            let done = trade.finish(symbol, ts, None, 0);
            self.closed.push(done);
            *slot = None;
            let rest = qty - closing;
            if rest > 0 {
                let mut t = Open::new(side, ts);
                t.enter(price, rest, fee - close_fee);
                *slot = Some(t);
            }
        }
    }

    /// The open trades, marked at `mark(inst)` with the position's remaining
    /// cost `basis(inst)`, stamped `now`.
    pub fn open_trades(
        &self,
        now: u64,
        mark: impl Fn(usize) -> Option<i64>,
        basis: impl Fn(usize) -> i128,
    ) -> Vec<Trade> {
        self.open
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.as_ref().map(|t| t.finish(self.symbols[i], now, mark(i), basis(i))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flip_closes_one_trade_and_opens_the_next() {
        let mut b = TradeBook::default();
        b.add_instrument(SymbolId(1));
        // Buy 10 @ 100 (fee 4), buy 10 @ 110 (fee 4): long 20 at 105.
        b.on_fill(0, 1, Side::Buy, 100, 10, 4, 0);
        b.on_fill(0, 2, Side::Buy, 110, 10, 4, 0);
        // Sell 30 @ 120, fee 9: closes 20 (realized 20 × (120 − 105) = 300, fee 9 × 20/30 = 6), opens short 10 (fee 3).
        b.on_fill(0, 5, Side::Sell, 120, 30, 9, 300);
        assert_eq!(b.closed.len(), 1);
        let t = b.closed[0];
        assert_eq!((t.side, t.entry_ts, t.exit_ts, t.qty, t.duration), (Side::Buy, 1, 5, 20, 4));
        assert_eq!((t.entry_price, t.exit_price, t.fees), (105.0, 120.0, 14.0));
        assert_eq!(t.pnl, 300.0 - 14.0);
        assert_eq!(t.ret, 286.0 / 2100.0);
        assert!(!t.open);
        // The short 10 @ 120 marked at 115 with basis −1200: unrealized 1200 − 1150 = 50, minus fee 3.
        let open = b.open_trades(9, |_| Some(115), |_| -1200);
        assert_eq!(open.len(), 1);
        let s = open[0];
        assert_eq!(
            (s.side, s.qty, s.entry_price, s.exit_price, s.pnl, s.open),
            (Side::Sell, 10, 120.0, 115.0, 47.0, true)
        );
        assert_eq!(s.duration, 4);
    }
}
