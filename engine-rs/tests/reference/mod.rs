//! A deliberately simple reference order book for the differential test: one plain `Vec` of live orders per
//! instrument, linear scans for everything, and fill-or-kill decided by trying the match on a copy of the whole state.
//!
//! It models every order type (limit, market, stop, stop-limit; GTC, DAY, GTD, IOC, FOK; post-only; iceberg), cancel,
//! replace, mass cancel, session end, time advance, all self-trade prevention modes and the command-level rejections,
//! and emits exactly the events `cift_engine::Engine` documents, `BookDelta` included (one per touched level, in
//! first-touch order, with the level's final state).

use cift_engine::{
    AccountId, CancelReason, Command, CommandKind, Event, EventKind, InstrumentSpec, LevelView, NewOrder, OrderId,
    OrderStatus, OrderType, OrderView, Price, Qty, RejectReason, Side, StpMode, SymbolId, TimeInForce,
};
use std::collections::VecDeque;

/// A live order of the reference book: resting, or a stop waiting for its trigger.
#[derive(Clone, Debug)]
pub struct RefOrder {
    /// The caller's id.
    pub id: OrderId,
    /// The owner.
    pub account: AccountId,
    /// The instrument.
    pub symbol: SymbolId,
    /// Buy or sell.
    pub side: Side,
    /// Limit, market, stop or stop-limit (only limit and triggered stop-limit orders rest).
    pub order_type: OrderType,
    /// Time in force.
    pub tif: TimeInForce,
    /// Self-trade prevention mode, used when this order is the taker.
    pub stp: StpMode,
    /// Post-only flag (checked again on a priority-losing replace).
    pub post_only: bool,
    /// On the book, or a stop waiting for its trigger.
    pub status: OrderStatus,
    /// Limit price (zero for market and stop).
    pub price: Price,
    /// Trigger price (zero unless a stop or stop-limit; kept after the trigger).
    pub stop_price: Price,
    /// Open quantity, hidden iceberg part included.
    pub leaves: Qty,
    /// Quantity shown on the book (zero unless resting).
    pub visible: Qty,
    /// Iceberg display size; zero for a plain order.
    pub display: Qty,
    /// Quantity filled so far.
    pub filled: Qty,
    /// GTD expiry (zero otherwise).
    pub expire_at: u64,
    /// Acceptance counter: breaks expiry and trigger ties.
    pub arrival: u64,
    /// When a resting order joined the back of its level: the smallest value is the front of the queue.
    pub queue_pos: u64,
}

impl RefOrder {
    /// The view `Engine::order` should give for this order.
    pub fn view(&self) -> OrderView {
        OrderView {
            id: self.id,
            account: self.account,
            symbol: self.symbol,
            side: self.side,
            order_type: self.order_type,
            tif: self.tif,
            status: self.status,
            price: self.price,
            stop_price: self.stop_price,
            leaves: self.leaves,
            visible: self.visible,
            filled: self.filled,
            // The reference models no managed (risk-checked) accounts: nothing is ever reduce-only or reserved.
            reduce_only: false,
            reserved: 0,
        }
    }
}

/// The risk layer's commands (cash, limits, fees, kill switch, halt, reference price) are outside the model: the
/// differential streams never generate them.
fn unmodelled(kind: &CommandKind) -> ! {
    panic!("the reference book does not model risk commands: {kind:?}")
}

/// Whether an order type carries a limit price.
fn has_limit(t: OrderType) -> bool {
    matches!(t, OrderType::Limit | OrderType::StopLimit)
}

/// Whether an order type waits for a trigger.
fn is_stop(t: OrderType) -> bool {
    matches!(t, OrderType::Stop | OrderType::StopLimit)
}

/// Whether price `a` is better than price `b` for a resting order on `side`.
fn better(side: Side, a: Price, b: Price) -> bool {
    match side {
        Side::Buy => a > b,
        Side::Sell => a < b,
    }
}

/// Whether a taker on `side` with `limit` (None: market) may trade with a resting order at `price`.
fn crosses(side: Side, limit: Option<Price>, price: Price) -> bool {
    match (side, limit) {
        (_, None) => true,
        (Side::Buy, Some(l)) => price <= l,
        (Side::Sell, Some(l)) => price >= l,
    }
}

