//! Pre-trade checks of a managed account's new order or replace, in a fixed
//! order: kill switch, rate, order size and notional, price collar, reduce-only,
//! open orders, position limits (and the i64 position bound), gross exposure,
//! short selling, buying power. Each check runs only if its limit is set; the
//! first that fails names its reason and numbers. A post-trade-only account's
//! orders skip them all but the kill switch and the position bound. Nothing
//! here changes state.

use super::{reservation, Account, CollarRef, Holding, OrderRisk, Rejection, Reservation};
use crate::book::Book;
use crate::command::NewOrder;
use crate::engine::Engine;
use crate::event::RejectReason as R;
use crate::order::{OrderStatus, NIL};
use crate::types::{AccountId, OrderType, Price, Side, StpMode};

/// The lowest buying power a post-trade-only account's orders may take it to, −2^100 money units (beyond any
/// real account, far above where its `i128` totals could overflow); an order past it is refused as Overflow.
pub(crate) const CREDIT_FLOOR: i128 = -(1 << 100);

/// The order being checked, new or as it would be after a replace.
pub(crate) struct Ask {
    pub account: AccountId,
    pub side: Side,
    /// The price a collar measures (limit and stop-limit orders).
    pub limit: Option<Price>,
    /// The price it reserves at (0: a market order, checked by walking the book).
    pub reserve_price: Price,
    pub qty: i64,
    pub reduce_only: bool,
    pub stp: StpMode,
}

/// An order as the short checks see it: side, reserving price (whether it is collared), quantity.
pub(crate) struct Short {
    pub side: Side,
    pub price: Price,
    pub collared: bool,
    pub qty: i64,
}

/// What the order being replaced already contributes, so it is not counted twice.
#[derive(Default)]
pub(crate) struct Own {
    pub leaves: i64,
    pub covered: i64,
    pub notional: i128,
    pub cash: i128,
    pub reduce_only: bool,
}

impl Own {
    /// What the managed order with risk record `r` contributes now.
    fn of(r: &OrderRisk) -> Own {
        let res = r.res();
        Own {
            leaves: res.leaves,
            covered: res.covered,
            notional: res.notional,
            cash: res.cash,
            reduce_only: r.reduce_only,
        }
    }
}

/// The collar's reference as a fraction `num / den` (den 2 for a mid).
#[inline]
fn reference(book: &Book, kind: CollarRef) -> Option<(i128, i128)> {
    match kind {
        CollarRef::Off => None,
        CollarRef::Last => book.last_price.map(|p| (i128::from(p.0), 1)),
        CollarRef::Host => book.risk.reference.map(|p| (i128::from(p.0), 1)),
        CollarRef::Mid => {
            let bid = book.bids.best().map(|l| book.bids.level(l).price)?;
            let ask = book.asks.best().map(|l| book.asks.level(l).price)?;
            Some((i128::from(bid.0) + i128::from(ask.0), 2))
        }
    }
}

/// The position toward `side` if every open order of that side and this one (`qty`, replacing an order of
/// `own_leaves`) filled: long `pos + buys` for a buy, short `sells − pos` for a sell.
fn worst_position(h: &Holding, side: Side, own_leaves: i64, qty: i128) -> i128 {
    let pos = i128::from(h.pos.qty);
    let toward = match side {
        Side::Buy => pos + h.open[0],
        Side::Sell => h.open[1] - pos,
    };
    toward - i128::from(own_leaves) + qty
}

/// The quantity of a sell the long position covers (with what the order being replaced covers, `own_covered`); 0
/// for a buy.
fn covered_qty(h: &Holding, side: Side, own_covered: i64, qty: i128) -> i128 {
    match side {
        Side::Sell => (h.free_long() + i128::from(own_covered)).min(qty),
        Side::Buy => 0,
    }
}

/// Floor division for a positive divisor.
fn div_floor(n: i128, d: i128) -> i128 {
    n.div_euclid(d)
}

/// Ceiling division for a positive divisor.
fn div_ceil(n: i128, d: i128) -> i128 {
    -(-n).div_euclid(d)
}

impl Engine {
    /// A book's mark price: last trade, else mid (half away from zero), else the host's reference.
    pub(crate) fn mark(&self, b: usize) -> Option<Price> {
        let book = &self.books[b];
        if let Some(p) = book.last_price {
            return Some(p);
        }
        if let Some((num, 2)) = reference(book, CollarRef::Mid) {
            return Some(Price(super::position::div_round(num, 2) as i64));
        }
        book.risk.reference
    }

