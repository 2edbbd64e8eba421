//! Accounting of managed accounts: reservations applied by difference at one
//! place ([`Engine::sync`]) whenever an order changes, fills into positions and
//! cash, the account commands, the queries, and a from-scratch consistency check.

use super::{reservation, Account, AccountLimits, AccountView, Fees, InstrumentLimits, Liquidity, PositionView};
use super::{OrderRisk, Rejection, Reservation};
use crate::engine::Engine;
use crate::event::{CancelReason, EventKind, RejectReason};
use crate::order::{Order, OrderStatus};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, SymbolId};

/// Wire kind codes of the configuration commands, echoed in `ConfigChanged`.
pub(crate) mod what {
    pub const ACCOUNT_LIMITS: u8 = 10;
    pub const INSTRUMENT_LIMITS: u8 = 11;
    pub const FEES: u8 = 12;
    pub const KILL_SWITCH: u8 = 13;
    pub const HALT: u8 = 14;
    pub const REFERENCE_PRICE: u8 = 15;
}

/// The price an order reserves at: its limit, a pending stop-market's stop
/// price, or 0 for market and triggered stop-market orders (they never rest).
#[inline(always)]
pub(crate) fn reserving_price(o: &Order) -> Price {
    // Selected by masks, not matched: a match on the type compiles to a jump table, and a fill's order is a
    // limit or a market order as the flow has it (an indirect jump that mispredicts).
    let limit_priced = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
    let pending_stop = (o.order_type == OrderType::Stop) & (o.status == OrderStatus::PendingStop);
    Price((o.price.0 & -i64::from(limit_priced)) | (o.stop_price.0 & -i64::from(pending_stop)))
}

impl Engine {
    /// The reservation order `o` in book `b` needs now with `covered` units covered.
    fn needs(&self, o: &Order, b: usize, covered: i64) -> Reservation {
        reservation(o.side, reserving_price(o), o.leaves.0, covered, &self.books[b].risk.fees)
    }

    /// A managed account by id.
    pub(crate) fn acct(&self, id: AccountId) -> Option<&Account> {
        self.account_ix.get(id).map(|a| &self.accounts[a as usize])
    }

    fn acct_mut(&mut self, id: AccountId) -> Option<&mut Account> {
        self.account_ix.get(id).map(|a| &mut self.accounts[a as usize])
    }

    /// The risk entry of the managed order at slab slot `idx`, grown on demand.
    #[inline]
    pub(crate) fn risk_slot(&mut self, idx: u32) -> &mut OrderRisk {
        let i = idx as usize;
        if i >= self.order_risk.len() {
            self.order_risk.resize(i + 1, OrderRisk::default());
        }
        &mut self.order_risk[i]
    }

    /// Applies a managed order's current reservation to its account by
    /// difference, keeping its covered quantity. Called after every change of
    /// an order's leaves, price or status.
    #[inline]
    pub(crate) fn sync(&mut self, idx: u32) {
        if self.orders.get(idx).managed {
            let covered = self.order_risk[idx as usize].covered;
            self.sync_managed(idx, covered);
        }
    }

    /// After a replace changed the order at `idx`: applies the reservation its check computed (`None` for an
    /// unmanaged order), which is what [`Engine::sync`] would compute with the replace's covered quantity.
    #[inline]
    pub(crate) fn sync_replaced(&mut self, idx: u32, checked: Option<Reservation>) {
        if let Some(res) = checked {
            let o = self.orders.get(idx);
            debug_assert_eq!(
                res,
                self.needs(o, self.order_risk[idx as usize].book as usize, res.covered),
                "the check reserved what the replaced order needs"
            );
            self.apply(o.side, idx, res);
        }
    }

    fn sync_managed(&mut self, idx: u32, covered: i64) {
        let o = self.orders.get(idx);
        let new = self.needs(o, self.order_risk[idx as usize].book as usize, covered);
        self.apply(o.side, idx, new);
    }

