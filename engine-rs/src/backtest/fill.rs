//! Fill rules as pure functions: the OHLC path a bar is assumed to take, when
//! a price is first touched on it, slippage, the volume cap, and how a trade
//! print consumes a price level's queue.
//!
//! **OHLC path.** A bar is assumed to move in straight lines through four
//! points: `O → L → H → C` when it closes at or above its open (it dipped
//! first, then rallied), `O → H → L → C` when it closes below (it rallied
//! first, then fell). Time along the path runs from 0 (the open) to 3 (the
//! close); a price's *touch time* is the first time the path reaches it.

use crate::types::Side;

/// Slippage applied to fills priced from bars or trade prints (market and
/// stop orders, and limit orders that fill at a gapped open); fills against
/// an L2 or quote book take the book's prices and get none.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Slippage {
    /// No slippage.
    #[default]
    None,
    /// A whole number of ticks against the order.
    Ticks(u32),
    /// Basis points of the price against the order, rounded to the tick grid
    /// against the order (a buy pays at least this much more).
    Bps(f64),
}

impl Slippage {
    /// Whether the amount is sane (bps finite, from 0 to 10 000).
    pub fn is_valid(&self) -> bool {
        match *self {
            Slippage::Bps(b) => b.is_finite() && (0.0..=10_000.0).contains(&b),
            _ => true,
        }
    }

    /// `price` moved against an order on `side`, on the tick grid.
    pub fn apply(&self, price: i64, side: Side, tick: i64) -> i64 {
        let sign = if side == Side::Buy { 1 } else { -1 };
        match *self {
            Slippage::None => price,
            Slippage::Ticks(n) => price + sign * i64::from(n) * tick,
            Slippage::Bps(bps) => {
                let moved = price as f64 * (1.0 + sign as f64 * bps / 10_000.0) / tick as f64;
                // Round against the order: a buy up, a sell down (never below one tick).
                let ticks = if side == Side::Buy { moved.ceil() } else { moved.floor() };
                (ticks as i64 * tick).max(tick)
            }
        }
    }
}

/// How market orders fill on bar data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BarMarketFill {
    /// At the open of the first bar processed after the order reached the venue (default).
    #[default]
    NextOpen,
    /// At once, at the close of the last bar the venue has seen (the bar the
    /// strategy just reacted to, with zero latency); before any bar, at the next open.
    SameClose,
}

/// What triggers stop orders on print and book data (bars always use the
/// bar's path, see [`touch_time`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopTrigger {
    /// Trade prints (and L3 executions): a buy stop triggers when a print is
    /// at or above its stop, a sell stop at or below (default). With book data
    /// but no prints, stops never trigger.
    #[default]
    Last,
    /// The book: a buy stop triggers when the best ask is at or above its
    /// stop, a sell stop when the best bid is at or below; prints are ignored.
    /// For quote-only and L2-only data.
    Quote,
}

/// The four points of a bar's assumed path (see the module docs).
pub fn bar_path(open: i64, high: i64, low: i64, close: i64) -> [i64; 4] {
    if close >= open {
        [open, low, high, close]
    } else {
        [open, high, low, close]
    }
}

/// The path's price at time `t` (0 ≤ t ≤ 3).
fn price_at(path: &[i64; 4], t: f64) -> f64 {
    let k = (t.floor() as usize).min(2);
    let (a, b) = (path[k] as f64, path[k + 1] as f64);
    a + (b - a) * (t - k as f64)
}

/// The first time at or after `from` that the path reaches `price` from
/// below (`rising`: price ≥ target) or from above (price ≤ target).
pub fn touch_time(path: &[i64; 4], from: f64, price: i64, rising: bool) -> Option<f64> {
    let target = price as f64;
    let reached = |p: f64| if rising { p >= target } else { p <= target };
    let start = price_at(path, from);
    if reached(start) {
        return Some(from);
    }
    let mut k = (from.floor() as usize).min(2);
    let mut a = start;
    let mut at = from;
    while k < 3 {
        let b = path[k + 1] as f64;
        if reached(b) {
            // a does not reach the target, b does: interpolate inside the segment.
            return Some(at + (k as f64 + 1.0 - at) * (target - a) / (b - a));
        }
        k += 1;
        a = b;
        at = k as f64;
    }
    None
}

/// The volume a bar or print lets the strategy trade: `cap × volume` rounded
/// down to the lot, or unlimited when `cap` is 0.
pub fn volume_budget(cap: f64, volume: i64, lot: i64) -> i64 {
    if cap <= 0.0 {
        return i64::MAX;
    }
    let raw = (cap * volume as f64).floor() as i64;
    raw - raw % lot
}

