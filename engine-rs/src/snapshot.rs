//! Snapshot and restore of the whole engine state. Restoring a snapshot gives
//! an engine whose future events are identical to the original's.

use crate::book::Book;
use crate::engine::Engine;
use crate::instrument::InstrumentSpec;
use crate::order::{Order, OrderStatus, NIL};
use crate::risk::bucket::TokenBucket;
use crate::risk::position::Position;
use crate::risk::{
    Account, AccountCaps, AccountLimits, CoveredSells, Gate, Holding, InstrumentLimits, InstrumentRisk, OrderRisk,
    Reservation,
};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The format written. Format 2 has the same layout: its accounts' flags byte can only hold the short-selling
/// switch, so it reads as format 3; an older build refuses format 3 by its version, not by a bad byte.
const FORMAT_VERSION: u32 = 3;

/// Why a snapshot could not be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError(pub String);

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid engine snapshot: {}", self.0)
    }
}

impl std::error::Error for SnapshotError {}

#[derive(Serialize, Deserialize)]
struct EngineState {
    version: u32,
    last_cmd_seq: u64,
    last_event_seq: u64,
    next_arrival: u64,
    books: Vec<BookState>,
    /// Managed accounts in id order, with their totals (checked against the orders on restore).
    accounts: Vec<(AccountId, AccountState)>,
}

/// A managed account as stored: its holdings keyed by instrument rather than by book index.
#[derive(Serialize, Deserialize)]
struct AccountState {
    cash: i128,
    reserved: i128,
    short_req: i128,
    realized: i128,
    open_notional: i128,
    open_orders: u32,
    limits: AccountLimits,
    bucket: Option<TokenBucket>,
    killed: bool,
    holdings: BTreeMap<SymbolId, HoldingState>,
}

/// A holding as stored: its covered sells named by (arrival, id) in arrival order, not by slab slot.
#[derive(Serialize, Deserialize)]
struct HoldingState {
    pos: Position,
    limits: InstrumentLimits,
    open_buy: i128,
    open_sell: i128,
    ro_buy: i128,
    ro_sell: i128,
    covered: i128,
    covered_sells: BTreeSet<(u64, OrderId)>,
}

#[derive(Serialize, Deserialize)]
struct BookState {
    spec: InstrumentSpec,
    last_price: Option<Price>,
    risk: InstrumentRisk,
    /// Bids then asks, each best level first, each level in queue order.
    resting: Vec<OrderState>,
    /// Buy stops then sell stops, each in trigger order.
    stops: Vec<OrderState>,
}

/// A live order as stored: the engine's `Order` (without queue links) and its risk state, in one record.
#[derive(Serialize, Deserialize)]
struct OrderState {
    id: OrderId,
    account: AccountId,
    symbol: SymbolId,
    side: Side,
    order_type: OrderType,
    tif: TimeInForce,
    stp: StpMode,
    post_only: bool,
    status: OrderStatus,
    price: Price,
    stop_price: Price,
    leaves: Qty,
    visible: Qty,
    display: Qty,
    filled: Qty,
    expire_at: u64,
    arrival: u64,
    managed: bool,
    reduce_only: bool,
    covered: i64,
    res: Reservation,
}

impl OrderState {
    fn new(o: &Order, r: OrderRisk) -> Self {
        OrderState {
            id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif,
            stp: o.stp,
            post_only: o.post_only,
            status: o.status,
            price: o.price,
            stop_price: o.stop_price,
            leaves: o.leaves,
            visible: o.visible,
            display: o.display,
            filled: o.filled,
            expire_at: o.expire_at,
            arrival: o.arrival,
            managed: o.managed,
            reduce_only: r.reduce_only,
            covered: r.covered,
            res: r.res(),
        }
    }

    /// The order, its risk record, and the covered quantity stored beside the reservation (they must agree).
    fn split(self) -> (Order, OrderRisk, i64) {
        let o = Order {
            id: self.id,
            account: self.account,
            symbol: self.symbol,
            side: self.side,
            order_type: self.order_type,
            tif: self.tif,
            stp: self.stp,
            post_only: self.post_only,
            status: self.status,
            price: self.price,
            stop_price: self.stop_price,
            leaves: self.leaves,
            visible: self.visible,
            display: self.display,
            filled: self.filled,
            expire_at: self.expire_at,
            arrival: self.arrival,
            managed: self.managed,
            prev: NIL,
            next: NIL,
        };
        // The account index is filled in once the accounts are restored.
        let mut risk = OrderRisk::new(0, 0, self.reduce_only);
        risk.set_res(self.res);
        (o, risk, self.covered)
    }
}