    /// Starts accounting the new managed order at `idx` of account `a` in book
    /// `b`, with the reservation its check computed (what [`Engine::sync`]
    /// would compute): writes its record and adds it to the totals.
    #[inline(always)]
    pub(crate) fn track(&mut self, idx: u32, a: u32, b: u32, reduce_only: bool, res: Reservation) {
        let o = self.orders.get(idx);
        let (side, arrival) = (o.side, o.arrival);
        // The record is written in place (not built aside and copied: 64 bytes per order).
        self.risk_slot(idx).start(a, b, reduce_only, res);
        let acct = &mut self.accounts[a as usize];
        acct.open_orders += 1;
        acct.reserved += res.cash;
        acct.open_notional += res.notional;
        let h = acct.holding_mut(b as usize);
        let leaves = i128::from(res.leaves);
        // Per-side totals by index, not by a branch on the side (a coin toss in a mixed flow); only sells cover.
        h.open[side.index()] += leaves;
        if reduce_only {
            h.ro[side.index()] += leaves;
        }
        debug_assert!(side == Side::Sell || res.covered == 0);
        h.covered += i128::from(res.covered);
        if res.covered > 0 {
            self.order_risk[idx as usize].cover_slot = h.covered_sells.join(arrival, idx);
        }
        debug_assert_eq!(
            res,
            self.needs(self.orders.get(idx), b as usize, res.covered),
            "the check reserved what the order needs"
        );
    }

    /// Stops accounting an order that is leaving the book: every reservation it held is released.
    #[inline(always)]
    pub(crate) fn release(&mut self, idx: u32) {
        let o = self.orders.get(idx);
        if !o.managed {
            return;
        }
        let side = o.side;
        // The record stays as it is: only a managed order's is read, and `track` rewrites it whole.
        let r = self.order_risk[idx as usize];
        let res = r.res();
        let acct = &mut self.accounts[r.acct as usize];
        acct.open_orders -= 1;
        acct.reserved -= res.cash;
        acct.open_notional -= res.notional;
        let h = acct.tracked_mut(r.book as usize);
        let leaves = i128::from(res.leaves);
        h.open[side.index()] -= leaves;
        if r.reduce_only {
            h.ro[side.index()] -= leaves;
        }
        h.covered -= i128::from(res.covered);
        if res.covered > 0 {
            if let Some(moved) = h.covered_sells.leave(r.cover_slot, idx) {
                self.order_risk[moved as usize].cover_slot = r.cover_slot;
            }
        }
    }

    /// Applies the change of the managed order at `idx` from the reservation
    /// it holds to `new`, and records `new` as held.
    #[inline]
    fn apply(&mut self, side: Side, idx: u32, new: Reservation) {
        let r = &mut self.order_risk[idx as usize];
        let (old, reduce_only, a, b) = (r.res(), r.reduce_only, r.acct as usize, r.book as usize);
        r.set_res(new);
        let acct = &mut self.accounts[a];
        acct.reserved += new.cash - old.cash;
        acct.open_notional += new.notional - old.notional;
        let h = acct.tracked_mut(b);
        let leaves = i128::from(new.leaves - old.leaves);
        h.open[side.index()] += leaves;
        if reduce_only {
            h.ro[side.index()] += leaves;
        }
        // Only sells cover (a buy's covered quantity is always 0).
        h.covered += i128::from(new.covered - old.covered);
        match (old.covered > 0, new.covered > 0) {
            (false, true) => {
                let slot = h.covered_sells.join(self.orders.get(idx).arrival, idx);
                self.order_risk[idx as usize].cover_slot = slot;
            }
            (true, false) => {
                let slot = self.order_risk[idx as usize].cover_slot;
                if let Some(moved) = h.covered_sells.leave(slot, idx) {
                    self.order_risk[moved as usize].cover_slot = slot;
                }
            }
            _ => {}
        }
    }

