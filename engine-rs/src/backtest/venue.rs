//! The simulated venue: the strategy's working orders, when the data fills
//! them (the fill models), and how every fill is executed in the real engine.
//!
//! **Execution.** The venue decides *when* and *at what price* an order
//! fills; the engine does the rest. For each fill the venue places synthetic
//! liquidity for a counterparty account and sends the strategy's order to
//! the engine as a child with the strategy order's id: a taker fill rests the
//! counterparty (post-only) at the fill price(s), then sends the strategy's
//! market order; a maker fill rests the strategy's limit order, then sends
//! the counterparty's IOC. So fees (maker or taker), positions, cash and P&L
//! come out of the engine's accounting, and its risk checks (buying power,
//! reduce-only, short selling, limits) run when an order executes: a child the
//! engine refuses ends the strategy's order with a `rejected` record. Working
//! orders hold no reservation while they wait (the engine never holds them).

use super::fill::{bar_path, queue_fills, touch_time, volume_budget, BarMarketFill, StopTrigger};
use super::l3::{execution_fills, L3Action, L3Book};
use super::record::{self, kind};
use super::runner::{Backtest, STRATEGY_ACCOUNT};
use crate::command::{CommandKind, NewOrder};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
use crate::{CancelReason, EventKind, InstrumentSpec, Liquidity, RejectReason};
use std::collections::BTreeMap;

/// The counterparty that rests liquidity for the strategy's taker fills.
pub const LIQUIDITY_MAKER: AccountId = AccountId(u32::MAX);
/// The counterparty that takes the strategy's resting orders.
pub const LIQUIDITY_TAKER: AccountId = AccountId(u32::MAX - 1);

/// A new order from the strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderRequest {
    /// The strategy's id for it (1 … 2^53, unique among its live orders).
    pub id: u64,
    /// The instrument.
    pub symbol: SymbolId,
    /// Buy or sell.
    pub side: Side,
    /// Limit, market, stop or stop-limit.
    pub order_type: OrderType,
    /// Time in force.
    pub tif: TimeInForce,
    /// Limit price (limit, stop-limit).
    pub price: i64,
    /// Quantity.
    pub qty: i64,
    /// Trigger price (stop, stop-limit).
    pub stop_price: i64,
    /// Expiry (GTD).
    pub expire_at: u64,
    /// May only reduce the position (checked by the engine when it executes).
    pub reduce_only: bool,
}

/// What the strategy can send the venue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrategyCommand {
    /// A new order.
    New(OrderRequest),
    /// Cancel an order.
    Cancel {
        /// Its id.
        id: u64,
    },
    /// Change an order's limit price (`None` keeps it) and open quantity.
    Replace {
        /// Its id.
        id: u64,
        /// The new limit price.
        price: Option<i64>,
        /// The new open quantity.
        qty: i64,
    },
    /// A record that did not decode; answered with `rejected` (malformed).
    Malformed {
        /// The id slot, if it held a usable id (else 0).
        id: u64,
    },
}

fn exact(v: f64, min: f64, max: f64) -> Option<i64> {
    (v.is_finite() && v.fract() == 0.0 && v >= min && v <= max).then_some(v as i64)
}

impl StrategyCommand {
    /// Decodes one command record (see `record`).
    pub fn decode(r: &[f64]) -> StrategyCommand {
        let max = super::data::MAX_EXACT;
        let id = exact(r[1], 1.0, max);
        let malformed = StrategyCommand::Malformed { id: id.unwrap_or(0) as u64 };
        let Some(id) = id.map(|i| i as u64) else { return malformed };
        match r[0] {
            k if k == record::command::NEW => {
                let code = |v: f64| exact(v, 0.0, 255.0).map(|c| c as u8);
                let parsed = (|| {
                    Some(OrderRequest {
                        id,
                        symbol: SymbolId(exact(r[2], 0.0, f64::from(u32::MAX))? as u32),
                        side: Side::from_code(code(r[3])?)?,
                        order_type: OrderType::from_code(code(r[4])?)?,
                        tif: TimeInForce::from_code(code(r[5])?)?,
                        price: exact(r[6], 0.0, max)?,
                        qty: exact(r[7], 0.0, max)?,
                        stop_price: exact(r[8], 0.0, max)?,
                        expire_at: exact(r[9], 0.0, max)? as u64,
                        reduce_only: exact(r[10], 0.0, 1.0)? == 1,
                    })
                })();
                parsed.map_or(malformed, StrategyCommand::New)
            }
            k if k == record::command::CANCEL => StrategyCommand::Cancel { id },
            k if k == record::command::REPLACE => match (exact(r[6], 0.0, max), exact(r[7], 0.0, max)) {
                (Some(p), Some(q)) => StrategyCommand::Replace { id, price: (p != 0).then_some(p), qty: q },
                _ => malformed,
            },
            _ => malformed,
        }
    }
}

/// A working order of the strategy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SimOrder {
    pub id: u64,
    pub side: Side,
    pub order_type: OrderType,
    pub tif: TimeInForce,
    pub price: i64,
    pub stop: i64,
    pub leaves: i64,
    /// Expiry (GTD, or DAY's session end); 0: none.
    pub expire_at: u64,
    pub reduce_only: bool,
    /// A stop whose trigger was reached (a stop-market now acts as a market
    /// order, a stop-limit as a limit order).
    pub triggered: bool,
    /// Quantity ahead in the queue at its price: estimated with book and
    /// print data, exact with L3 data.
    pub ahead: i64,
    /// Its place among the L3 book's orders (see `l3`), when it joined one.
    pub priority: u64,
    /// Queue order: arrival, renewed when a replace loses priority.
    pub seq: u64,
    /// Inside the current bar: path time from which a triggered stop-limit may fill.
    pub from: f64,
}