#[derive(Clone)]
struct RefBook {
    spec: InstrumentSpec,
    /// Every live order of both sides, resting or pending stop, in no particular order.
    orders: Vec<RefOrder>,
    last_price: Option<Price>,
}

impl RefBook {
    /// Index in `orders` of the resting order at the front of the best level of `side`.
    fn front(&self, side: Side) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, o) in self.orders.iter().enumerate() {
            if o.side != side || o.status != OrderStatus::Resting {
                continue;
            }
            let wins = best.is_none_or(|j| {
                let b = &self.orders[j];
                better(side, o.price, b.price) || (o.price == b.price && o.queue_pos < b.queue_pos)
            });
            if wins {
                best = Some(i);
            }
        }
        best
    }

    /// The resting orders of `side`, best price first, each level front first.
    fn sorted(&self, side: Side) -> Vec<&RefOrder> {
        let mut v: Vec<&RefOrder> =
            self.orders.iter().filter(|o| o.side == side && o.status == OrderStatus::Resting).collect();
        v.sort_by(|a, b| {
            let by_price = if side == Side::Buy { b.price.cmp(&a.price) } else { a.price.cmp(&b.price) };
            by_price.then(a.queue_pos.cmp(&b.queue_pos))
        });
        v
    }

    /// Visible quantity and order count at one level.
    fn level(&self, side: Side, price: Price) -> (i128, u32) {
        let at = self.orders.iter().filter(|o| o.side == side && o.price == price && o.status == OrderStatus::Resting);
        at.fold((0, 0), |(q, n), o| (q + i128::from(o.visible.0), n + 1))
    }

    /// Whether the last trade has reached a `side` stop at `stop_price` (buy stops at or above, sell at or below).
    fn reached(&self, side: Side, stop_price: Price) -> bool {
        match (self.last_price, side) {
            (Some(last), Side::Buy) => last >= stop_price,
            (Some(last), Side::Sell) => last <= stop_price,
            (None, _) => false,
        }
    }

    /// Ids of the pending stops of `side` (only those already reached, if `reached_only`) in trigger order: buy stops
    /// lowest trigger first, sell stops highest first, ties by arrival.
    fn stops(&self, side: Side, reached_only: bool) -> Vec<OrderId> {
        let mut v: Vec<&RefOrder> = self
            .orders
            .iter()
            .filter(|o| o.side == side && o.status == OrderStatus::PendingStop)
            .filter(|o| !reached_only || self.reached(side, o.stop_price))
            .collect();
        v.sort_by_key(|o| (if side == Side::Buy { o.stop_price.0 } else { -o.stop_price.0 }, o.arrival));
        v.into_iter().map(|o| o.id).collect()
    }

    /// Index in `orders` of the live order `id`.
    fn position(&self, id: OrderId) -> usize {
        self.orders.iter().position(|o| o.id == id).expect("order is live")
    }
}

/// The reference engine: same commands in, same events out.
#[derive(Clone, Default)]
pub struct RefEngine {
    books: Vec<RefBook>,
    last_cmd_seq: u64,
    last_event_seq: u64,
    next_arrival: u64,
    next_queue_pos: u64,
    cmd_seq: u64,
    cmd_ts: u64,
    events: Vec<Event>,
    /// Levels changed by the current command, first touch first.
    touched: Vec<(usize, Side, Price)>,
}

impl RefEngine {
    /// Applies one command and returns its events.
    pub fn execute(&mut self, cmd: &Command) -> Vec<Event> {
        self.events.clear();
        self.touched.clear();
        self.cmd_seq = cmd.seq;
        self.cmd_ts = cmd.ts;
        if cmd.seq <= self.last_cmd_seq {
            let (order_id, account, symbol) = match cmd.kind {
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
                ref other => unmodelled(other),
            };
            self.reject(order_id, account, symbol, RejectReason::OutOfSequence);
            return std::mem::take(&mut self.events);
        }
        self.last_cmd_seq = cmd.seq;
        match cmd.kind {
            CommandKind::AddInstrument(spec) => self.add_instrument(spec),
            CommandKind::New(o) => self.new_order(&o),
            CommandKind::Cancel { order_id, account } => match self.find(order_id, account) {
                Some((b, i)) => self.cancel_live(b, i, CancelReason::User),
                None => self.reject(order_id, account, SymbolId(0), RejectReason::UnknownOrder),
            },
            CommandKind::Replace { order_id, account, new_price, new_qty } => {
                self.replace(order_id, account, new_price, new_qty)
            }
            CommandKind::MassCancel { account, symbol, side } => {
                self.cancel_where(symbol, account.unwrap_or_default(), CancelReason::MassCancel, |o| {
                    account.is_none_or(|a| a == o.account) && side.is_none_or(|s| s == o.side)
                })
            }
            CommandKind::SessionEnd { symbol } => {
                self.cancel_where(symbol, AccountId(0), CancelReason::Expired, |o| o.tif == TimeInForce::Day)
            }
            CommandKind::AdvanceTime => self.expire_gtd(cmd.ts),
            ref other => unmodelled(other),
        }
        for (b, side, price) in std::mem::take(&mut self.touched) {
            let (qty, orders) = self.books[b].level(side, price);
            self.emit(EventKind::BookDelta { symbol: self.books[b].spec.symbol, side, price, qty, orders });
        }
        std::mem::take(&mut self.events)
    }