    /// Books one side of a trade for a managed order (its leaves already
    /// reduced): fee, position, cash, reservation, then the `Fill` event. The
    /// reservation update is [`Engine::sync`]'s, done here with the account and
    /// holding already in hand.
    pub(crate) fn on_fill(&mut self, b: usize, idx: u32, price: Price, qty: Qty, liquidity: Liquidity) {
        let o = self.orders.get(idx);
        let (side, leaves, account, order_id, symbol) = (o.side, o.leaves.0, o.account, o.id, o.symbol);
        let reserve_at = reserving_price(o);
        let fees = &self.books[b].risk.fees;
        let notional = i128::from(price.0) * i128::from(qty.0);
        let fee = fees.fee(liquidity, notional, qty.0);
        let r = &mut self.order_risk[idx as usize];
        let a = r.acct as usize;
        let acct = &mut self.accounts[a];
        let h = acct.tracked_mut(b);
        let (short_before, abs_before) = (h.pos.short_requirement(), h.pos.qty.unsigned_abs());
        let realized = h.pos.apply_fill(side, price.0, qty.0);
        let position = h.pos.qty;
        let short_change = h.pos.short_requirement() - short_before;
        // A sell delivers its covered quantity first.
        let held = r.covered;
        // Left covered-sell index: (place, order moved into it).
        let mut left = None;
        let (mut reserved_change, mut notional_change) = (0, 0);
        if leaves > 0 || held > 0 {
            let (old, new) = (r.res(), reservation(side, reserve_at, leaves, held - held.min(qty.0), fees));
            r.set_res(new);
            (reserved_change, notional_change) = (new.cash - old.cash, new.notional - old.notional);
            let change = i128::from(new.leaves - old.leaves);
            h.open[side.index()] += change;
            if r.reduce_only {
                h.ro[side.index()] += change;
            }
            // Only sells cover. A fill only lowers coverage: an order can leave the index, never join it.
            h.covered += i128::from(new.covered - old.covered);
            if old.covered > 0 && new.covered == 0 {
                left = Some((r.cover_slot, h.covered_sells.leave(r.cover_slot, idx)));
            }
        }
        // Else the order is filled and leaves the book within this command (`free` releases what it holds): the
        // account's totals are settled then, and nothing in between reads them (it covers nothing).
        // Both tests evaluated (`&`, not `&&`): branching on the side first mispredicts half the time.
        let uncovering = (side == Side::Sell) & (h.covered > i128::from(position.max(0)));
        acct.short_req += short_change;
        acct.abs_qty += i128::from(position.unsigned_abs()) - i128::from(abs_before);
        acct.realized += realized;
        acct.reserved += reserved_change;
        acct.open_notional += notional_change;
        acct.cash += if side == Side::Buy { -notional } else { notional } - fee;
        let cash = acct.cash;
        if let Some((slot, Some(moved))) = left {
            self.order_risk[moved as usize].cover_slot = slot;
        }
        if uncovering {
            self.uncover(a, b);
        }
        self.emit(EventKind::Fill {
            account,
            order_id,
            symbol,
            side,
            liquidity,
            price,
            qty,
            fee,
            realized,
            position,
            cash,
        });
    }

    /// Keeps Σ covered ≤ long: when a short sale's fill has eaten into quantity
    /// other sells counted as covered, the most recent of those lose coverage
    /// first and reserve collateral as short sales.
    #[cold]
    fn uncover(&mut self, a: usize, b: usize) {
        let h = self.accounts[a].holding(b).expect("a filled order's holding");
        let mut excess = h.covered - i128::from(h.pos.qty.max(0));
        if excess <= 0 {
            return;
        }
        // Most recent first: each step either uncovers an order fully (it leaves the index) or ends the excess.
        while excess > 0 {
            let h = self.accounts[a].holding(b).expect("a filled order's holding");
            let Some(idx) = h.covered_sells.latest() else { break };
            let covered = self.order_risk[idx as usize].covered;
            let take = i128::from(covered).min(excess);
            excess -= take;
            self.sync_managed(idx, covered - take as i64);
        }
        debug_assert!(excess <= 0, "covered quantity above the long position");
    }

    /// Makes `account` managed if it is not, adopting its live orders.
    fn manage(&mut self, account: AccountId) {
        if self.account_ix.get(account).is_some() {
            return;
        }
        let acct = u32::try_from(self.accounts.len()).expect("fewer than 2^32 accounts");
        self.account_ix.insert(account, acct);
        self.accounts.push(Account { id: account, ..Account::default() });
        for b in 0..self.books.len() {
            let mut adopted = Vec::new();
            self.collect_live(b, None, |o| o.account == account, &mut adopted);
            for idx in adopted {
                self.orders.get_mut(idx).managed = true;
                let res = self.needs(self.orders.get(idx), b, 0);
                self.track(idx, acct, b as u32, false, res);
            }
        }
    }

    fn config_changed(&mut self, what: u8, account: AccountId, symbol: SymbolId) {
        self.emit(EventKind::ConfigChanged { what, account, symbol });
    }

    fn refuse(&mut self, account: AccountId, symbol: SymbolId, r: Rejection) {
        self.reject_with(OrderId(0), account, symbol, r);
    }

    fn malformed(&mut self, account: AccountId, symbol: SymbolId) {
        self.reject(OrderId(0), account, symbol, RejectReason::Malformed);
    }

