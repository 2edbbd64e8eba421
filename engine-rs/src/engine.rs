//! The engine: many instruments' books, the live-order index, and `execute`,
//! which turns one command into its events.

use crate::book::Book;
use crate::command::{Command, CommandKind, NewOrder};
use crate::event::{CancelReason, Event, EventKind, RejectReason};
use crate::instrument::InstrumentSpec;
use crate::order::{Order, OrderSlab, OrderStatus, OrderView, NIL};
use crate::risk::{Account, AccountIndex, Liquidity, OrderRisk, Rejection, Reservation};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, SymbolId, TimeInForce};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, VecDeque};

/// Aggregate of one price level, for queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelView {
    /// The level's price.
    pub price: Price,
    /// Visible quantity at the level.
    pub qty: i128,
    /// Number of orders queued at the level.
    pub orders: u32,
}

/// A deterministic multi-instrument matching engine.
///
/// Feed it [`Command`]s with strictly increasing sequence numbers; each call to
/// [`Engine::execute`] returns the events that command caused.
pub struct Engine {
    pub(crate) books: Vec<Book>,
    pub(crate) book_of: FxHashMap<SymbolId, usize>,
    pub(crate) orders: OrderSlab,
    pub(crate) ids: FxHashMap<OrderId, u32>,
    /// GTD orders by (expiry, arrival).
    pub(crate) gtd: BTreeMap<(u64, u64), u32>,
    pub(crate) last_cmd_seq: u64,
    pub(crate) last_event_seq: u64,
    pub(crate) next_arrival: u64,
    /// Managed accounts (see `risk`), in the order they became managed.
    pub(crate) accounts: Vec<Account>,
    /// Index of each managed account in `accounts`.
    pub(crate) account_ix: AccountIndex,
    /// Risk state of managed orders, by slab slot (grown on demand; see `OrderRisk`).
    pub(crate) order_risk: Vec<OrderRisk>,
    /// The highest last trade price of any book (0 before the first trade): at least every position's mark.
    pub(crate) top_trade: i64,
    // Per-command scratch space, kept to avoid allocating on every command.
    events: Vec<Event>,
    cmd_seq: u64,
    pub(crate) cmd_ts: u64,
    touched: Vec<(usize, Side, Price)>,
    pub(crate) triggered: VecDeque<u32>,
    scratch: Vec<u32>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An empty engine with no instruments.
    pub fn new() -> Self {
        Engine {
            books: Vec::new(),
            book_of: FxHashMap::default(),
            orders: OrderSlab::default(),
            ids: FxHashMap::default(),
            gtd: BTreeMap::new(),
            last_cmd_seq: 0,
            last_event_seq: 0,
            next_arrival: 0,
            accounts: Vec::new(),
            account_ix: AccountIndex::default(),
            order_risk: Vec::new(),
            top_trade: 0,
            events: Vec::new(),
            cmd_seq: 0,
            cmd_ts: 0,
            touched: Vec::new(),
            triggered: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    /// Applies one command and returns the events it caused, in order.
    /// A refused command yields a single `Rejected` event and changes nothing.
    pub fn execute(&mut self, cmd: &Command) -> &[Event] {
        self.events.clear();
        self.cmd_seq = cmd.seq;
        self.cmd_ts = cmd.ts;
        if cmd.seq <= self.last_cmd_seq {
            let (order_id, account, symbol) = command_ids(&cmd.kind);
            self.reject(order_id, account, symbol, RejectReason::OutOfSequence);
            return &self.events;
        }
        self.last_cmd_seq = cmd.seq;
        match cmd.kind {
            CommandKind::AddInstrument(spec) => self.add_instrument(spec),
            CommandKind::New(order) => self.new_order(&order),
            CommandKind::Cancel { order_id, account } => self.cancel(order_id, account),
            CommandKind::Replace { order_id, account, new_price, new_qty } => {
                self.replace(order_id, account, new_price, new_qty)
            }
            CommandKind::MassCancel { account, symbol, side } => self.mass_cancel(account, symbol, side),
            CommandKind::SessionEnd { symbol } => self.session_end(symbol),
            CommandKind::AdvanceTime => self.expire_gtd(cmd.ts),
            CommandKind::Deposit { account, amount } => self.deposit(account, amount),
            CommandKind::Withdraw { account, amount } => self.withdraw(account, amount),
            CommandKind::SetAccountLimits { account, limits } => self.set_account_limits(account, limits),
            CommandKind::SetInstrumentLimits { account, symbol, limits } => {
                self.set_instrument_limits(account, symbol, limits)
            }
            CommandKind::SetFees { symbol, fees } => self.set_fees(symbol, fees),
            CommandKind::SetKillSwitch { account, on } => self.set_kill_switch(account, on),
            CommandKind::SetHalt { symbol, halted } => self.set_halt(symbol, halted),
            CommandKind::SetReferencePrice { symbol, price } => self.set_reference_price(symbol, price),
        }
        self.flush_book_deltas();
        &self.events
    }

    /// Applies a command that failed to decode: a `Malformed` rejection, no state change.
    pub fn reject_malformed(&mut self, seq: u64, ts: u64, order_id: OrderId) -> &[Event] {
        self.events.clear();
        self.cmd_seq = seq;
        self.cmd_ts = ts;
        self.reject(order_id, AccountId(0), SymbolId(0), RejectReason::Malformed);
        &self.events
    }

    // ---- queries ----

    /// The instrument's spec, if it exists.
    pub fn instrument(&self, symbol: SymbolId) -> Option<&InstrumentSpec> {
        self.book(symbol).map(|b| &b.spec)
    }

    /// Best bid level.
    pub fn best_bid(&self, symbol: SymbolId) -> Option<LevelView> {
        self.best(symbol, Side::Buy)
    }

    /// Best ask level.
    pub fn best_ask(&self, symbol: SymbolId) -> Option<LevelView> {
        self.best(symbol, Side::Sell)
    }

    /// Best level of `side`.
    pub fn best(&self, symbol: SymbolId, side: Side) -> Option<LevelView> {
        let ladder = self.book(symbol)?.ladder(side);
        ladder.best().map(|idx| level_view(ladder.level(idx)))
    }

    /// Visible quantity resting at `price` on `side` (zero if none).
    pub fn depth_at(&self, symbol: SymbolId, side: Side, price: Price) -> i128 {
        self.book(symbol).and_then(|b| b.ladder(side).find(price).map(|idx| b.ladder(side).level(idx).qty)).unwrap_or(0)
    }

    /// Up to `n` levels of `side`, best first.
    pub fn levels(&self, symbol: SymbolId, side: Side, n: usize) -> Vec<LevelView> {
        let Some(book) = self.book(symbol) else { return Vec::new() };
        let ladder = book.ladder(side);
        ladder.iter_best_first().take(n).map(|idx| level_view(ladder.level(idx))).collect()
    }

    /// A live order (resting or pending stop).
    pub fn order(&self, id: OrderId) -> Option<OrderView> {
        self.ids.get(&id).map(|&idx| {
            let o = self.orders.get(idx);
            let r = if o.managed { self.order_risk[idx as usize] } else { OrderRisk::default() };
            OrderView::new(o, r.reduce_only, r.res().cash)
        })
    }

    /// Ids of the orders queued at one level, front first.
    pub fn queue(&self, symbol: SymbolId, side: Side, price: Price) -> Vec<OrderId> {
        let mut out = Vec::new();
        if let Some(book) = self.book(symbol) {
            if let Some(lvl) = book.ladder(side).find(price) {
                let mut idx = book.ladder(side).level(lvl).head;
                while idx != NIL {
                    let o = self.orders.get(idx);
                    out.push(o.id);
                    idx = o.next;
                }
            }
        }
        out
    }

    /// Last trade price of the instrument.
    pub fn last_price(&self, symbol: SymbolId) -> Option<Price> {
        self.book(symbol).and_then(|b| b.last_price)
    }

    /// Number of live orders (resting and pending stops).
    pub fn live_orders(&self) -> usize {
        self.ids.len()
    }

    /// Sequence number of the last applied command.
    pub fn last_command_seq(&self) -> u64 {
        self.last_cmd_seq
    }

    /// Sequence number of the last event emitted.
    pub fn last_event_seq(&self) -> u64 {
        self.last_event_seq
    }

    fn book(&self, symbol: SymbolId) -> Option<&Book> {
        self.book_of.get(&symbol).map(|&b| &self.books[b])
    }

    // ---- events ----

    pub(crate) fn emit(&mut self, kind: EventKind) {
        self.last_event_seq += 1;
        self.events.push(Event { seq: self.last_event_seq, cmd_seq: self.cmd_seq, ts: self.cmd_ts, kind });
    }

    pub(crate) fn reject(&mut self, order_id: OrderId, account: AccountId, symbol: SymbolId, reason: RejectReason) {
        self.emit(EventKind::Rejected { order_id, account, symbol, reason, limit: 0, requested: 0 });
    }

    /// A rejection with the limit and the requested amount behind it.
    pub(crate) fn reject_with(&mut self, order_id: OrderId, account: AccountId, symbol: SymbolId, r: Rejection) {
        let Rejection { reason, limit, requested } = r;
        self.emit(EventKind::Rejected { order_id, account, symbol, reason, limit, requested });
    }

    fn touch(&mut self, book: usize, side: Side, price: Price) {
        let key = (book, side, price);
        if self.touched.last() != Some(&key) && !self.touched.contains(&key) {
            self.touched.push(key);
        }
    }

    fn flush_book_deltas(&mut self) {
        let touched = std::mem::take(&mut self.touched);
        for &(b, side, price) in &touched {
            let book = &self.books[b];
            let ladder = book.ladder(side);
            let (qty, orders) = ladder.find(price).map_or((0, 0), |idx| {
                let l = ladder.level(idx);
                (l.qty, l.count)
            });
            self.emit(EventKind::BookDelta { symbol: book.spec.symbol, side, price, qty, orders });
        }
        self.touched = touched;
        self.touched.clear();
    }

    fn cancel_event(&mut self, idx: u32, qty: Qty, leaves: Qty, reason: CancelReason) {
        let o = self.orders.get(idx);
        let kind = EventKind::Cancelled {
            order_id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            qty,
            leaves,
            reason,
        };
        self.emit(kind);
    }

    // ---- instruments ----

    fn add_instrument(&mut self, spec: InstrumentSpec) {
        if self.book_of.contains_key(&spec.symbol) {
            return self.reject(OrderId(0), AccountId(0), spec.symbol, RejectReason::InstrumentExists);
        }
        if !spec.is_valid() {
            return self.reject(OrderId(0), AccountId(0), spec.symbol, RejectReason::InvalidInstrument);
        }
        self.book_of.insert(spec.symbol, self.books.len());
        self.books.push(Book::new(spec));
        self.emit(EventKind::InstrumentAdded { symbol: spec.symbol });
    }

    // ---- new orders ----

    fn validate(&self, o: &NewOrder, book: &Book) -> Result<(), RejectReason> {
        let spec = &book.spec;
        if self.ids.contains_key(&o.id) {
            return Err(RejectReason::DuplicateOrderId);
        }
        if !spec.qty_ok(o.qty) {
            return Err(RejectReason::InvalidQty);
        }
        let is_stop = matches!(o.order_type, OrderType::Stop | OrderType::StopLimit);
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        if has_limit && !spec.price_ok(o.price) {
            return Err(RejectReason::InvalidPrice);
        }
        if is_stop && !spec.price_ok(o.stop_price) {
            return Err(RejectReason::InvalidStopPrice);
        }
        if o.display_qty.0 != 0
            && (!has_limit
                || !o.tif.may_rest()
                || o.display_qty.0 < 0
                || o.display_qty > o.qty
                || o.display_qty.0 % spec.lot_size != 0)
        {
            return Err(RejectReason::InvalidDisplayQty);
        }
        if o.tif == TimeInForce::Gtd && o.expire_at <= self.cmd_ts {
            return Err(RejectReason::InvalidTif);
        }
        if o.post_only {
            if o.order_type != OrderType::Limit {
                return Err(RejectReason::InvalidOrderType);
            }
            if !o.tif.may_rest() {
                return Err(RejectReason::InvalidTif);
            }
            let opposite = book.ladder(o.side.opposite());
            if let Some(best) = opposite.best() {
                if Book::crosses(o.side, Some(o.price), opposite.level(best).price) {
                    return Err(RejectReason::PostOnlyWouldTake);
                }
            }
        }
        Ok(())
    }

    fn new_order(&mut self, o: &NewOrder) {
        let Some(&b) = self.book_of.get(&o.symbol) else {
            return self.reject(o.id, o.account, o.symbol, RejectReason::UnknownSymbol);
        };
        if let Err(reason) = self.validate(o, &self.books[b]) {
            return self.reject(o.id, o.account, o.symbol, reason);
        }
        if self.books[b].risk.halted {
            let r = Rejection::new(RejectReason::Halted, 0, i128::from(o.qty.0));
            return self.reject_with(o.id, o.account, o.symbol, r);
        }
        let acct = self.account_ix.get(o.account);
        let managed = acct.is_some();
        let mut res = Reservation::default();
        if let Some(a) = acct {
            match self.check_new(o, a as usize, b) {
                Ok(r) => res = r,
                Err(r) => return self.reject_with(o.id, o.account, o.symbol, r),
            }
            let now = self.cmd_ts;
            if let Some(bucket) = &mut self.accounts[a as usize].bucket {
                let took = bucket.try_take(now);
                debug_assert!(took, "the check saw a token");
            }
        }
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        let is_stop = matches!(o.order_type, OrderType::Stop | OrderType::StopLimit);
        let price = if has_limit { o.price } else { Price(0) };
        self.emit(EventKind::Accepted {
            order_id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif,
            price,
            qty: o.qty,
        });
        self.next_arrival += 1;
        let order = Order {
            id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif,
            stp: o.stp,
            post_only: o.post_only,
            status: if is_stop { OrderStatus::PendingStop } else { OrderStatus::Resting },
            price,
            stop_price: if is_stop { o.stop_price } else { Price(0) },
            leaves: o.qty,
            visible: Qty(0),
            display: o.display_qty,
            filled: Qty(0),
            expire_at: if o.tif == TimeInForce::Gtd { o.expire_at } else { 0 },
            arrival: self.next_arrival,
            managed,
            prev: NIL,
            next: NIL,
        };
        let idx = self.orders.insert(order);
        self.ids.insert(o.id, idx);
        if let Some(acct) = acct {
            self.track(idx, acct, b as u32, o.reduce_only, res);
        }
        if o.tif == TimeInForce::Gtd {
            self.gtd.insert((o.expire_at, order.arrival), idx);
        }
        if is_stop {
            if self.books[b].stop_reached(o.side, o.stop_price) {
                self.trigger(b, idx);
            } else {
                let key = Book::stop_key(o.side, o.stop_price, order.arrival);
                self.books[b].stops_mut(o.side).insert(key, idx);
            }
        } else {
            self.enter(b, idx);
        }
        self.run_triggers(b);
    }

    /// Emits `Triggered` for a stop and queues it to enter the book.
    fn trigger(&mut self, b: usize, idx: u32) {
        let last_price = self.books[b].last_price.unwrap_or_default();
        let o = self.orders.get_mut(idx);
        o.status = OrderStatus::Resting;
        let kind = EventKind::Triggered {
            order_id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            stop_price: o.stop_price,
            last_price,
        };
        self.emit(kind);
        // A triggered stop-market stops reserving at its stop price.
        self.sync(idx);
        self.triggered.push_back(idx);
    }

    /// Triggers every reached stop, enters them in trigger order, and repeats
    /// while their trades reach more stops.
    fn run_triggers(&mut self, b: usize) {
        loop {
            let mut reached = std::mem::take(&mut self.scratch);
            self.books[b].take_reached_stops(&mut reached);
            for &idx in &reached {
                self.trigger(b, idx);
            }
            reached.clear();
            self.scratch = reached;
            let Some(idx) = self.triggered.pop_front() else { break };
            self.enter(b, idx);
        }
    }

    /// Matches a live, unlinked order as a taker, then rests, cancels or frees it.
    fn enter(&mut self, b: usize, idx: u32) {
        let o = *self.orders.get(idx);
        if o.tif == TimeInForce::Fok && self.fillable(b, idx) < o.leaves.0 {
            self.cancel_event(idx, o.leaves, Qty(0), CancelReason::Fok);
            return self.free(idx);
        }
        self.match_taker(b, idx);
        let o = *self.orders.get(idx);
        let is_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        if o.leaves.0 == 0 {
            self.free(idx);
        } else if is_limit && o.tif.may_rest() {
            self.rest(b, idx);
        } else {
            self.cancel_event(idx, o.leaves, Qty(0), CancelReason::IocRemainder);
            self.free(idx);
        }
    }

    /// Links an order at the back of its price level.
    fn rest(&mut self, b: usize, idx: u32) {
        let (side, price) = {
            let o = self.orders.get_mut(idx);
            o.visible = if o.display.0 > 0 { o.display.min(o.leaves) } else { o.leaves };
            o.status = OrderStatus::Resting;
            (o.side, o.price)
        };
        let ladder = self.books[b].ladder_mut(side);
        let lvl = ladder.find_or_insert(price);
        ladder.level_mut(lvl).push_back(&mut self.orders, idx);
        self.touch(b, side, price);
    }

    /// Forgets an order that is no longer live (already unlinked).
    fn free(&mut self, idx: u32) {
        self.release(idx);
        let o = self.orders.get(idx);
        self.ids.remove(&o.id);
        if o.tif == TimeInForce::Gtd {
            self.gtd.remove(&(o.expire_at, o.arrival));
        }
        self.orders.remove(idx);
    }

    /// Unlinks a resting order from its level (the level may be left empty).
    fn unlink(&mut self, b: usize, idx: u32) -> u32 {
        let (side, price) = {
            let o = self.orders.get(idx);
            (o.side, o.price)
        };
        let ladder = self.books[b].ladder_mut(side);
        let lvl = ladder.find(price).expect("resting order has a level");
        ladder.level_mut(lvl).unlink(&mut self.orders, idx);
        self.touch(b, side, price);
        lvl
    }

    /// Removes a level if it has no orders left, so no empty level is ever visible.
    fn prune(&mut self, b: usize, side: Side, lvl: u32) {
        let ladder = self.books[b].ladder_mut(side);
        if ladder.level(lvl).count == 0 {
            ladder.remove(lvl);
        }
    }

    /// Cancels a live order's whole open quantity and frees it.
    pub(crate) fn cancel_live(&mut self, b: usize, idx: u32, reason: CancelReason) {
        let o = *self.orders.get(idx);
        match o.status {
            OrderStatus::Resting => {
                let lvl = self.unlink(b, idx);
                self.prune(b, o.side, lvl);
            }
            OrderStatus::PendingStop => {
                self.books[b].stops_mut(o.side).remove(&Book::stop_key(o.side, o.stop_price, o.arrival));
            }
        }
        self.cancel_event(idx, o.leaves, Qty(0), reason);
        self.free(idx);
    }

    // ---- matching ----

    /// Matches the taker at `t` against the opposite side while it crosses.
    fn match_taker(&mut self, b: usize, t: u32) {
        let taker = *self.orders.get(t);
        let limit = matches!(taker.order_type, OrderType::Limit | OrderType::StopLimit).then_some(taker.price);
        let maker_side = taker.side.opposite();
        loop {
            if self.orders.get(t).leaves.0 == 0 {
                break;
            }
            let ladder = self.books[b].ladder(maker_side);
            let Some(lvl) = ladder.best() else { break };
            if !Book::crosses(taker.side, limit, ladder.level(lvl).price) {
                break;
            }
            let taker_killed = self.match_level(b, t, lvl);
            self.prune(b, maker_side, lvl);
            if taker_killed {
                break;
            }
        }
    }

    /// Matches the taker against one level's queue, front first. Returns true
    /// when self-trade prevention cancelled the taker.
    fn match_level(&mut self, b: usize, t: u32, lvl: u32) -> bool {
        let taker = *self.orders.get(t);
        let maker_side = taker.side.opposite();
        let (price, mut idx) = {
            let l = self.books[b].ladder(maker_side).level(lvl);
            (l.price, l.head)
        };
        while idx != NIL {
            let t_leaves = self.orders.get(t).leaves;
            if t_leaves.0 == 0 {
                break;
            }
            let maker = *self.orders.get(idx);
            let mut next = maker.next;
            if maker.account == taker.account && taker.stp != crate::types::StpMode::None {
                use crate::types::StpMode::*;
                match taker.stp {
                    CancelNewest => {
                        self.cancel_taker(t);
                        return true;
                    }
                    CancelOldest => {
                        self.cancel_maker(b, lvl, idx, CancelReason::SelfTrade);
                    }
                    CancelBoth => {
                        self.cancel_maker(b, lvl, idx, CancelReason::SelfTrade);
                        self.cancel_taker(t);
                        return true;
                    }
                    DecrementAndCancel => {
                        let d = maker.leaves.min(t_leaves);
                        if maker.leaves == d {
                            self.cancel_maker(b, lvl, idx, CancelReason::SelfTrade);
                        } else {
                            self.decrement_maker(b, lvl, idx, d);
                        }
                        if t_leaves == d {
                            self.cancel_taker(t);
                            return true;
                        }
                        self.orders.get_mut(t).leaves.0 -= d.0;
                        self.sync(t);
                        self.cancel_event(t, d, Qty(t_leaves.0 - d.0), CancelReason::SelfTrade);
                    }
                    None => unreachable!(),
                }
                idx = next;
                continue;
            }
            let qty = maker.visible.min(t_leaves);
            let (maker_leaves, maker_visible) = {
                let m = self.orders.get_mut(idx);
                m.visible.0 -= qty.0;
                m.leaves.0 -= qty.0;
                m.filled.0 += qty.0;
                (m.leaves, m.visible)
            };
            let taker_leaves = {
                let tk = self.orders.get_mut(t);
                tk.leaves.0 -= qty.0;
                tk.filled.0 += qty.0;
                tk.leaves
            };
            self.books[b].ladder_mut(maker_side).level_mut(lvl).qty -= i128::from(qty.0);
            self.books[b].last_price = Some(price);
            self.top_trade = self.top_trade.max(price.0);
            self.touch(b, maker_side, price);
            self.emit(EventKind::Trade {
                symbol: taker.symbol,
                maker_id: maker.id,
                taker_id: taker.id,
                maker_account: maker.account,
                taker_account: taker.account,
                taker_side: taker.side,
                price,
                qty,
                maker_leaves,
                taker_leaves,
            });
            if maker.managed {
                self.on_fill(b, idx, price, qty, Liquidity::Maker);
            }
            if taker.managed {
                self.on_fill(b, t, price, qty, Liquidity::Taker);
            }
            if maker_visible.0 == 0 {
                let level = self.books[b].ladder_mut(maker_side).level_mut(lvl);
                level.unlink(&mut self.orders, idx);
                if maker_leaves.0 > 0 {
                    // Iceberg refresh: a new slice joins the back of the queue.
                    let m = self.orders.get_mut(idx);
                    m.visible = m.display.min(maker_leaves);
                    level.push_back(&mut self.orders, idx);
                    if next == NIL {
                        next = idx;
                    }
                } else {
                    self.free(idx);
                }
            }
            idx = next;
        }
        false
    }

    /// Cancels the taker's remainder for self-trade prevention.
    fn cancel_taker(&mut self, t: u32) {
        let leaves = self.orders.get(t).leaves;
        self.orders.get_mut(t).leaves = Qty(0);
        self.sync(t);
        self.cancel_event(t, leaves, Qty(0), CancelReason::SelfTrade);
    }

    /// Cancels a resting maker inside a match loop (the level is pruned by the caller).
    fn cancel_maker(&mut self, b: usize, lvl: u32, idx: u32, reason: CancelReason) {
        let o = *self.orders.get(idx);
        self.books[b].ladder_mut(o.side).level_mut(lvl).unlink(&mut self.orders, idx);
        self.touch(b, o.side, o.price);
        self.cancel_event(idx, o.leaves, Qty(0), reason);
        self.free(idx);
    }

    /// Reduces a resting maker by `d` for decrement-and-cancel; it keeps its place.
    fn decrement_maker(&mut self, b: usize, lvl: u32, idx: u32, d: Qty) {
        let (side, price, old_visible, leaves, visible) = {
            let m = self.orders.get_mut(idx);
            let old_visible = m.visible;
            m.leaves.0 -= d.0;
            m.visible = m.visible.min(m.leaves);
            (m.side, m.price, old_visible, m.leaves, m.visible)
        };
        self.books[b].ladder_mut(side).level_mut(lvl).qty -= i128::from(old_visible.0 - visible.0);
        self.touch(b, side, price);
        self.sync(idx);
        self.cancel_event(idx, d, leaves, CancelReason::SelfTrade);
    }

    /// How much of the taker at `t` would fill right now, mirroring
    /// `match_taker` exactly but changing nothing (for fill-or-kill).
    fn fillable(&self, b: usize, t: u32) -> i64 {
        use crate::types::StpMode;
        let taker = self.orders.get(t);
        let want = taker.leaves.0;
        let limit = matches!(taker.order_type, OrderType::Limit | OrderType::StopLimit).then_some(taker.price);
        let ladder = self.books[b].ladder(taker.side.opposite());
        let mut got: i64 = 0;
        for lvl in ladder.iter_best_first() {
            let level = ladder.level(lvl);
            if !Book::crosses(taker.side, limit, level.price) {
                break;
            }
            // First pass takes visible slices in queue order; hidden iceberg
            // quantity is reachable only if the pass meets no blocking self-trade.
            let mut hidden: i64 = 0;
            let mut idx = level.head;
            while idx != NIL {
                let m = self.orders.get(idx);
                if m.account == taker.account && taker.stp != StpMode::None {
                    if taker.stp != StpMode::CancelOldest {
                        return got;
                    }
                } else {
                    got = got.saturating_add(m.visible.0);
                    hidden = hidden.saturating_add(m.leaves.0 - m.visible.0);
                    if got >= want {
                        return got;
                    }
                }
                idx = m.next;
            }
            got = got.saturating_add(hidden);
            if got >= want {
                return got;
            }
        }
        got
    }

    // ---- cancel, replace, mass cancel, expiry ----

    fn live(&self, id: OrderId, account: AccountId) -> Option<(usize, u32)> {
        let &idx = self.ids.get(&id)?;
        let o = self.orders.get(idx);
        (o.account == account).then(|| (self.book_of[&o.symbol], idx))
    }

    fn cancel(&mut self, id: OrderId, account: AccountId) {
        match self.live(id, account) {
            Some((b, idx)) => self.cancel_live(b, idx, CancelReason::User),
            None => self.reject(id, account, SymbolId(0), RejectReason::UnknownOrder),
        }
    }

    fn replace(&mut self, id: OrderId, account: AccountId, new_price: Option<Price>, new_qty: Qty) {
        let Some((b, idx)) = self.live(id, account) else {
            return self.reject(id, account, SymbolId(0), RejectReason::UnknownOrder);
        };
        let o = *self.orders.get(idx);
        let spec = self.books[b].spec;
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        // The order's total (filled plus open) must stay within the instrument's bounds.
        let total = o.filled.0.checked_add(new_qty.0);
        let reason = if new_qty.0 <= 0 || total.is_none_or(|t| t > spec.max_qty.0) || new_qty.0 % spec.lot_size != 0 {
            Some(RejectReason::InvalidQty)
        } else if new_price.is_some() && !has_limit {
            Some(RejectReason::InvalidOrderType)
        } else if new_price.is_some_and(|p| !spec.price_ok(p)) {
            Some(RejectReason::InvalidPrice)
        } else {
            None
        };
        if let Some(reason) = reason {
            return self.reject(id, account, o.symbol, reason);
        }
        let price = new_price.unwrap_or(o.price);
        if self.books[b].risk.halted {
            let r = Rejection::new(RejectReason::Halted, 0, i128::from(new_qty.0));
            return self.reject_with(id, account, o.symbol, r);
        }
        let checked = if o.managed {
            match self.check_replace(b, idx, price, new_qty.0) {
                Ok(res) => Some(res),
                Err(r) => return self.reject_with(id, account, o.symbol, r),
            }
        } else {
            None
        };
        let replaced = |priority_kept| EventKind::Replaced {
            order_id: id,
            account,
            symbol: o.symbol,
            side: o.side,
            old_price: o.price,
            new_price: price,
            old_qty: o.leaves,
            new_qty,
            priority_kept,
        };
        if o.status == OrderStatus::PendingStop {
            // A pending stop has no queue place; it keeps its trigger order.
            let m = self.orders.get_mut(idx);
            m.price = price;
            m.leaves = new_qty;
            self.sync_replaced(idx, checked);
            return self.emit(replaced(true));
        }
        if price == o.price && new_qty <= o.leaves {
            let (lvl, shrink) = {
                let m = self.orders.get_mut(idx);
                let old_visible = m.visible;
                m.leaves = new_qty;
                m.visible = m.visible.min(new_qty);
                let ladder = self.books[b].ladder(o.side);
                (ladder.find(o.price).expect("resting order has a level"), old_visible.0 - m.visible.0)
            };
            self.books[b].ladder_mut(o.side).level_mut(lvl).qty -= i128::from(shrink);
            self.touch(b, o.side, o.price);
            self.sync_replaced(idx, checked);
            return self.emit(replaced(true));
        }
        if o.post_only {
            let opposite = self.books[b].ladder(o.side.opposite());
            if let Some(best) = opposite.best() {
                if Book::crosses(o.side, Some(price), opposite.level(best).price) {
                    return self.reject(id, account, o.symbol, RejectReason::PostOnlyWouldTake);
                }
            }
        }
        let lvl = self.unlink(b, idx);
        self.prune(b, o.side, lvl);
        {
            let m = self.orders.get_mut(idx);
            m.price = price;
            m.leaves = new_qty;
            m.visible = Qty(0);
        }
        self.sync_replaced(idx, checked);
        self.emit(replaced(false));
        self.enter(b, idx);
        self.run_triggers(b);
    }

    /// Collects, in canonical order (bids best first in queue order, then asks,
    /// then buy and sell stops in trigger order), the live orders of book `b`
    /// that `keep` selects.
    pub(crate) fn collect_live(
        &self,
        b: usize,
        side: Option<Side>,
        keep: impl Fn(&Order) -> bool,
        into: &mut Vec<u32>,
    ) {
        let book = &self.books[b];
        for s in [Side::Buy, Side::Sell] {
            if side.is_some_and(|x| x != s) {
                continue;
            }
            let ladder = book.ladder(s);
            for lvl in ladder.iter_best_first() {
                let mut idx = ladder.level(lvl).head;
                while idx != NIL {
                    let o = self.orders.get(idx);
                    if keep(o) {
                        into.push(idx);
                    }
                    idx = o.next;
                }
            }
        }
        for (s, stops) in [(Side::Buy, &book.buy_stops), (Side::Sell, &book.sell_stops)] {
            if side.is_some_and(|x| x != s) {
                continue;
            }
            into.extend(stops.values().copied().filter(|&idx| keep(self.orders.get(idx))));
        }
    }

    fn books_for(&self, symbol: Option<SymbolId>) -> Vec<usize> {
        match symbol {
            Some(s) => self.book_of.get(&s).copied().into_iter().collect(),
            None => (0..self.books.len()).collect(),
        }
    }

    fn mass_cancel(&mut self, account: Option<AccountId>, symbol: Option<SymbolId>, side: Option<Side>) {
        if let Some(s) = symbol {
            if !self.book_of.contains_key(&s) {
                return self.reject(OrderId(0), account.unwrap_or_default(), s, RejectReason::UnknownSymbol);
            }
        }
        for b in self.books_for(symbol) {
            let mut victims = Vec::new();
            self.collect_live(b, side, |o| account.is_none_or(|a| a == o.account), &mut victims);
            for idx in victims {
                self.cancel_live(b, idx, CancelReason::MassCancel);
            }
        }
    }

    fn session_end(&mut self, symbol: Option<SymbolId>) {
        if let Some(s) = symbol {
            if !self.book_of.contains_key(&s) {
                return self.reject(OrderId(0), AccountId(0), s, RejectReason::UnknownSymbol);
            }
        }
        for b in self.books_for(symbol) {
            let mut victims = Vec::new();
            self.collect_live(b, None, |o| o.tif == TimeInForce::Day, &mut victims);
            for idx in victims {
                self.cancel_live(b, idx, CancelReason::Expired);
            }
        }
    }

    fn expire_gtd(&mut self, now: u64) {
        while let Some((&(expire_at, _), &idx)) = self.gtd.first_key_value() {
            if expire_at > now {
                break;
            }
            let b = self.book_of[&self.orders.get(idx).symbol];
            self.cancel_live(b, idx, CancelReason::Expired);
        }
    }

    // ---- invariants ----

    /// Checks the structural invariants and says which one fails: no empty or
    /// crossed levels, price order across levels, level totals equal to their
    /// queues, and every live id linked where the index says.
    pub fn verify(&self) -> Result<(), String> {
        let mut linked = 0usize;
        for book in &self.books {
            let sym = book.spec.symbol.0;
            for side in [Side::Buy, Side::Sell] {
                let ladder = book.ladder(side);
                let mut prev: Option<Price> = None;
                for lvl in ladder.iter_best_first() {
                    let level = ladder.level(lvl);
                    let at = format!("symbol {sym} {side:?} {}", level.price.0);
                    if level.count == 0 {
                        return Err(format!("empty level visible at {at}"));
                    }
                    if let Some(p) = prev {
                        let ordered = if side == Side::Buy { level.price < p } else { level.price > p };
                        if !ordered {
                            return Err(format!("levels out of price order at {at}"));
                        }
                    }
                    prev = Some(level.price);
                    let (mut sum, mut n, mut idx, mut back) = (0i128, 0u32, level.head, NIL);
                    while idx != NIL {
                        let o = self.orders.get(idx);
                        if o.prev != back {
                            return Err(format!("broken back link in queue at {at}"));
                        }
                        if o.visible.0 <= 0 || o.visible > o.leaves || o.price != level.price || o.side != side {
                            return Err(format!("order {} inconsistent with its level at {at}", o.id.0));
                        }
                        if self.ids.get(&o.id) != Some(&idx) {
                            return Err(format!("order {} not indexed at {at}", o.id.0));
                        }
                        sum += i128::from(o.visible.0);
                        n += 1;
                        back = idx;
                        idx = o.next;
                    }
                    if back != level.tail || (sum, n) != (level.qty, level.count) {
                        return Err(format!("level totals disagree with the queue at {at}"));
                    }
                    linked += n as usize;
                }
            }
            if let (Some(bid), Some(ask)) = (book.bids.best(), book.asks.best()) {
                if book.bids.level(bid).price >= book.asks.level(ask).price {
                    return Err(format!("book {sym} crossed"));
                }
            }
            linked += book.buy_stops.len() + book.sell_stops.len();
        }
        if linked != self.ids.len() {
            return Err(format!("{} orders linked but {} indexed", linked, self.ids.len()));
        }
        Ok(())
    }
}

fn level_view(l: &crate::level::Level) -> LevelView {
    LevelView { price: l.price, qty: l.qty, orders: l.count }
}

/// The order, account and symbol a command names, for its rejection event.
fn command_ids(kind: &CommandKind) -> (OrderId, AccountId, SymbolId) {
    match *kind {
        CommandKind::AddInstrument(spec) => (OrderId(0), AccountId(0), spec.symbol),
        CommandKind::New(o) => (o.id, o.account, o.symbol),
        CommandKind::Cancel { order_id, account } | CommandKind::Replace { order_id, account, .. } => {
            (order_id, account, SymbolId(0))
        }
        CommandKind::MassCancel { account, symbol, .. } => {
            (OrderId(0), account.unwrap_or_default(), symbol.unwrap_or_default())
        }
        CommandKind::SessionEnd { symbol } => (OrderId(0), AccountId(0), symbol.unwrap_or_default()),
        CommandKind::AdvanceTime => (OrderId(0), AccountId(0), SymbolId(0)),
        CommandKind::Deposit { account, .. }
        | CommandKind::Withdraw { account, .. }
        | CommandKind::SetAccountLimits { account, .. }
        | CommandKind::SetKillSwitch { account, .. } => (OrderId(0), account, SymbolId(0)),
        CommandKind::SetInstrumentLimits { account, symbol, .. } => (OrderId(0), account, symbol),
        CommandKind::SetFees { symbol, .. }
        | CommandKind::SetHalt { symbol, .. }
        | CommandKind::SetReferencePrice { symbol, .. } => (OrderId(0), AccountId(0), symbol),
    }
}