    // ---- queries ----

    /// Every instrument, in the order they were added.
    pub fn symbols(&self) -> Vec<SymbolId> {
        self.books.iter().map(|b| b.spec.symbol).collect()
    }

    /// Every live order (resting and pending stops).
    pub fn live(&self) -> impl Iterator<Item = &RefOrder> {
        self.books.iter().flat_map(|b| b.orders.iter())
    }

    /// The live order with this id.
    pub fn order(&self, id: OrderId) -> Option<&RefOrder> {
        self.live().find(|o| o.id == id)
    }

    /// All levels of one side, best first.
    pub fn levels(&self, symbol: SymbolId, side: Side) -> Vec<LevelView> {
        let Some(b) = self.book_index(symbol) else { return Vec::new() };
        let mut out: Vec<LevelView> = Vec::new();
        for o in self.books[b].sorted(side) {
            match out.last_mut() {
                Some(l) if l.price == o.price => {
                    l.qty += i128::from(o.visible.0);
                    l.orders += 1;
                }
                _ => out.push(LevelView { price: o.price, qty: i128::from(o.visible.0), orders: 1 }),
            }
        }
        out
    }

    /// The ids queued at one level, front first.
    pub fn queue(&self, symbol: SymbolId, side: Side, price: Price) -> Vec<OrderId> {
        let Some(b) = self.book_index(symbol) else { return Vec::new() };
        self.books[b].sorted(side).into_iter().filter(|o| o.price == price).map(|o| o.id).collect()
    }

    /// Last trade price of the instrument.
    pub fn last_price(&self, symbol: SymbolId) -> Option<Price> {
        self.book_index(symbol).and_then(|b| self.books[b].last_price)
    }

    fn book_index(&self, symbol: SymbolId) -> Option<usize> {
        self.books.iter().position(|b| b.spec.symbol == symbol)
    }

    /// Book and index of the live order `id` if `account` owns it.
    fn find(&self, id: OrderId, account: AccountId) -> Option<(usize, usize)> {
        self.books
            .iter()
            .enumerate()
            .find_map(|(b, book)| book.orders.iter().position(|o| o.id == id && o.account == account).map(|i| (b, i)))
    }

    // ---- events ----

    fn emit(&mut self, kind: EventKind) {
        self.last_event_seq += 1;
        self.events.push(Event { seq: self.last_event_seq, cmd_seq: self.cmd_seq, ts: self.cmd_ts, kind });
    }

    fn reject(&mut self, order_id: OrderId, account: AccountId, symbol: SymbolId, reason: RejectReason) {
        self.emit(EventKind::Rejected { order_id, account, symbol, reason, limit: 0, requested: 0 });
    }

    fn cancelled(&mut self, o: &RefOrder, qty: Qty, leaves: Qty, reason: CancelReason) {
        let (order_id, account, symbol, side) = (o.id, o.account, o.symbol, o.side);
        self.emit(EventKind::Cancelled { order_id, account, symbol, side, qty, leaves, reason });
    }

    fn touch(&mut self, b: usize, side: Side, price: Price) {
        if !self.touched.contains(&(b, side, price)) {
            self.touched.push((b, side, price));
        }
    }

    // ---- commands ----