    pub(crate) fn deposit(&mut self, account: AccountId, amount: i64) {
        if amount <= 0 {
            return self.malformed(account, SymbolId(0));
        }
        let cash = self.acct(account).map_or(0, |a| a.cash);
        let Some(after) = cash.checked_add(amount.into()) else {
            return self.refuse(
                account,
                SymbolId(0),
                Rejection::new(RejectReason::Overflow, i128::MAX - cash, amount.into()),
            );
        };
        self.manage(account);
        self.acct_mut(account).expect("managed").cash = after;
        self.emit(EventKind::CashMoved { account, amount: amount.into(), cash: after });
    }

    pub(crate) fn withdraw(&mut self, account: AccountId, amount: i64) {
        if amount <= 0 {
            return self.malformed(account, SymbolId(0));
        }
        let power = self.acct(account).map_or(0, Account::buying_power);
        if i128::from(amount) > power {
            let r = Rejection::new(RejectReason::InsufficientFunds, power.max(0), amount.into());
            return self.refuse(account, SymbolId(0), r);
        }
        let acct = self.acct_mut(account).expect("positive buying power means managed");
        acct.cash -= i128::from(amount);
        let cash = acct.cash;
        self.emit(EventKind::CashMoved { account, amount: -i128::from(amount), cash });
    }

    pub(crate) fn set_account_limits(&mut self, account: AccountId, limits: AccountLimits) {
        let l = &limits;
        if l.max_order_qty < 0
            || l.max_order_notional < 0
            || l.max_gross_exposure < 0
            || (l.rate_capacity > 0 && l.rate_interval == 0)
        {
            return self.malformed(account, SymbolId(0));
        }
        self.manage(account);
        let now = self.cmd_ts;
        let acct = self.acct_mut(account).expect("managed");
        acct.limits = limits;
        acct.caps = super::AccountCaps::new(&limits);
        acct.refresh_gates();
        // A post-trade-only account's orders take no tokens: it keeps no bucket.
        acct.bucket = (limits.rate_capacity > 0 && !limits.post_trade_only).then(|| {
            super::bucket::TokenBucket::new(limits.rate_capacity, limits.rate_per_interval, limits.rate_interval, now)
        });
        self.config_changed(what::ACCOUNT_LIMITS, account, SymbolId(0));
    }

    pub(crate) fn set_instrument_limits(&mut self, account: AccountId, symbol: SymbolId, limits: InstrumentLimits) {
        let Some(&b) = self.book_of.get(&symbol) else {
            return self.reject(OrderId(0), account, symbol, RejectReason::UnknownSymbol);
        };
        let l = &limits;
        if l.max_order_qty < 0 || l.max_order_notional < 0 || l.max_long < 0 || l.max_short < 0 {
            return self.malformed(account, symbol);
        }
        self.manage(account);
        let acct = self.acct_mut(account).expect("managed");
        let gate = super::Gate::new(&acct.limits, &limits);
        let h = acct.holding_mut(b);
        h.limits = limits;
        h.gate = gate;
        self.config_changed(what::INSTRUMENT_LIMITS, account, symbol);
    }

    pub(crate) fn set_fees(&mut self, symbol: SymbolId, fees: Fees) {
        let Some(&b) = self.book_of.get(&symbol) else {
            return self.reject(OrderId(0), AccountId(0), symbol, RejectReason::UnknownSymbol);
        };
        if !fees.is_valid() {
            return self.malformed(AccountId(0), symbol);
        }
        self.books[b].risk.fees = fees;
        // Open orders' fee reservations follow the new fees.
        let mut managed = Vec::new();
        self.collect_live(b, None, |o| o.managed, &mut managed);
        for idx in managed {
            self.sync(idx);
        }
        self.config_changed(what::FEES, AccountId(0), symbol);
    }

    pub(crate) fn set_kill_switch(&mut self, account: AccountId, on: bool) {
        self.manage(account);
        self.acct_mut(account).expect("managed").killed = on;
        self.config_changed(what::KILL_SWITCH, account, SymbolId(0));
        if on {
            for b in 0..self.books.len() {
                let mut victims = Vec::new();
                self.collect_live(b, None, |o| o.account == account, &mut victims);
                for idx in victims {
                    self.cancel_live(b, idx, CancelReason::KillSwitch);
                }
            }
        }
    }