    /// Value of the first `first` and of the first `qty` units a market order of
    /// `account` on `side` would take from book `b`, and how much it could take.
    /// Own orders are skipped under self-trade prevention (they never fill then),
    /// which makes the values upper bounds that are exact without self-trades.
    fn walk(&self, b: usize, ask: &Ask, first: i64) -> (i128, i128) {
        let ladder = self.books[b].ladder(ask.side.opposite());
        let (mut got, mut at_first, mut value) = (0i64, None, 0i128);
        'levels: for lvl in ladder.iter_best_first() {
            let level = ladder.level(lvl);
            let mut idx = level.head;
            while idx != NIL {
                let o = self.orders.get(idx);
                idx = o.next;
                if o.account == ask.account && ask.stp != StpMode::None {
                    continue;
                }
                let take = o.leaves.0.min(ask.qty - got);
                if at_first.is_none() && got + take >= first {
                    at_first = Some(value + i128::from(level.price.0) * i128::from(first - got));
                }
                value += i128::from(level.price.0) * i128::from(take);
                got += take;
                if got == ask.qty {
                    break 'levels;
                }
            }
        }
        (at_first.unwrap_or(value), value)
    }

    /// Σ |position| × mark over the account's holdings (|basis| where no mark exists).
    #[inline]
    fn position_exposure(&self, acct: &Account) -> i128 {
        let mut sum = 0i128;
        // Zipped with the books (a holding's index is its book's): no bounds checks in the loop.
        for (b, (h, book)) in acct.holdings.iter().zip(&self.books).enumerate() {
            let Some(h) = h else { continue };
            // A flat position has no basis: it adds nothing, marked or not.
            if h.pos.qty == 0 && h.pos.basis == 0 {
                continue;
            }
            sum += match book.last_price {
                Some(m) => i128::from(h.pos.qty.unsigned_abs()) * i128::from(m.0),
                None => self.unmarked_exposure(b, h),
            };
        }
        sum
    }

    /// Whether Σ|position| × the highest trade price, a bound of [`Engine::position_exposure`], is at most
    /// `room`: every position's mark is its book's last trade (a position exists only after a trade there), at
    /// most `top_trade`, so far from the limit the exact sum is not needed.
    #[inline(always)]
    fn exposure_bound_within(&self, acct: &Account, room: i128) -> bool {
        // Σ|position| < 2^64 and the top price < 2^63, so the bound fits a u128 (top_trade is never negative).
        let bound = u64::try_from(acct.abs_qty).map(|q| u128::from(q) * u128::from(self.top_trade as u64));
        room >= 0 && bound.is_ok_and(|b| b <= room as u128)
    }

    /// A holding's exposure in a book without trades: at the mid or the host's reference, else |basis|.
    #[cold]
    fn unmarked_exposure(&self, b: usize, h: &Holding) -> i128 {
        match self.mark(b) {
            Some(m) => i128::from(h.pos.qty.unsigned_abs()) * i128::from(m.0),
            None => h.pos.basis.abs(),
        }
    }

    /// Checks a new order of a managed account; returns the reservation it needs as accepted (with the quantity
    /// its long position covers).
    #[inline]
    pub(crate) fn check_new(&self, o: &NewOrder, a: usize, b: usize) -> Result<Reservation, Rejection> {
        if let Some(res) = self.passes_new(o, a, b) {
            debug_assert_eq!(Ok(res), self.check_new_in_full(o, a, b), "the short check agrees with the full one");
            return Ok(res);
        }
        self.check_new_in_full(o, a, b)
    }

    /// The common case of [`Engine::check_new`] in a few compares against the
    /// folded limits (`Gate`): a resting or stop order, not reduce-only, in an
    /// instrument the account already holds. `Some` with the reservation when
    /// every check passes; `None` when it fails one or is not the common case,
    /// and the full check then decides, naming the reason and its numbers.
    #[inline]
    fn passes_new(&self, o: &NewOrder, a: usize, b: usize) -> Option<Reservation> {
        // Tested in the flow's order of frequency rather than matched: a match compiles to a jump table, an
        // indirect jump that mispredicts whenever the type differs from the last order's.
        let (price, collared) = if o.order_type == OrderType::Limit || o.order_type == OrderType::StopLimit {
            (o.price, true)
        } else if o.order_type == OrderType::Stop {
            (o.stop_price, false)
        } else {
            return None;
        };
        let acct = &self.accounts[a];
        if o.reduce_only || acct.open_orders >= acct.caps.max_open_orders {
            return None;
        }
        if let Some(bucket) = &acct.bucket {
            if !bucket.has_token(self.cmd_ts) {
                return None;
            }
        }
        let ask = Short { side: o.side, price, collared, qty: o.qty.0 };
        self.passes(acct, b, &ask, &Own::default())
    }

    /// The common case of [`Engine::check_replace`], as [`Engine::passes_new`]
    /// is of a new order's: `Some` with the reservation the replaced order
    /// needs when every check passes, `None` for the full check to decide.
    #[inline]
    fn passes_replace(&self, b: usize, idx: u32, price: Price, qty: i64) -> Option<Reservation> {
        let o = self.orders.get(idx);
        let r = &self.order_risk[idx as usize];
        let (reserve_price, collared) = match (o.order_type, o.status) {
            // Only a new limit price is collared: keeping the price re-checks nothing about it.
            (OrderType::Limit | OrderType::StopLimit, _) => (price, price != o.price),
            (OrderType::Stop, OrderStatus::PendingStop) => (o.stop_price, false),
            _ => return None,
        };
        if r.reduce_only {
            return None;
        }
        let own = Own::of(r);
        let ask = Short { side: o.side, price: reserve_price, collared, qty };
        self.passes(&self.accounts[r.acct as usize], b, &ask, &own)
    }

    /// The checks every order shares, against the folded limits, less what
    /// the order being replaced (`own`) already counts.
    #[inline(always)]
    fn passes(&self, acct: &Account, b: usize, ask: &Short, own: &Own) -> Option<Reservation> {
        let h = acct.holding(b)?;
        let (g, qty, price) = (&h.gate, ask.qty, ask.price);
        if acct.killed || qty > g.max_qty {
            return None;
        }
        let notional = i128::from(price.0) * i128::from(qty);
        if notional > i128::from(g.max_notional) {
            return None;
        }
        let book = &self.books[b];
        if ask.collared && g.collar_bps > 0 {
            let whole = match g.collar_ref {
                CollarRef::Last => book.last_price,
                CollarRef::Host => book.risk.reference,
                _ => None,
            };
            let outside = match whole {
                // A whole reference and positive prices (always, for valid ones): the same test in two multiplies.
                Some(r) if r.0 > 0 && price.0 > 0 => {
                    u128::from(price.0.abs_diff(r.0)) * 10_000 > u128::from(g.collar_bps) * u128::from(r.0 as u64)
                }
                _ => reference(book, g.collar_ref).is_some_and(|(num, den)| {
                    (i128::from(price.0) * den - num).abs() * 10_000 > i128::from(g.collar_bps) * num
                }),
            };
            if outside {
                return None;
            }
        }
        let (pos, qty_w, own_leaves) = (i128::from(h.pos.qty), i128::from(qty), i128::from(own.leaves));
        // Worst case, every open order of the side filled: long `pos + buys` against the long cap, short
        // `sells − pos` against the short one (selected, not branched on: the side is a coin toss).
        let buy = ask.side == Side::Buy;
        let (toward, cap) = if buy { (pos, g.max_long) } else { (-pos, g.max_short) };
        if toward + h.open[ask.side.index()] - own_leaves + qty_w > i128::from(cap) {
            return None;
        }
        // A sell's covered quantity, computed for either side and masked to 0 for a buy (no branch on the side).
        let covered = (h.free_long() + i128::from(own.covered)).min(qty_w) as i64 & -i64::from(!buy);
        // One compare of two numbers: the quantity a sell leaves uncovered (0 for a buy) against the room for it
        // (0 when short sales are forbidden). Written with `&&` or `&` on the tests, the compiler branches on the
        // side first, a coin toss in a mixed flow.
        let uncovered_sale = (qty - covered) & -i64::from(!buy);
        let short_room = i64::MAX & (i64::from(acct.caps.forbid_short) - 1);
        if uncovered_sale > short_room {
            return None;
        }
        if acct.caps.max_gross > 0 {
            let orders = acct.open_notional - own.notional + notional;
            let limit = i128::from(acct.caps.max_gross);
            if !self.exposure_bound_within(acct, limit - orders) && self.position_exposure(acct) + orders > limit {
                return None;
            }
        }
        let res = reservation(ask.side, price, qty, covered, &book.risk.fees);
        (res.cash <= acct.buying_power() + own.cash).then_some(res)
    }

    /// Every check of a new order, in order, with the rejection of the first that fails.
    /// A post-trade-only account's order, which fails the short check at its gate, is admitted here instead.
    fn check_new_in_full(&self, o: &NewOrder, a: usize, b: usize) -> Result<Reservation, Rejection> {
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        let reserve_price = match o.order_type {
            OrderType::Limit | OrderType::StopLimit => o.price,
            OrderType::Stop => o.stop_price,
            OrderType::Market => Price(0),
        };
        if self.accounts[a].limits.post_trade_only {
            return self.admit(a, b, o.side, reserve_price, o.qty.0, &Own::default());
        }
        let ask = Ask {
            account: o.account,
            side: o.side,
            limit: has_limit.then_some(o.price),
            reserve_price,
            qty: o.qty.0,
            reduce_only: o.reduce_only,
            stp: o.stp,
        };
        self.check(a, b, &ask, None)
    }

    /// Checks a replace of the managed order at `idx` to `price` / `qty`; returns the reservation the order needs
    /// once replaced (with its new covered quantity).
    #[inline]
    pub(crate) fn check_replace(&self, b: usize, idx: u32, price: Price, qty: i64) -> Result<Reservation, Rejection> {
        if let Some(res) = self.passes_replace(b, idx, price, qty) {
            debug_assert_eq!(Ok(res), self.check_replace_in_full(b, idx, price, qty), "the short check agrees");
            return Ok(res);
        }
        self.check_replace_in_full(b, idx, price, qty)
    }

    /// Every check of a replace, in order, with the rejection of the first that fails.
    /// A post-trade-only account's replace is admitted here, as its new order is in [`Engine::check_new_in_full`].
    fn check_replace_in_full(&self, b: usize, idx: u32, price: Price, qty: i64) -> Result<Reservation, Rejection> {
        let o = self.orders.get(idx);
        let r = &self.order_risk[idx as usize];
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        let reserve_price = match (o.order_type, o.status) {
            (OrderType::Limit | OrderType::StopLimit, _) => price,
            (OrderType::Stop, OrderStatus::PendingStop) => o.stop_price,
            _ => Price(0),
        };
        let own = Own::of(r);
        let a = r.acct as usize;
        if self.accounts[a].limits.post_trade_only {
            return self.admit(a, b, o.side, reserve_price, qty, &own);
        }
        let ask = Ask {
            account: o.account,
            side: o.side,
            // Only a new limit price is collared: keeping the price re-checks nothing about it.
            limit: (has_limit && price != o.price).then_some(price),
            reserve_price,
            qty,
            reduce_only: r.reduce_only,
            stp: o.stp,
        };
        self.check(a, b, &ask, Some(own))
    }

    /// The order of a post-trade-only account: refused only by the kill switch and by the bounds the accounting
    /// needs to stay exact (positions within i64, buying power not below [`CREDIT_FLOOR`]); returns the
    /// reservation it needs, covered as a checked order's.
    #[inline]
    fn admit(
        &self,
        a: usize,
        b: usize,
        side: Side,
        reserve_price: Price,
        qty: i64,
        own: &Own,
    ) -> Result<Reservation, Rejection> {
        let acct = &self.accounts[a];
        static EMPTY: Holding = Holding::EMPTY;
        let h = acct.holding(b).unwrap_or(&EMPTY);
        let qty_w = i128::from(qty);
        if acct.killed {
            return Err(Rejection::new(R::KillSwitch, 0, qty_w));
        }
        let worst = worst_position(h, side, own.leaves, qty_w);
        if worst > i128::from(i64::MAX) {
            return Err(Rejection::new(R::Overflow, i64::MAX.into(), worst));
        }
        let covered = covered_qty(h, side, own.covered, qty_w) as i64;
        let book = &self.books[b];
        let res = reservation(side, reserve_price, qty, covered, &book.risk.fees);
        // What the order can take from buying power: its reservation beyond what it holds, or for a market order
        // (which reserves nothing) its uncovered quantity at the instrument's highest price, with fees.
        let cost = if reserve_price.0 == 0 {
            let units = qty - covered;
            let notional = i128::from(book.spec.max_price.0) * i128::from(units);
            notional.checked_add(book.risk.fees.estimate(notional, units))
        } else {
            Some(res.cash - own.cash)
        };
        let room = acct.buying_power() - CREDIT_FLOOR;
        match cost {
            Some(cost) if cost <= room => Ok(res),
            _ => Err(Rejection::new(R::Overflow, room, cost.unwrap_or(i128::MAX))),
        }
    }

    /// Runs the checks; returns the reservation the order needs if it passes (at its reserving price for `qty`,
    /// with the quantity its long position covers).
    fn check(&self, a: usize, b: usize, ask: &Ask, own: Option<Own>) -> Result<Reservation, Rejection> {
        let acct = &self.accounts[a];
        let book = &self.books[b];
        static EMPTY: Holding = Holding::EMPTY;
        let h = acct.holding(b).unwrap_or(&EMPTY);
        let qty = i128::from(ask.qty);
        let is_new = own.is_none();
        let own = own.unwrap_or_default();
        debug_assert!(!acct.limits.post_trade_only, "a post-trade-only account's order is admitted, not checked");
        let (al, il) = (&acct.limits, &h.limits);

        if acct.killed {
            return Err(Rejection::new(R::KillSwitch, 0, qty));
        }
        if let (true, Some(bucket)) = (is_new, &acct.bucket) {
            if !bucket.has_token(self.cmd_ts) {
                let cap = i128::from(bucket.capacity());
                return Err(Rejection::new(R::RateLimited, cap, cap + 1));
            }
        }
        for limit in [il.max_order_qty, al.max_order_qty] {
            if limit > 0 && ask.qty > limit {
                return Err(Rejection::new(R::MaxOrderQty, limit.into(), qty));
            }
        }
        let covered = covered_qty(h, ask.side, own.covered, qty);
        let market = ask.reserve_price.0 == 0;
        let (first_value, value) = if market { self.walk(b, ask, covered as i64) } else { (0, 0) };
        let notional = if market { value } else { i128::from(ask.reserve_price.0) * qty };
        for limit in [il.max_order_notional, al.max_order_notional] {
            if limit > 0 && notional > i128::from(limit) {
                return Err(Rejection::new(R::MaxOrderNotional, limit.into(), notional));
            }
        }
        if let (Some(price), true) = (ask.limit, il.collar_bps > 0) {
            if let Some((num, den)) = reference(book, il.collar_ref) {
                let p = i128::from(price.0) * den;
                let bps = i128::from(il.collar_bps);
                if (p - num).abs() * 10_000 > bps * num {
                    let bound = if p > num {
                        div_floor(num * (10_000 + bps), 10_000 * den)
                    } else {
                        div_ceil(num * (10_000 - bps), 10_000 * den)
                    };
                    return Err(Rejection::new(R::PriceCollar, bound, price.0.into()));
                }
            }
        }
        let pos = i128::from(h.pos.qty);
        if ask.reduce_only {
            let (reducible, others) = match ask.side {
                Side::Buy => ((-pos).max(0), h.ro[0]),
                Side::Sell => (pos.max(0), h.ro[1]),
            };
            let others = others - if own.reduce_only { i128::from(own.leaves) } else { 0 };
            let room = (reducible - others).max(0);
            if qty > room {
                return Err(Rejection::new(R::ReduceOnly, room, qty));
            }
        }
        if is_new && al.max_open_orders > 0 && acct.open_orders >= al.max_open_orders {
            let limit = i128::from(al.max_open_orders);
            return Err(Rejection::new(R::MaxOpenOrders, limit, i128::from(acct.open_orders) + 1));
        }
        let worst = worst_position(h, ask.side, own.leaves, qty);
        let (cap, over_cap) = match ask.side {
            Side::Buy => (il.max_long, R::MaxLongPosition),
            Side::Sell => (il.max_short, R::MaxShortPosition),
        };
        if cap > 0 && worst > i128::from(cap) {
            return Err(Rejection::new(over_cap, cap.into(), worst));
        }
        if worst > i128::from(i64::MAX) {
            return Err(Rejection::new(R::Overflow, i64::MAX.into(), worst));
        }
        if al.max_gross_exposure > 0 {
            let orders = acct.open_notional - own.notional + notional;
            let limit = i128::from(al.max_gross_exposure);
            // Summed exactly only when the bound comes near the limit (a rejection names the exact figure).
            if !self.exposure_bound_within(acct, limit - orders) {
                let gross = self.position_exposure(acct) + orders;
                if gross > limit {
                    return Err(Rejection::new(R::MaxGrossExposure, limit, gross));
                }
            }
        }
        if ask.side == Side::Sell && covered < qty && al.forbid_short {
            return Err(Rejection::new(R::ShortSellingNotAllowed, covered, qty));
        }
        let fees = &book.risk.fees;
        // A market order reserves nothing once accepted (it never rests) but needs the cash its walk values.
        let res = reservation(ask.side, ask.reserve_price, ask.qty, covered as i64, fees);
        let required = if market {
            let (units, cash) = match ask.side {
                Side::Buy => (qty, value),
                Side::Sell => (qty - covered, value - first_value),
            };
            if cash == 0 {
                0
            } else {
                cash + fees.estimate(cash, units as i64)
            }
        } else {
            res.cash
        };
        let available = acct.buying_power() + own.cash;
        if required > available {
            return Err(Rejection::new(R::InsufficientBuyingPower, available, required));
        }
        Ok(res)
    }
}