impl Engine {
    /// Serializes the full state (books, queues, stops, counters, accounts) to bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let books = self
            .books
            .iter()
            .enumerate()
            .map(|(b, book)| {
                let mut resting = Vec::new();
                let mut stops = Vec::new();
                let mut idxs = Vec::new();
                self.collect_all(b, &mut idxs);
                for idx in idxs {
                    let o = self.orders.get(idx);
                    let r = if o.managed { self.order_risk[idx as usize] } else { OrderRisk::default() };
                    match o.status {
                        OrderStatus::Resting => resting.push(OrderState::new(o, r)),
                        OrderStatus::PendingStop => stops.push(OrderState::new(o, r)),
                    }
                }
                BookState { spec: book.spec, last_price: book.last_price, risk: book.risk, resting, stops }
            })
            .collect();
        let state = EngineState {
            version: FORMAT_VERSION,
            last_cmd_seq: self.last_cmd_seq,
            last_event_seq: self.last_event_seq,
            next_arrival: self.next_arrival,
            books,
            accounts: self
                .managed_accounts()
                .into_iter()
                .map(|id| {
                    let a = self.acct(id).expect("managed");
                    let holdings = a
                        .held()
                        .map(|(b, h)| {
                            let covered_sells =
                                h.covered_sells.iter().map(|(arrival, i)| (arrival, self.orders.get(i).id)).collect();
                            let state = HoldingState {
                                pos: h.pos,
                                limits: h.limits,
                                open_buy: h.open[0],
                                open_sell: h.open[1],
                                ro_buy: h.ro[0],
                                ro_sell: h.ro[1],
                                covered: h.covered,
                                covered_sells,
                            };
                            (self.books[b].spec.symbol, state)
                        })
                        .collect();
                    let state = AccountState {
                        cash: a.cash,
                        reserved: a.reserved,
                        short_req: a.short_req,
                        realized: a.realized,
                        open_notional: a.open_notional,
                        open_orders: a.open_orders,
                        limits: a.limits,
                        bucket: a.bucket,
                        killed: a.killed,
                        holdings,
                    };
                    (id, state)
                })
                .collect(),
        };
        postcard::to_allocvec(&state).expect("engine state serializes")
    }

    /// Rebuilds an engine from [`Engine::snapshot`] bytes, checking them.
    pub fn restore(bytes: &[u8]) -> Result<Engine, SnapshotError> {
        let state: EngineState = postcard::from_bytes(bytes).map_err(|e| SnapshotError(e.to_string()))?;
        if !(2..=FORMAT_VERSION).contains(&state.version) {
            let v = state.version;
            return Err(SnapshotError(format!("format version {v} (this build reads 2 to {FORMAT_VERSION})")));
        }
        let mut engine = Engine::new();
        engine.last_cmd_seq = state.last_cmd_seq;
        engine.last_event_seq = state.last_event_seq;
        engine.next_arrival = state.next_arrival;
        for bs in state.books {
            if !bs.spec.is_valid() || engine.book_of.contains_key(&bs.spec.symbol) {
                return Err(SnapshotError(format!("bad or repeated instrument {}", bs.spec.symbol.0)));
            }
            let b = engine.books.len();
            engine.book_of.insert(bs.spec.symbol, b);
            engine.books.push(Book::new(bs.spec));
            engine.books[b].last_price = bs.last_price;
            engine.top_trade = engine.top_trade.max(bs.last_price.map_or(0, |p| p.0));
            engine.books[b].risk = bs.risk;
            for o in bs.resting.into_iter().chain(bs.stops) {
                engine.restore_order(b, o)?;
            }
        }
        let mut stored_sells = BTreeMap::new();
        for (id, s) in state.accounts {
            let ix = engine.accounts.len() as u32;
            if !engine.account_ix.insert(id, ix) {
                return Err(SnapshotError(format!("account {} appears twice", id.0)));
            }
            let mut account = Account {
                id,
                cash: s.cash,
                reserved: s.reserved,
                short_req: s.short_req,
                realized: s.realized,
                open_notional: s.open_notional,
                abs_qty: 0,
                open_orders: s.open_orders,
                caps: AccountCaps::new(&s.limits),
                limits: s.limits,
                bucket: s.bucket,
                killed: s.killed,
                holdings: Vec::new(),
            };
            for (symbol, h) in s.holdings {
                let Some(&b) = engine.book_of.get(&symbol) else {
                    return Err(SnapshotError(format!("account {} holds unknown instrument {}", id.0, symbol.0)));
                };
                stored_sells.insert((engine.accounts.len(), b), h.covered_sells);
                // A position comes from fills, so its instrument has traded (its mark is the last trade).
                if (h.pos.qty, h.pos.basis) != (0, 0) && engine.books[b].last_price.is_none() {
                    return Err(SnapshotError(format!("account {} holds a position in untraded {}", id.0, symbol.0)));
                }
                account.abs_qty += i128::from(h.pos.qty.unsigned_abs());
                *account.holding_mut(b) = Holding {
                    pos: h.pos,
                    limits: h.limits,
                    open: [h.open_buy, h.open_sell],
                    ro: [h.ro_buy, h.ro_sell],
                    covered: h.covered,
                    covered_sells: CoveredSells::default(),
                    gate: Gate::new(&s.limits, &h.limits),
                };
            }
            engine.accounts.push(account);
        }
        let live: Vec<u32> = engine.ids.values().copied().collect();
        for idx in live {
            let o = *engine.orders.get(idx);
            if o.managed {
                let Some(ix) = engine.account_ix.get(o.account) else {
                    return Err(SnapshotError(format!("order {} is managed but its account is not", o.id.0)));
                };
                let r = &mut engine.order_risk[idx as usize];
                r.acct = ix;
                if r.covered > 0 {
                    let (book, slot) = (r.book as usize, &mut r.cover_slot);
                    let Some(h) = engine.accounts[ix as usize].holdings.get_mut(book).and_then(Option::as_mut) else {
                        return Err(SnapshotError(format!("order {} covers in an instrument with no holding", o.id.0)));
                    };
                    *slot = h.covered_sells.join(o.arrival, idx);
                }
            }
        }
        // The index of covered sells is rebuilt from the orders: it must be the one stored.
        for (a, acct) in engine.accounts.iter().enumerate() {
            for (b, h) in acct.held() {
                let rebuilt: BTreeSet<(u64, OrderId)> =
                    h.covered_sells.iter().map(|(arrival, i)| (arrival, engine.orders.get(i).id)).collect();
                if stored_sells.remove(&(a, b)).unwrap_or_default() != rebuilt {
                    return Err(SnapshotError(format!("account {}: the stored covered sells disagree", acct.id.0)));
                }
            }
        }
        engine.verify().map_err(SnapshotError)?;
        engine.verify_accounts().map_err(SnapshotError)?;
        Ok(engine)
    }

    fn restore_order(&mut self, b: usize, state: OrderState) -> Result<(), SnapshotError> {
        let (o, risk, covered) = state.split();
        if covered != risk.covered {
            return Err(SnapshotError(format!("order {} covers {covered} but reserves for {}", o.id.0, risk.covered)));
        }
        if o.symbol != self.books[b].spec.symbol || o.leaves.0 <= 0 || o.arrival > self.next_arrival {
            return Err(SnapshotError(format!("order {} is inconsistent", o.id.0)));
        }
        if self.ids.contains_key(&o.id) {
            return Err(SnapshotError(format!("order id {} appears twice", o.id.0)));
        }
        if !o.managed && risk != OrderRisk::default() {
            return Err(SnapshotError(format!("order {} is unmanaged but holds risk state", o.id.0)));
        }
        let idx = self.orders.insert(o);
        self.ids.insert(o.id, idx);
        if o.managed {
            *self.risk_slot(idx) = risk;
            self.order_risk[idx as usize].book = b as u32;
        }
        if o.tif == TimeInForce::Gtd {
            self.gtd.insert((o.expire_at, o.arrival), idx);
        }
        let book = &mut self.books[b];
        match o.status {
            OrderStatus::Resting => {
                let ladder = book.ladder_mut(o.side);
                let lvl = ladder.find_or_insert(o.price);
                ladder.level_mut(lvl).push_back(&mut self.orders, idx);
            }
            OrderStatus::PendingStop => {
                let key = Book::stop_key(o.side, o.stop_price, o.arrival);
                if book.stops_mut(o.side).insert(key, idx).is_some() {
                    return Err(SnapshotError(format!("stop {} repeats a trigger slot", o.id.0)));
                }
            }
        }
        Ok(())
    }

    /// Every live order of book `b`, in canonical order.
    fn collect_all(&self, b: usize, into: &mut Vec<u32>) {
        self.collect_live(b, None::<Side>, |_| true, into);
    }
}