    pub(crate) fn set_halt(&mut self, symbol: SymbolId, halted: bool) {
        let Some(&b) = self.book_of.get(&symbol) else {
            return self.reject(OrderId(0), AccountId(0), symbol, RejectReason::UnknownSymbol);
        };
        self.books[b].risk.halted = halted;
        self.config_changed(what::HALT, AccountId(0), symbol);
    }

    pub(crate) fn set_reference_price(&mut self, symbol: SymbolId, price: Option<Price>) {
        let Some(&b) = self.book_of.get(&symbol) else {
            return self.reject(OrderId(0), AccountId(0), symbol, RejectReason::UnknownSymbol);
        };
        if price.is_some_and(|p| p.0 <= 0) {
            return self.malformed(AccountId(0), symbol);
        }
        self.books[b].risk.reference = price;
        self.config_changed(what::REFERENCE_PRICE, AccountId(0), symbol);
    }

    // ---- queries ----

    /// A managed account's cash, reservations, buying power, equity and P&L;
    /// `None` for an account that is not managed.
    pub fn account(&self, account: AccountId) -> Option<AccountView> {
        let a = self.acct(account)?;
        let (mut basis, mut unrealized) = (0i128, 0i128);
        for (b, h) in a.held() {
            basis += h.pos.basis;
            unrealized += self.mark(b).map_or(0, |m| h.pos.unrealized(m.0));
        }
        Some(AccountView {
            cash: a.cash,
            reserved: a.reserved,
            buying_power: a.buying_power(),
            equity: a.cash + basis + unrealized,
            realized: a.realized,
            unrealized,
            open_orders: a.open_orders,
            killed: a.killed,
        })
    }

    /// A managed account's position in one instrument (all zero if it never traded it).
    pub fn position(&self, account: AccountId, symbol: SymbolId) -> Option<PositionView> {
        let a = self.acct(account)?;
        let b = self.book_of.get(&symbol).copied();
        let pos = b.and_then(|b| a.holding(b)).map(|h| h.pos).unwrap_or_default();
        let mark = b.and_then(|b| self.mark(b));
        Some(PositionView {
            qty: pos.qty,
            avg_price: if pos.qty == 0 { 0.0 } else { pos.basis as f64 / pos.qty as f64 },
            basis: pos.basis,
            realized: pos.realized,
            unrealized: mark.map_or(0, |m| pos.unrealized(m.0)),
            mark,
        })
    }