    fn add_instrument(&mut self, spec: InstrumentSpec) {
        if self.book_index(spec.symbol).is_some() {
            return self.reject(OrderId(0), AccountId(0), spec.symbol, RejectReason::InstrumentExists);
        }
        if !spec.is_valid() {
            return self.reject(OrderId(0), AccountId(0), spec.symbol, RejectReason::InvalidInstrument);
        }
        self.books.push(RefBook { spec, orders: Vec::new(), last_price: None });
        self.emit(EventKind::InstrumentAdded { symbol: spec.symbol });
    }

    fn validate(&self, b: usize, o: &NewOrder) -> Result<(), RejectReason> {
        let spec = &self.books[b].spec;
        if self.live().any(|x| x.id == o.id) {
            return Err(RejectReason::DuplicateOrderId);
        }
        if !spec.qty_ok(o.qty) {
            return Err(RejectReason::InvalidQty);
        }
        if has_limit(o.order_type) && !spec.price_ok(o.price) {
            return Err(RejectReason::InvalidPrice);
        }
        if is_stop(o.order_type) && !spec.price_ok(o.stop_price) {
            return Err(RejectReason::InvalidStopPrice);
        }
        let display_ok = has_limit(o.order_type)
            && o.tif.may_rest()
            && o.display_qty.0 > 0
            && o.display_qty <= o.qty
            && o.display_qty.0 % spec.lot_size == 0;
        if o.display_qty.0 != 0 && !display_ok {
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
            if self.would_take(b, o.side, o.price) {
                return Err(RejectReason::PostOnlyWouldTake);
            }
        }
        Ok(())
    }

    /// Whether a limit order at `price` on `side` crosses the best opposite level.
    fn would_take(&self, b: usize, side: Side, price: Price) -> bool {
        let book = &self.books[b];
        book.front(side.opposite()).is_some_and(|i| crosses(side, Some(price), book.orders[i].price))
    }

    fn new_order(&mut self, o: &NewOrder) {
        let Some(b) = self.book_index(o.symbol) else {
            return self.reject(o.id, o.account, o.symbol, RejectReason::UnknownSymbol);
        };
        if let Err(reason) = self.validate(b, o) {
            return self.reject(o.id, o.account, o.symbol, reason);
        }
        let price = if has_limit(o.order_type) { o.price } else { Price(0) };
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
        let stop = is_stop(o.order_type);
        let order = RefOrder {
            id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif,
            stp: o.stp,
            post_only: o.post_only,
            status: if stop { OrderStatus::PendingStop } else { OrderStatus::Resting },
            price,
            stop_price: if stop { o.stop_price } else { Price(0) },
            leaves: o.qty,
            visible: Qty(0),
            display: o.display_qty,
            filled: Qty(0),
            expire_at: if o.tif == TimeInForce::Gtd { o.expire_at } else { 0 },
            arrival: self.next_arrival,
            queue_pos: 0,
        };
        let mut fired = VecDeque::new();
        if !stop {
            self.enter(b, order);
        } else if self.books[b].reached(o.side, o.stop_price) {
            self.trigger(b, order, &mut fired);
        } else {
            self.books[b].orders.push(order);
        }
        self.run_triggers(b, fired);
    }

    /// Reports a stop's trigger and queues it to enter the book after the stops triggered before it.
    fn trigger(&mut self, b: usize, mut o: RefOrder, fired: &mut VecDeque<RefOrder>) {
        o.status = OrderStatus::Resting;
        self.emit(EventKind::Triggered {
            order_id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            stop_price: o.stop_price,
            last_price: self.books[b].last_price.unwrap_or_default(),
        });
        fired.push_back(o);
    }

    /// Enters triggered stops one at a time; after every entry (and before the first), every pending stop the last
    /// trade has reached triggers — buy stops, then sell stops, each in trigger order — and queues behind the rest.
    fn run_triggers(&mut self, b: usize, mut fired: VecDeque<RefOrder>) {
        loop {
            let mut reached = self.books[b].stops(Side::Buy, true);
            reached.extend(self.books[b].stops(Side::Sell, true));
            for id in reached {
                let i = self.books[b].position(id);
                let o = self.books[b].orders.remove(i);
                self.trigger(b, o, &mut fired);
            }
            let Some(o) = fired.pop_front() else { break };
            self.enter(b, o);
        }
    }