impl SimOrder {
    fn pending_stop(&self) -> bool {
        matches!(self.order_type, OrderType::Stop | OrderType::StopLimit) && !self.triggered
    }

    fn market_like(&self) -> bool {
        self.order_type == OrderType::Market || (self.order_type == OrderType::Stop && self.triggered)
    }

    fn limit_like(&self) -> bool {
        self.order_type == OrderType::Limit || (self.order_type == OrderType::StopLimit && self.triggered)
    }

    /// Whether a stop's trigger is reached at `price`.
    fn stop_reached(&self, price: i64) -> bool {
        match self.side {
            Side::Buy => price >= self.stop,
            Side::Sell => price <= self.stop,
        }
    }

    /// Whether the limit accepts `price`.
    fn accepts(&self, price: i64) -> bool {
        match self.side {
            Side::Buy => price <= self.price,
            Side::Sell => price >= self.price,
        }
    }

    /// Whether the order may only be evaluated once (IOC, FOK).
    fn one_shot(&self) -> bool {
        !self.tif.may_rest()
    }
}

/// One instrument as the venue sees it.
#[derive(Clone, Debug)]
pub(crate) struct Inst {
    pub spec: InstrumentSpec,
    /// Working orders, in arrival order.
    pub orders: Vec<SimOrder>,
    /// The strategy's position (as the engine's fills reported it).
    pub pos: i64,
    /// Last price: bar close, print, or book mid.
    pub mark: Option<i64>,
    /// The first mark (for buy and hold).
    pub first_price: Option<i64>,
    /// Close of the last bar, and what its volume cap left.
    pub last_close: Option<i64>,
    pub bar_budget: i64,
    /// Price of the last print.
    pub last_print: Option<i64>,
    /// The data's book (L2 diffs or quotes), once any arrived.
    pub has_book: bool,
    pub bids: BTreeMap<i64, i64>,
    pub asks: BTreeMap<i64, i64>,
    /// The rebuilt market-by-order book, once an L3 event arrived.
    pub l3: Option<L3Book>,
}

impl Inst {
    pub fn new(spec: InstrumentSpec) -> Inst {
        Inst {
            spec,
            orders: Vec::new(),
            pos: 0,
            mark: None,
            first_price: None,
            last_close: None,
            bar_budget: 0,
            last_print: None,
            has_book: false,
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            l3: None,
        }
    }

    fn set_mark(&mut self, price: i64) {
        self.mark = Some(price);
        self.first_price.get_or_insert(price);
    }

    fn book_mark(&mut self) {
        let bid = self.bids.keys().next_back().copied();
        let ask = self.asks.keys().next().copied();
        match (bid, ask) {
            (Some(b), Some(a)) => self.set_mark((b + a) / 2),
            (Some(p), None) | (None, Some(p)) => self.set_mark(p),
            (None, None) => {}
        }
    }

    /// The data book's size at `price` on `side`.
    fn level(&self, side: Side, price: i64) -> i64 {
        let book = if side == Side::Buy { &self.bids } else { &self.asks };
        book.get(&price).copied().unwrap_or(0)
    }

    /// The best price on the book for an order on `side` to take (best ask for a buy).
    fn best_opposite(&self, side: Side) -> Option<i64> {
        if side == Side::Buy {
            self.asks.keys().next().copied()
        } else {
            self.bids.keys().next_back().copied()
        }
    }

    fn find(&self, id: u64) -> Option<usize> {
        self.orders.iter().position(|o| o.id == id)
    }

    fn ids(&self, keep: impl Fn(&SimOrder) -> bool) -> Vec<u64> {
        self.orders.iter().filter(|o| keep(o)).map(|o| o.id).collect()
    }
}

/// The better-first sort key of a limit price on `side`.
fn best_first(side: Side, price: i64) -> i64 {
    if side == Side::Buy {
        -price
    } else {
        price
    }
}

/// A fill the engine reported for the strategy.
struct EngineFill {
    price: i64,
    qty: i64,
    fee: i128,
    realized: i128,
    liquidity: Liquidity,
    position: i64,
    cash: i128,
}

impl Backtest {
    fn order(&self, i: usize, id: u64) -> Option<SimOrder> {
        self.insts[i].find(id).map(|k| self.insts[i].orders[k])
    }

    fn order_mut(&mut self, i: usize, id: u64) -> Option<&mut SimOrder> {
        let k = self.insts[i].find(id)?;
        Some(&mut self.insts[i].orders[k])
    }

    fn update(&mut self, i: Option<usize>, kind: f64, payload: &[f64]) {
        let symbol = i.map_or(0, |i| self.insts[i].spec.symbol.0);
        let rec = record::make(kind, self.venue_now, symbol, payload);
        self.deliver_at(self.venue_now, rec);
    }

    fn reject(&mut self, i: Option<usize>, id: u64, reason: RejectReason) {
        self.update(i, kind::REJECTED, &[id as f64, f64::from(reason.code())]);
    }