/// How a print of `volume` at one price fills the strategy's orders queued at
/// that price, given as `(ahead, leaves)` in queue order (`ahead`: the
/// estimated quantity in front of the order). Each order fills with what the
/// print has beyond its queue position, after earlier orders took theirs; an
/// order fills only once every earlier one is complete (queue order). Returns
/// the fills and updates each `ahead` to what remains in front after the print.
pub fn queue_fills(volume: i64, orders: &mut [(i64, i64)]) -> Vec<i64> {
    let mut queue = QueueOrder::default();
    orders
        .iter_mut()
        .map(|(ahead, leaves)| {
            let fill = queue.fill(volume - *ahead, *leaves);
            *ahead = (*ahead - volume).max(0);
            fill
        })
        .collect()
}

/// Shares a volume among the strategy's orders at one price in their queue
/// order (print fills here, execution fills in `l3`): each order takes what
/// is offered to it beyond what the earlier ones took, and once one is left
/// short every later one gets nothing (a later order never passes an
/// unfilled earlier one).
#[derive(Default)]
pub(crate) struct QueueOrder {
    given: i64,
    blocked: bool,
}

impl QueueOrder {
    /// The fill of the next order in the queue, with `leaves` open, that the
    /// volume reaches with `offered` (before the earlier orders' fills).
    pub(crate) fn fill(&mut self, offered: i64, leaves: i64) -> i64 {
        let fill = if self.blocked { 0 } else { (offered - self.given).max(0).min(leaves) };
        self.given += fill;
        self.blocked |= fill < leaves;
        fill
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_dips_first_on_an_up_bar_and_rallies_first_on_a_down_bar() {
        assert_eq!(bar_path(100, 110, 95, 105), [100, 95, 110, 105]);
        assert_eq!(bar_path(100, 110, 95, 100), [100, 95, 110, 100], "a flat bar counts as up");
        assert_eq!(bar_path(100, 110, 95, 97), [100, 110, 95, 97]);
    }

    #[test]
    fn touch_times_interpolate_along_the_path() {
        let up = bar_path(100, 110, 90, 105); // 100 → 90 → 110 → 105
        assert_eq!(touch_time(&up, 0.0, 100, true), Some(0.0));
        // 95 falling: halfway down the first leg.
        assert_eq!(touch_time(&up, 0.0, 95, false), Some(0.5));
        // 105 rising: first leg falls, second goes 90 → 110, reaching 105 at 3/4 of it.
        assert_eq!(touch_time(&up, 0.0, 105, true), Some(1.75));
        assert_eq!(touch_time(&up, 0.0, 111, true), None);
        // From t = 2 (at 110) the close leg falls to 105, passing 107 at 3/5 of it.
        assert_eq!(touch_time(&up, 2.0, 107, false), Some(2.6));
        assert_eq!(touch_time(&up, 1.75, 95, false), None);
    }

    #[test]
    fn slippage_moves_against_the_order_on_the_grid() {
        assert_eq!(Slippage::Ticks(2).apply(1000, Side::Buy, 5), 1010);
        assert_eq!(Slippage::Ticks(2).apply(1000, Side::Sell, 5), 990);
        // 10 bps of 1000 = 1.0 → 1001 on a tick of 1; on a tick of 5 a buy rounds up to 1005.
        assert_eq!(Slippage::Bps(10.0).apply(1000, Side::Buy, 1), 1001);
        assert_eq!(Slippage::Bps(10.0).apply(1000, Side::Buy, 5), 1005);
        assert_eq!(Slippage::Bps(10.0).apply(1000, Side::Sell, 5), 995);
        assert_eq!(Slippage::None.apply(1000, Side::Sell, 5), 1000);
        assert!(!Slippage::Bps(f64::NAN).is_valid() && !Slippage::Bps(-1.0).is_valid());
    }

    #[test]
    fn the_volume_cap_rounds_down_to_the_lot() {
        assert_eq!(volume_budget(0.0, 1000, 1), i64::MAX);
        assert_eq!(volume_budget(0.1, 1234, 1), 123);
        assert_eq!(volume_budget(0.1, 1234, 50), 100);
    }

    #[test]
    fn a_print_consumes_the_queue_ahead_first() {
        // Two orders at a level: 30 ahead of the first (10 lots), 50 ahead of the second (5 lots).
        let mut q = [(30, 10), (50, 5)];
        assert_eq!(queue_fills(20, &mut q), vec![0, 0]);
        assert_eq!(q, [(10, 10), (30, 5)]);
        // 25 more: the first gets 15 beyond its 10 ahead → fills 10; the second: 25 − 30 − 10 < 0 → 0.
        assert_eq!(queue_fills(25, &mut q), vec![10, 0]);
        assert_eq!(q, [(0, 10), (5, 5)]);
        // A later order cannot pass an unfilled earlier one.
        let mut q = [(10, 10), (0, 5)];
        assert_eq!(queue_fills(15, &mut q), vec![5, 0]);
    }
}