    /// Matches an incoming (triggered, or re-priced) order, then rests or cancels what is left.
    fn enter(&mut self, b: usize, mut t: RefOrder) {
        if t.tif == TimeInForce::Fok {
            // Fill or kill: run the match on a copy and keep it only if the order filled completely.
            let mut trial = self.clone();
            let mut tt = t.clone();
            trial.match_taker(b, &mut tt);
            if tt.filled.0 - t.filled.0 != t.leaves.0 {
                return self.cancelled(&t, t.leaves, Qty(0), CancelReason::Fok);
            }
            *self = trial;
            t = tt;
        } else {
            self.match_taker(b, &mut t);
        }
        if t.leaves.0 == 0 {
            return;
        }
        if has_limit(t.order_type) && t.tif.may_rest() {
            t.visible = if t.display.0 > 0 { t.display.min(t.leaves) } else { t.leaves };
            t.queue_pos = self.next_queue_pos;
            self.next_queue_pos += 1;
            self.touch(b, t.side, t.price);
            self.books[b].orders.push(t);
        } else {
            self.cancelled(&t, t.leaves, Qty(0), CancelReason::IocRemainder);
        }
    }

    /// Trades the taker against the front of the best opposite level while it crosses and has quantity.
    fn match_taker(&mut self, b: usize, t: &mut RefOrder) {
        let limit = has_limit(t.order_type).then_some(t.price);
        let maker_side = t.side.opposite();
        while t.leaves.0 > 0 {
            let Some(i) = self.books[b].front(maker_side) else { break };
            let maker = self.books[b].orders[i].clone();
            if !crosses(t.side, limit, maker.price) {
                break;
            }
            if maker.account == t.account && t.stp != StpMode::None {
                self.prevent_self_trade(b, i, t);
                continue;
            }
            let qty = maker.visible.min(t.leaves);
            let m = &mut self.books[b].orders[i];
            m.visible.0 -= qty.0;
            m.leaves.0 -= qty.0;
            m.filled.0 += qty.0;
            let (maker_leaves, maker_visible) = (m.leaves, m.visible);
            if maker_visible.0 == 0 {
                if maker_leaves.0 > 0 {
                    // Iceberg: a fresh slice joins the back of the queue.
                    m.visible = m.display.min(maker_leaves);
                    m.queue_pos = self.next_queue_pos;
                    self.next_queue_pos += 1;
                } else {
                    self.books[b].orders.remove(i);
                }
            }
            t.leaves.0 -= qty.0;
            t.filled.0 += qty.0;
            self.books[b].last_price = Some(maker.price);
            self.touch(b, maker_side, maker.price);
            self.emit(EventKind::Trade {
                symbol: t.symbol,
                maker_id: maker.id,
                taker_id: t.id,
                maker_account: maker.account,
                taker_account: t.account,
                taker_side: t.side,
                price: maker.price,
                qty,
                maker_leaves,
                taker_leaves: t.leaves,
            });
        }
    }

    /// The taker met its own account's resting order at index `i`: apply the taker's STP mode.
    fn prevent_self_trade(&mut self, b: usize, i: usize, t: &mut RefOrder) {
        let kill_taker = |me: &mut Self, t: &mut RefOrder| {
            let leaves = t.leaves;
            t.leaves = Qty(0);
            me.cancelled(t, leaves, Qty(0), CancelReason::SelfTrade);
        };
        match t.stp {
            StpMode::None => unreachable!("self-trades are allowed without STP"),
            StpMode::CancelNewest => kill_taker(self, t),
            StpMode::CancelOldest => self.cancel_live(b, i, CancelReason::SelfTrade),
            StpMode::CancelBoth => {
                self.cancel_live(b, i, CancelReason::SelfTrade);
                kill_taker(self, t);
            }
            StpMode::DecrementAndCancel => {
                let maker = self.books[b].orders[i].clone();
                let d = maker.leaves.min(t.leaves);
                if maker.leaves == d {
                    self.cancel_live(b, i, CancelReason::SelfTrade);
                } else {
                    let m = &mut self.books[b].orders[i];
                    m.leaves.0 -= d.0;
                    m.visible = m.visible.min(m.leaves);
                    let left = m.leaves;
                    self.touch(b, maker.side, maker.price);
                    self.cancelled(&maker, d, left, CancelReason::SelfTrade);
                }
                t.leaves.0 -= d.0;
                let left = t.leaves;
                self.cancelled(t, d, left, CancelReason::SelfTrade);
            }
        }
    }