    /// Removes a working order.
    fn remove(&mut self, i: usize, id: u64) -> Option<SimOrder> {
        let k = self.insts[i].find(id)?;
        self.live.remove(&id);
        let o = self.insts[i].orders.remove(k);
        if o.expire_at != 0 {
            self.timed_orders -= 1;
        }
        Some(o)
    }

    fn cancel(&mut self, i: usize, id: u64, reason: CancelReason) {
        if let Some(o) = self.remove(i, id) {
            self.update(Some(i), kind::CANCELLED, &[id as f64, f64::from(reason.code()), o.leaves as f64]);
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.arrival_seq += 1;
        self.arrival_seq
    }

    // ---- commands reaching the venue ----

    pub(crate) fn on_command(&mut self, cmd: StrategyCommand) {
        match cmd {
            StrategyCommand::Malformed { id } => self.reject(None, id, RejectReason::Malformed),
            StrategyCommand::New(req) => self.on_new(req),
            StrategyCommand::Cancel { id } => match self.live.get(&id).copied() {
                Some(i) => self.cancel(i, id, CancelReason::User),
                None => self.reject(None, id, RejectReason::UnknownOrder),
            },
            StrategyCommand::Replace { id, price, qty } => self.on_replace(id, price, qty),
        }
    }

    fn validate(&self, r: &OrderRequest) -> Result<(usize, u64), (Option<usize>, RejectReason)> {
        let Some(&i) = self.inst_of.get(&r.symbol) else { return Err((None, RejectReason::UnknownSymbol)) };
        let spec = &self.insts[i].spec;
        let has_limit = matches!(r.order_type, OrderType::Limit | OrderType::StopLimit);
        let is_stop = matches!(r.order_type, OrderType::Stop | OrderType::StopLimit);
        let reason = if self.live.contains_key(&r.id) {
            Some(RejectReason::DuplicateOrderId)
        } else if !spec.qty_ok(Qty(r.qty)) {
            Some(RejectReason::InvalidQty)
        } else if has_limit && !spec.price_ok(Price(r.price)) {
            Some(RejectReason::InvalidPrice)
        } else if is_stop && !spec.price_ok(Price(r.stop_price)) {
            Some(RejectReason::InvalidStopPrice)
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err((Some(i), reason));
        }
        let (len, off) = (self.cfg.session_length, self.cfg.session_offset);
        let expire_at = match r.tif {
            TimeInForce::Gtd if r.expire_at <= self.venue_now => return Err((Some(i), RejectReason::InvalidTif)),
            TimeInForce::Gtd => r.expire_at,
            TimeInForce::Day if len == 0 => return Err((Some(i), RejectReason::InvalidTif)),
            TimeInForce::Day => {
                let since = self.venue_now.saturating_sub(off);
                off + (since / len + 1) * len
            }
            _ => 0,
        };
        Ok((i, expire_at))
    }

    fn on_new(&mut self, r: OrderRequest) {
        let (i, expire_at) = match self.validate(&r) {
            Ok(v) => v,
            Err((i, reason)) => return self.reject(i, r.id, reason),
        };
        let has_limit = matches!(r.order_type, OrderType::Limit | OrderType::StopLimit);
        let is_stop = matches!(r.order_type, OrderType::Stop | OrderType::StopLimit);
        let seq = self.next_seq();
        let o = SimOrder {
            id: r.id,
            side: r.side,
            order_type: r.order_type,
            tif: r.tif,
            price: if has_limit { r.price } else { 0 },
            stop: if is_stop { r.stop_price } else { 0 },
            leaves: r.qty,
            expire_at,
            reduce_only: r.reduce_only,
            triggered: false,
            ahead: 0,
            priority: 0,
            seq,
            from: 0.0,
        };
        self.update(
            Some(i),
            kind::ACCEPTED,
            &[
                r.id as f64,
                f64::from(r.side.code()),
                f64::from(r.order_type.code()),
                o.price as f64,
                r.qty as f64,
                o.stop as f64,
                f64::from(r.tif.code()),
            ],
        );
        self.insts[i].orders.push(o);
        self.live.insert(r.id, i);
        if expire_at != 0 {
            self.timed_orders += 1;
        }
        self.activate(i, r.id);
    }

    /// What an order does the moment it reaches the venue (or is triggered):
    /// stops already reached by the last print trigger; against a data book,
    /// marketable orders take liquidity at once and the rest joins the queue;
    /// on bars with the same-close model, market orders fill at the last close.
    fn activate(&mut self, i: usize, id: u64) {
        let Some(o) = self.order(i, id) else { return };
        let inst = &self.insts[i];
        if o.pending_stop() {
            let reference = match self.cfg.stop_trigger {
                StopTrigger::Last => inst.last_print,
                StopTrigger::Quote => inst.best_opposite(o.side),
            };
            if let Some(p) = reference.filter(|&p| o.stop_reached(p)) {
                self.trigger(i, id, p);
                return self.activate(i, id);
            }
            return;
        }
        if inst.has_book {
            let limit = o.limit_like().then_some(o.price);
            self.take_book(i, id, limit);
            let Some(o) = self.order(i, id) else { return };
            if o.market_like() {
                return self.cancel(i, id, CancelReason::IocRemainder);
            }
            if o.one_shot() {
                let reason = if o.tif == TimeInForce::Fok { CancelReason::Fok } else { CancelReason::IocRemainder };
                return self.cancel(i, id, reason);
            }
            return self.join_queue(i, id);
        }
        let same_close = self.cfg.bar_market_fill == BarMarketFill::SameClose;
        if let (true, true, Some(close)) = (o.market_like(), same_close, inst.last_close) {
            let px = self.cfg.slippage.apply(close, o.side, inst.spec.tick_size);
            let mut budget = inst.bar_budget;
            self.fill_taker_at(i, id, px, &mut budget);
            self.insts[i].bar_budget = budget;
            if self.order(i, id).is_some_and(|o| o.one_shot()) {
                self.cancel(i, id, CancelReason::IocRemainder);
            }
        }
    }

    fn on_replace(&mut self, id: u64, price: Option<i64>, qty: i64) {
        let Some(i) = self.live.get(&id).copied() else { return self.reject(None, id, RejectReason::UnknownOrder) };
        let o = self.order(i, id).expect("live");
        let spec = self.insts[i].spec;
        let has_limit = matches!(o.order_type, OrderType::Limit | OrderType::StopLimit);
        let reason = if qty <= 0 || qty % spec.lot_size != 0 || qty > spec.max_qty.0 {
            Some(RejectReason::InvalidQty)
        } else if price.is_some() && !has_limit {
            Some(RejectReason::InvalidOrderType)
        } else if price.is_some_and(|p| !spec.price_ok(Price(p))) {
            Some(RejectReason::InvalidPrice)
        } else {
            None
        };
        if let Some(reason) = reason {
            return self.reject(Some(i), id, reason);
        }
        let new_price = price.unwrap_or(o.price);
        let keeps_place = new_price == o.price && qty <= o.leaves;
        let seq = if keeps_place { o.seq } else { self.next_seq() };
        let m = self.order_mut(i, id).expect("live");
        (m.price, m.leaves, m.seq) = (new_price, qty, seq);
        if !keeps_place {
            self.join_queue(i, id);
            // Losing the place means going to the back: keep `orders` in queue order.
            let k = self.insts[i].find(id).expect("live");
            let moved = self.insts[i].orders.remove(k);
            self.insts[i].orders.push(moved);
        }
        self.update(Some(i), kind::REPLACED, &[id as f64, new_price as f64, qty as f64]);
        if self.insts[i].has_book && o.limit_like() && !keeps_place {
            self.activate(i, id);
        }
    }

    /// Cancels orders whose GTD or DAY expiry has come.
    pub(crate) fn expire(&mut self, now: u64) {
        if self.timed_orders == 0 {
            return;
        }
        for i in 0..self.insts.len() {
            if self.insts[i].orders.iter().any(|o| o.expire_at != 0 && o.expire_at <= now) {
                for id in self.insts[i].ids(|o| o.expire_at != 0 && o.expire_at <= now) {
                    self.cancel(i, id, CancelReason::Expired);
                }
            }
        }
    }

    fn trigger(&mut self, i: usize, id: u64, at: i64) {
        let has_book = self.insts[i].has_book;
        let o = self.order_mut(i, id).expect("live");
        o.triggered = true;
        let stop = o.stop;
        if has_book {
            self.join_queue(i, id);
        }
        self.update(Some(i), kind::TRIGGERED, &[id as f64, stop as f64, at as f64]);
    }

    /// An order takes its place at the back of its price's queue: behind the
    /// whole level (L2: an estimate), or behind exactly the L3 orders resting
    /// there now (it takes the L3 book's next priority).
    fn join_queue(&mut self, i: usize, id: u64) {
        let Some(o) = self.order(i, id) else { return };
        let inst = &mut self.insts[i];
        let (ahead, priority) = match inst.l3.as_mut() {
            Some(book) => (book.total(o.side, o.price), book.take_priority()),
            None => (inst.level(o.side, o.price), 0),
        };
        let m = self.order_mut(i, id).expect("live");
        (m.ahead, m.priority) = (ahead, priority);
    }

    /// With [`StopTrigger::Quote`], after the book changed: triggers the stops
    /// the best opposite price has reached, and they act at once (on the book).
    fn quote_stops(&mut self, i: usize) {
        if self.cfg.stop_trigger != StopTrigger::Quote {
            return;
        }
        let inst = &self.insts[i];
        let reached: Vec<(u64, i64)> = inst
            .orders
            .iter()
            .filter(|o| o.pending_stop())
            .filter_map(|o| inst.best_opposite(o.side).filter(|&p| o.stop_reached(p)).map(|p| (o.id, p)))
            .collect();
        for (id, p) in reached {
            if self.order(i, id).is_some() {
                self.trigger(i, id, p);
                self.activate(i, id);
            }
        }
    }

    /// Cancels the rest of IOC and FOK orders that have had their one chance.
    fn end_one_shots(&mut self, i: usize) {
        for id in self.insts[i].ids(|o| o.one_shot() && !o.pending_stop()) {
            let reason = if self.order(i, id).expect("live").tif == TimeInForce::Fok {
                CancelReason::Fok
            } else {
                CancelReason::IocRemainder
            };
            self.cancel(i, id, reason);
        }
    }

    // ---- data reaching the venue ----

    /// A bar: market orders and gapped stops and limits fill at the open,
    /// then stops touched inside the bar in path order, then limits touched
    /// inside the bar (so a stop and a target both touched: the stop first).
    pub(crate) fn on_bar(&mut self, i: usize, o: i64, h: i64, l: i64, c: i64, v: i64) {
        let inst = &mut self.insts[i];
        let mut budget = volume_budget(self.cfg.volume_cap, v, inst.spec.lot_size);
        if !inst.orders.is_empty() {
            let tick = inst.spec.tick_size;
            let slip = self.cfg.slippage;
            let path = bar_path(o, h, l, c);
            // The open.
            for id in self.insts[i].ids(|_| true) {
                let Some(mut ord) = self.order(i, id) else { continue };
                if ord.pending_stop() {
                    if !ord.stop_reached(o) {
                        continue;
                    }
                    self.trigger(i, id, o);
                    ord.triggered = true;
                }
                let px = slip.apply(o, ord.side, tick);
                if ord.market_like() {
                    self.fill_taker_at(i, id, px, &mut budget);
                } else if ord.accepts(o) {
                    let px = if ord.side == Side::Buy { px.min(ord.price) } else { px.max(ord.price) };
                    self.fill_taker_at(i, id, px, &mut budget);
                }
            }
            // Stops inside the bar, in the order the path reaches them.
            let mut stops: Vec<(f64, u64, u64)> = self.insts[i]
                .orders
                .iter()
                .filter(|o| o.pending_stop())
                .filter_map(|o| touch_time(&path, 0.0, o.stop, o.side == Side::Buy).map(|t| (t, o.seq, o.id)))
                .collect();
            stops.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (t, _, id) in stops {
                let Some(ord) = self.order(i, id) else { continue };
                self.trigger(i, id, ord.stop);
                let px = slip.apply(ord.stop, ord.side, tick);
                if ord.order_type == OrderType::Stop {
                    self.fill_taker_at(i, id, px, &mut budget);
                } else {
                    if ord.accepts(ord.stop) {
                        let px = if ord.side == Side::Buy { px.min(ord.price) } else { px.max(ord.price) };
                        self.fill_taker_at(i, id, px, &mut budget);
                    }
                    if let Some(m) = self.order_mut(i, id) {
                        m.from = t;
                    }
                }
            }
            // Limits inside the bar, in the order the path reaches them, at their limit (maker).
            let mut limits: Vec<(f64, u64, u64)> = self.insts[i]
                .orders
                .iter()
                .filter(|o| o.limit_like())
                .filter_map(|o| touch_time(&path, o.from, o.price, o.side == Side::Sell).map(|t| (t, o.seq, o.id)))
                .collect();
            limits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (_, _, id) in limits {
                let Some(ord) = self.order(i, id) else { continue };
                let qty = self.budgeted(i, id, &mut budget);
                if qty > 0 {
                    self.exec_maker(i, id, ord.price, qty);
                }
            }
            self.end_one_shots(i);
            for ord in &mut self.insts[i].orders {
                ord.from = 0.0;
            }
        }
        let inst = &mut self.insts[i];
        inst.set_mark(c);
        inst.last_close = Some(c);
        inst.bar_budget = budget;
    }

    /// The quantity an order may fill now under `budget` (taking it from the
    /// budget); a FOK order that cannot fill completely is cancelled (0).
    fn budgeted(&mut self, i: usize, id: u64, budget: &mut i64) -> i64 {
        let Some(o) = self.order(i, id) else { return 0 };
        let qty = o.leaves.min(*budget);
        if o.tif == TimeInForce::Fok && qty < o.leaves {
            self.cancel(i, id, CancelReason::Fok);
            return 0;
        }
        *budget -= qty;
        qty
    }

    /// A taker fill of an order at one price, within `budget`.
    fn fill_taker_at(&mut self, i: usize, id: u64, price: i64, budget: &mut i64) {
        let spec = self.insts[i].spec;
        let price = price.clamp(spec.min_price.0, spec.max_price.0);
        let qty = self.budgeted(i, id, budget);
        if qty > 0 {
            let filled = self.exec_taker(i, id, &[(price, qty)]);
            *budget += qty - filled;
        }
    }

    /// A trade print: stops reached trigger; market orders fill at the print
    /// (or against the book, if the instrument has one); resting limits the
    /// print traded through fill first, then those at its price once the
    /// print has consumed the queue ahead of them.
    pub(crate) fn on_print(&mut self, i: usize, p: i64, q: i64, aggressor: u8) {
        let inst = &mut self.insts[i];
        inst.last_print = Some(p);
        if !inst.has_book {
            inst.set_mark(p);
        }
        if inst.orders.is_empty() {
            return;
        }
        if self.cfg.stop_trigger == StopTrigger::Last {
            for id in self.insts[i].ids(|o| o.pending_stop() && o.stop_reached(p)) {
                self.trigger(i, id, p);
            }
        }
        let (tick, lot, has_book) = (self.insts[i].spec.tick_size, self.insts[i].spec.lot_size, self.insts[i].has_book);
        // On an L3 book queue positions are exact and move with its executions only.
        let estimate_queues = self.insts[i].l3.is_none();
        let mut budget = volume_budget(self.cfg.volume_cap, q, lot);
        for id in self.insts[i].ids(SimOrder::market_like) {
            if has_book {
                self.take_book(i, id, None);
                self.cancel(i, id, CancelReason::IocRemainder);
            } else {
                let side = self.order(i, id).expect("live").side;
                self.fill_taker_at(i, id, self.cfg.slippage.apply(p, side, tick), &mut budget);
            }
        }
        for side in [Side::Buy, Side::Sell] {
            let vol = self.fill_makers(i, q, move |o| o.limit_like() && o.side == side && o.accepts(p) && o.price != p);
            let passive = aggressor == 0 || aggressor == side.opposite().code();
            if !passive || !estimate_queues {
                continue;
            }
            let at: Vec<u64> = self.insts[i].ids(|o| o.limit_like() && o.side == side && o.price == p);
            if at.is_empty() {
                continue;
            }
            let mut queue: Vec<(i64, i64)> =
                at.iter().map(|&id| self.order(i, id).map(|o| (o.ahead, o.leaves)).expect("live")).collect();
            let fills = queue_fills(vol, &mut queue);
            for ((&id, (ahead, _)), fill) in at.iter().zip(&queue).zip(fills) {
                if let Some(m) = self.order_mut(i, id) {
                    m.ahead = *ahead;
                }
                let fok_short = self.order(i, id).is_some_and(|o| o.tif == TimeInForce::Fok && fill < o.leaves);
                if fok_short {
                    self.cancel(i, id, CancelReason::Fok);
                } else if fill > 0 {
                    self.exec_maker(i, id, p, fill);
                }
            }
        }
        if !has_book {
            self.end_one_shots(i);
        }
    }

    /// An L2 diff: the level is set; queues at it shrink to at most its new
    /// size; strategy orders the new level crosses fill at their limit.
    pub(crate) fn on_depth(&mut self, i: usize, side: Side, price: i64, qty: i64) {
        let inst = &mut self.insts[i];
        inst.has_book = true;
        let book = if side == Side::Buy { &mut inst.bids } else { &mut inst.asks };
        if qty == 0 {
            book.remove(&price);
        } else {
            book.insert(price, qty);
        }
        inst.book_mark();
        if !inst.orders.is_empty() {
            self.book_changed(i, side, price);
            self.quote_stops(i);
        }
    }

    /// A quote: the data's book becomes the two quoted levels.
    pub(crate) fn on_quote(&mut self, i: usize, bid: i64, bid_qty: i64, ask: i64, ask_qty: i64) {
        let inst = &mut self.insts[i];
        inst.has_book = true;
        inst.bids.clear();
        inst.asks.clear();
        if bid > 0 && bid_qty > 0 {
            inst.bids.insert(bid, bid_qty);
        }
        if ask > 0 && ask_qty > 0 {
            inst.asks.insert(ask, ask_qty);
        }
        inst.book_mark();
        if !inst.orders.is_empty() {
            self.book_changed(i, Side::Buy, bid);
            self.book_changed(i, Side::Sell, ask);
            self.quote_stops(i);
        }
    }

    /// An L3 event (see `l3` for the rules): the rebuilt book changes and the
    /// aggregated level(s) it touched are reset to their orders' total; then
    /// strategy orders queued behind the changed order advance, an execution
    /// fills the strategy orders it would have reached first (and acts as a
    /// print for stops and the mark), and a newly placed order fills the
    /// strategy orders it crosses.
    pub(crate) fn on_l3(&mut self, i: usize, action: L3Action, id: u64, side: Side, price: i64, qty: i64) {
        let inst = &mut self.insts[i];
        inst.has_book = true;
        let book = inst.l3.get_or_insert_with(L3Book::default);
        let change = book.apply(action, id, side, price, qty);
        let moved_to = change.placed.map(|(p, _)| p).filter(|&p| p != change.price);
        for p in std::iter::once(change.price).chain(moved_to) {
            let total = book.total(change.side, p);
            let levels = if change.side == Side::Buy { &mut inst.bids } else { &mut inst.asks };
            if total == 0 {
                levels.remove(&p);
            } else {
                levels.insert(p, total);
            }
        }
        inst.book_mark();
        if change.executed {
            inst.last_print = Some(change.price);
        }
        if inst.orders.is_empty() {
            return;
        }
        if change.executed {
            self.l3_execution(i, change.side, change.price, change.priority, change.removed);
            if self.cfg.stop_trigger == StopTrigger::Last {
                for sid in self.insts[i].ids(|o| o.pending_stop() && o.stop_reached(change.price)) {
                    self.trigger(i, sid, change.price);
                    self.activate(i, sid);
                }
            }
        } else if change.removed > 0 {
            for o in &mut self.insts[i].orders {
                if o.limit_like() && o.side == change.side && o.price == change.price && change.priority < o.priority {
                    o.ahead = (o.ahead - change.removed).max(0);
                }
            }
        }
        if let Some((p, size)) = change.placed {
            self.l3_cross(i, change.side, p, size);
        }
        self.quote_stops(i);
    }

    /// An execution of `volume` against the L3 order of `priority` resting at
    /// (`side`, `price`): strategy orders on that side at better prices fill
    /// first (best first), then those at its price by [`execution_fills`].
    fn l3_execution(&mut self, i: usize, side: Side, price: i64, priority: u64, volume: i64) {
        let vol = self
            .fill_makers(i, volume, move |o| o.limit_like() && o.side == side && o.accepts(price) && o.price != price);
        let mut at: Vec<SimOrder> = self.insts[i]
            .orders
            .iter()
            .filter(|o| o.limit_like() && o.side == side && o.price == price)
            .copied()
            .collect();
        if at.is_empty() {
            return;
        }
        at.sort_by_key(|o| o.priority);
        let mut queue: Vec<(u64, i64, i64)> = at.iter().map(|o| (o.priority, o.ahead, o.leaves)).collect();
        let fills = execution_fills(priority, vol, &mut queue);
        for ((o, &(_, ahead, _)), fill) in at.iter().zip(&queue).zip(fills) {
            if let Some(m) = self.order_mut(i, o.id) {
                m.ahead = ahead;
            }
            if o.tif == TimeInForce::Fok && fill > 0 && fill < o.leaves {
                self.cancel(i, o.id, CancelReason::Fok);
            } else if fill > 0 {
                self.exec_maker(i, o.id, price, fill);
            }
        }
    }

    /// A data order of `size` newly placed at (`side`, `price`) fills the
    /// strategy's resting orders on the other side that it crosses, at their
    /// own prices, best first, consuming the aggregated level it rests on.
    fn l3_cross(&mut self, i: usize, side: Side, price: i64, size: i64) {
        let crosses = move |o: &SimOrder| o.limit_like() && o.side == side.opposite() && o.accepts(price);
        if !self.insts[i].orders.iter().any(crosses) {
            return;
        }
        let left = self.fill_makers(i, size, crosses);
        let levels = if side == Side::Buy { &mut self.insts[i].bids } else { &mut self.insts[i].asks };
        if let Some(level) = levels.get_mut(&price) {
            *level -= size - left;
            if *level <= 0 {
                levels.remove(&price);
            }
        }
        self.insts[i].book_mark();
    }

    /// After the data's level at (`side`, `price`) changed: queue estimates at
    /// it are capped by its size, and strategy orders on the other side that
    /// it crosses fill at their own price (they were there first: maker).
    fn book_changed(&mut self, i: usize, side: Side, price: i64) {
        let size = self.insts[i].level(side, price);
        for o in &mut self.insts[i].orders {
            if o.side == side && o.price == price && o.limit_like() {
                o.ahead = o.ahead.min(size);
            }
        }
        if size == 0 {
            return;
        }
        let left = self.fill_makers(i, size, move |o| o.limit_like() && o.side == side.opposite() && o.accepts(price));
        let book = if side == Side::Buy { &mut self.insts[i].bids } else { &mut self.insts[i].asks };
        if left == 0 {
            book.remove(&price);
        } else {
            book.insert(price, left);
        }
        self.insts[i].book_mark();
    }

    /// Fills the strategy's resting orders that `picked` selects, best price
    /// first (then by arrival), each at its own price (maker), out of
    /// `volume`; returns what is left of `volume`.
    fn fill_makers(&mut self, i: usize, volume: i64, picked: impl Fn(&SimOrder) -> bool) -> i64 {
        let mut orders: Vec<SimOrder> = self.insts[i].orders.iter().filter(|o| picked(o)).copied().collect();
        orders.sort_by_key(|o| (best_first(o.side, o.price), o.seq));
        let mut left = volume;
        for o in orders {
            let mut cap = left;
            let qty = self.budgeted(i, o.id, &mut cap);
            if qty > 0 {
                left -= self.exec_maker(i, o.id, o.price, qty);
            }
        }
        left
    }

    /// Takes liquidity from the data's book for an order, up to `limit`,
    /// consuming the levels it fills (until the data next sets them).
    fn take_book(&mut self, i: usize, id: u64, limit: Option<i64>) {
        let Some(o) = self.order(i, id) else { return };
        let inst = &self.insts[i];
        let mut want = o.leaves;
        let mut legs = Vec::new();
        let levels: Box<dyn Iterator<Item = (&i64, &i64)>> =
            if o.side == Side::Buy { Box::new(inst.asks.iter()) } else { Box::new(inst.bids.iter().rev()) };
        for (&p, &q) in levels {
            if want == 0 || limit.is_some_and(|l| !o.accepts_limit(l, p)) {
                break;
            }
            let take = q.min(want);
            legs.push((p, take));
            want -= take;
        }
        if legs.is_empty() || (o.tif == TimeInForce::Fok && want > 0) {
            return;
        }
        let mut filled = self.exec_taker(i, id, &legs);
        let book = if o.side == Side::Buy { &mut self.insts[i].asks } else { &mut self.insts[i].bids };
        for (p, q) in legs {
            let take = q.min(filled);
            filled -= take;
            let level = book.get_mut(&p).expect("a level just walked");
            *level -= take;
            if *level == 0 {
                book.remove(&p);
            }
        }
        self.insts[i].book_mark();
    }

    // ---- execution in the engine ----

    fn liq_id(&mut self) -> OrderId {
        self.next_liq_id += 1;
        OrderId(self.next_liq_id)
    }

    /// Executes a taker fill of order `id` over `legs` (price, qty) in the
    /// engine; returns the quantity filled.
    fn exec_taker(&mut self, i: usize, id: u64, legs: &[(i64, i64)]) -> i64 {
        let o = self.order(i, id).expect("live");
        let symbol = self.insts[i].spec.symbol;
        let total: i64 = legs.iter().map(|l| l.1).sum();
        for &(p, q) in legs {
            let liq = self.liq_id();
            let mut rest = NewOrder::limit(liq.0, LIQUIDITY_MAKER.0, symbol.0, o.side.opposite(), p, q);
            rest.post_only = true;
            self.engine_cmd(CommandKind::New(rest));
        }
        let mut child = NewOrder::market(id, STRATEGY_ACCOUNT.0, symbol.0, o.side, total);
        child.reduce_only = o.reduce_only;
        child.stp = StpMode::None;
        let filled = self.exec_child(i, id, child);
        if filled < total {
            let cancel = CommandKind::MassCancel { account: Some(LIQUIDITY_MAKER), symbol: Some(symbol), side: None };
            self.engine_cmd(cancel);
        }
        filled
    }

    /// Executes a maker fill of order `id`: `qty` at its own `price`; returns the quantity filled.
    fn exec_maker(&mut self, i: usize, id: u64, price: i64, qty: i64) -> i64 {
        let o = self.order(i, id).expect("live");
        let symbol = self.insts[i].spec.symbol;
        let mut child = NewOrder::limit(id, STRATEGY_ACCOUNT.0, symbol.0, o.side, price, qty);
        child.reduce_only = o.reduce_only;
        let refused = self.engine_cmd(CommandKind::New(child)).iter().find_map(|e| match e.kind {
            EventKind::Rejected { reason, .. } => Some(reason),
            _ => None,
        });
        if let Some(reason) = refused {
            self.remove(i, id);
            self.reject(Some(i), id, reason);
            return 0;
        }
        let liq = self.liq_id();
        let mut take = NewOrder::limit(liq.0, LIQUIDITY_TAKER.0, symbol.0, o.side.opposite(), price, qty);
        take.tif = TimeInForce::Ioc;
        let filled = self.exec_child(i, id, take);
        if self.engine.order(OrderId(id)).is_some() {
            self.engine_cmd(CommandKind::Cancel { order_id: OrderId(id), account: STRATEGY_ACCOUNT });
        }
        filled
    }

    /// Sends one command of an execution and books the strategy's fills from
    /// its events; a rejection of the strategy's child ends the order.
    fn exec_child(&mut self, i: usize, id: u64, order: NewOrder) -> i64 {
        let mut fills: Vec<EngineFill> = Vec::new();
        let mut refused = None;
        for e in self.engine_cmd(CommandKind::New(order)) {
            match e.kind {
                EventKind::Rejected { reason, account, .. } if account == STRATEGY_ACCOUNT => refused = Some(reason),
                EventKind::Fill { account, price, qty, fee, realized, liquidity, position, cash, .. }
                    if account == STRATEGY_ACCOUNT =>
                {
                    fills.push(EngineFill { price: price.0, qty: qty.0, fee, realized, liquidity, position, cash })
                }
                _ => {}
            }
        }
        if let Some(reason) = refused {
            self.remove(i, id);
            self.reject(Some(i), id, reason);
            return 0;
        }
        let mut filled = 0;
        for f in fills {
            filled += f.qty;
            self.book_fill(i, id, f);
        }
        filled
    }

    fn book_fill(&mut self, i: usize, id: u64, f: EngineFill) {
        self.cash = f.cash;
        self.insts[i].pos = f.position;
        let m = self.order_mut(i, id).expect("live");
        m.leaves -= f.qty;
        let (side, leaves) = (m.side, m.leaves);
        let payload = [
            id as f64,
            f64::from(side.code()),
            f.price as f64,
            f.qty as f64,
            f.fee as f64,
            f64::from(f.liquidity.code()),
            f.position as f64,
            f.cash as f64,
            leaves as f64,
        ];
        self.update(Some(i), kind::FILL, &payload);
        self.trade_book.on_fill(i, self.venue_now, side, f.price, f.qty, f.fee, f.realized);
        if leaves == 0 {
            self.remove(i, id);
        }
    }

    /// The strategy's working orders (all instruments, in queue order per instrument).
    pub fn open_orders(&self) -> Vec<(SymbolId, SimOrderView)> {
        self.insts
            .iter()
            .flat_map(|inst| {
                inst.orders.iter().map(move |o| {
                    let view = SimOrderView {
                        id: o.id,
                        side: o.side,
                        order_type: o.order_type,
                        tif: o.tif,
                        price: o.price,
                        stop_price: o.stop,
                        leaves: o.leaves,
                        triggered: o.triggered,
                        ahead: o.ahead,
                    };
                    (inst.spec.symbol, view)
                })
            })
            .collect()
    }
}

impl SimOrder {
    /// Whether a limit of `limit` on this order's side accepts `price`.
    fn accepts_limit(&self, limit: i64, price: i64) -> bool {
        match self.side {
            Side::Buy => price <= limit,
            Side::Sell => price >= limit,
        }
    }
}

/// A working order as the strategy may inspect it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOrderView {
    /// Its id.
    pub id: u64,
    /// Its side.
    pub side: Side,
    /// Its type.
    pub order_type: OrderType,
    /// Its time in force.
    pub tif: TimeInForce,
    /// Limit price (0 if none).
    pub price: i64,
    /// Stop price (0 if none).
    pub stop_price: i64,
    /// Open quantity.
    pub leaves: i64,
    /// Whether its stop has triggered.
    pub triggered: bool,
    /// Quantity ahead of it in the queue: estimated with book and print data, exact with L3 data.
    pub ahead: i64,
}