    /// The managed accounts, in id order.
    pub fn managed_accounts(&self) -> Vec<AccountId> {
        let mut ids: Vec<AccountId> = self.accounts.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Recomputes every managed account's reservations and open-order totals
    /// from its live orders, and says which disagrees with the kept totals:
    /// reserved cash, open notional and count, side and reduce-only totals,
    /// covered quantity (never above the long position), short requirement
    /// and realized P&L.
    pub fn verify_accounts(&self) -> Result<(), String> {
        if self.account_ix.len() != self.accounts.len()
            || self.accounts.iter().enumerate().any(|(i, a)| self.account_ix.get(a.id) != Some(i as u32))
        {
            return Err("the account index disagrees with the accounts".into());
        }
        let mut fresh = vec![Account::default(); self.accounts.len()];
        for &idx in self.ids.values() {
            let o = self.orders.get(idx);
            let Some(ix) = self.account_ix.get(o.account) else {
                if o.managed {
                    return Err(format!("order {} is managed but account {} is not", o.id.0, o.account.0));
                }
                continue;
            };
            if !o.managed {
                return Err(format!("order {} of account {} is not accounted", o.id.0, o.account.0));
            }
            let r = self.order_risk[idx as usize];
            if (r.acct, Some(r.book as usize)) != (ix, self.book_of.get(&o.symbol).copied()) {
                return Err(format!("order {} caches the wrong account or book", o.id.0));
            }
            let need = self.needs(o, r.book as usize, r.covered);
            if need != r.res() {
                return Err(format!("order {} holds {:?} but needs {:?}", o.id.0, r.res(), need));
            }
            let a = &mut fresh[ix as usize];
            a.reserved += need.cash;
            a.open_notional += need.notional;
            a.open_orders += 1;
            let h = a.holding_mut(r.book as usize);
            let leaves = i128::from(need.leaves);
            h.open[o.side.index()] += leaves;
            h.ro[o.side.index()] += if r.reduce_only { leaves } else { 0 };
            if o.side == Side::Sell {
                h.covered += i128::from(need.covered);
                if need.covered > 0 {
                    h.covered_sells.join(o.arrival, idx);
                }
            }
        }
        for (a, f) in self.accounts.iter().zip(&fresh) {
            let at = format!("account {}", a.id.0);
            if (a.reserved, a.open_notional, a.open_orders) != (f.reserved, f.open_notional, f.open_orders) {
                return Err(format!(
                    "{at}: keeps reserved/notional/orders {}/{}/{} but its orders need {}/{}/{}",
                    a.reserved, a.open_notional, a.open_orders, f.reserved, f.open_notional, f.open_orders
                ));
            }
            let (mut short_req, mut realized, mut abs_qty) = (0, 0, 0);
            for (b, h) in a.held() {
                let sym = self.books[b].spec.symbol;
                let d = f.holding(b).cloned().unwrap_or_default();
                let kept = (h.open, h.ro, h.covered);
                let need = (d.open, d.ro, d.covered);
                if kept != need {
                    return Err(format!("{at} symbol {}: keeps open totals {kept:?} but orders give {need:?}", sym.0));
                }
                let mut kept_sells: Vec<(u64, u32)> = h.covered_sells.iter().collect();
                let mut need_sells: Vec<(u64, u32)> = d.covered_sells.iter().collect();
                kept_sells.sort_unstable();
                need_sells.sort_unstable();
                let slots_ok = h.covered_sells.iter().enumerate().all(|(s, (arrival, i))| {
                    self.order_risk[i as usize].cover_slot == s as u32 && self.orders.get(i).arrival == arrival
                });
                if kept_sells != need_sells || !slots_ok {
                    return Err(format!("{at} symbol {}: the index of covered sells is stale", sym.0));
                }
                if h.gate != super::Gate::new(&a.limits, &h.limits) || a.caps != super::AccountCaps::new(&a.limits) {
                    return Err(format!("{at} symbol {}: the folded limits are stale", sym.0));
                }
                if h.covered > i128::from(h.pos.qty.max(0)) {
                    return Err(format!(
                        "{at} symbol {}: covers {} with a position of {}",
                        sym.0, h.covered, h.pos.qty
                    ));
                }
                short_req += h.short_requirement();
                realized += h.pos.realized;
                abs_qty += i128::from(h.pos.qty.unsigned_abs());
                if h.pos.qty != 0 && self.books[b].last_price.is_none_or(|p| p.0 > self.top_trade) {
                    return Err(format!("{at} symbol {}: a position without a trade at or below the top", sym.0));
                }
            }
            if f.held().any(|(b, _)| a.holding(b).is_none()) {
                return Err(format!("{at}: open orders in an instrument it has no holding in"));
            }
            if a.abs_qty != abs_qty {
                return Err(format!("{at}: keeps Σ|position| {} but holdings give {abs_qty}", a.abs_qty));
            }
            if (a.short_req, a.realized) != (short_req, realized) {
                return Err(format!(
                    "{at}: short requirement / realized {}/{} but holdings give {short_req}/{realized}",
                    a.short_req, a.realized
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::NIL;
    use crate::types::{StpMode, TimeInForce};

    #[test]
    fn the_reserving_price_is_the_limit_a_pending_stop_market_s_trigger_or_zero() {
        for order_type in [OrderType::Limit, OrderType::Market, OrderType::Stop, OrderType::StopLimit] {
            for status in [OrderStatus::Resting, OrderStatus::PendingStop] {
                let o = Order {
                    id: OrderId(1),
                    account: AccountId(1),
                    symbol: SymbolId(1),
                    side: Side::Buy,
                    order_type,
                    tif: TimeInForce::Gtc,
                    stp: StpMode::None,
                    post_only: false,
                    status,
                    price: Price(100),
                    stop_price: Price(90),
                    leaves: Qty(5),
                    visible: Qty(0),
                    display: Qty(0),
                    filled: Qty(0),
                    expire_at: 0,
                    arrival: 1,
                    managed: true,
                    prev: NIL,
                    next: NIL,
                };
                let want = match (order_type, status) {
                    (OrderType::Limit | OrderType::StopLimit, _) => Price(100),
                    (OrderType::Stop, OrderStatus::PendingStop) => Price(90),
                    _ => Price(0),
                };
                assert_eq!(reserving_price(&o), want, "{order_type:?} {status:?}");
            }
        }
    }
}