    /// Removes live order `i` of book `b` and reports its whole open quantity cancelled.
    fn cancel_live(&mut self, b: usize, i: usize, reason: CancelReason) {
        let o = self.books[b].orders.remove(i);
        if o.status == OrderStatus::Resting {
            self.touch(b, o.side, o.price);
        }
        self.cancelled(&o, o.leaves, Qty(0), reason);
    }

    fn replace(&mut self, id: OrderId, account: AccountId, new_price: Option<Price>, new_qty: Qty) {
        let Some((b, i)) = self.find(id, account) else {
            return self.reject(id, account, SymbolId(0), RejectReason::UnknownOrder);
        };
        let o = self.books[b].orders[i].clone();
        let spec = self.books[b].spec;
        // Filled plus open quantity must stay within the instrument's maximum (the minimum does not apply).
        let qty_ok = new_qty.0 > 0 && o.filled.0 + new_qty.0 <= spec.max_qty.0 && new_qty.0 % spec.lot_size == 0;
        if !qty_ok {
            return self.reject(id, account, o.symbol, RejectReason::InvalidQty);
        }
        if new_price.is_some() && !has_limit(o.order_type) {
            return self.reject(id, account, o.symbol, RejectReason::InvalidOrderType);
        }
        if new_price.is_some_and(|p| !spec.price_ok(p)) {
            return self.reject(id, account, o.symbol, RejectReason::InvalidPrice);
        }
        let price = new_price.unwrap_or(o.price);
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
            // A pending stop has no queue place to lose; its trigger order (stop price, arrival) is unchanged.
            let m = &mut self.books[b].orders[i];
            m.price = price;
            m.leaves = new_qty;
            return self.emit(replaced(true));
        }
        if price == o.price && new_qty <= o.leaves {
            let m = &mut self.books[b].orders[i];
            m.leaves = new_qty;
            m.visible = m.visible.min(new_qty);
            self.touch(b, o.side, o.price);
            return self.emit(replaced(true));
        }
        if o.post_only && self.would_take(b, o.side, price) {
            return self.reject(id, account, o.symbol, RejectReason::PostOnlyWouldTake);
        }
        let mut m = self.books[b].orders.remove(i);
        self.touch(b, o.side, o.price);
        m.price = price;
        m.leaves = new_qty;
        m.visible = Qty(0);
        self.emit(replaced(false));
        self.enter(b, m);
        self.run_triggers(b, VecDeque::new());
    }

    /// Cancels every live order `keep` selects, book by book in the order they were added; within a book bids then
    /// asks (best level first, front first), then buy stops and sell stops in trigger order. An unknown `symbol`
    /// filter is rejected, naming `account`.
    fn cancel_where(
        &mut self,
        symbol: Option<SymbolId>,
        account: AccountId,
        reason: CancelReason,
        keep: impl Fn(&RefOrder) -> bool,
    ) {
        let books: Vec<usize> = match symbol {
            Some(s) => match self.book_index(s) {
                Some(b) => vec![b],
                None => return self.reject(OrderId(0), account, s, RejectReason::UnknownSymbol),
            },
            None => (0..self.books.len()).collect(),
        };
        for b in books {
            let book = &self.books[b];
            let mut candidates: Vec<OrderId> = Vec::new();
            for side in [Side::Buy, Side::Sell] {
                candidates.extend(book.sorted(side).into_iter().map(|o| o.id));
            }
            for side in [Side::Buy, Side::Sell] {
                candidates.extend(book.stops(side, false));
            }
            let victims: Vec<OrderId> =
                candidates.into_iter().filter(|&id| keep(&book.orders[book.position(id)])).collect();
            for id in victims {
                let i = self.books[b].position(id);
                self.cancel_live(b, i, reason);
            }
        }
    }

    /// Expires, earliest expiry first (ties by arrival), every GTD order with expiry at or before `now`.
    fn expire_gtd(&mut self, now: u64) {
        loop {
            let due = self
                .books
                .iter()
                .enumerate()
                .flat_map(|(b, book)| book.orders.iter().map(move |o| (b, o)))
                .filter(|(_, o)| o.tif == TimeInForce::Gtd && o.expire_at <= now)
                .min_by_key(|(_, o)| (o.expire_at, o.arrival))
                .map(|(b, o)| (b, o.id));
            let Some((b, id)) = due else { break };
            let i = self.books[b].position(id);
            self.cancel_live(b, i, CancelReason::Expired);
        }
    }
}
