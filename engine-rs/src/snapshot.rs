//! Snapshot and restore of the whole engine state. Restoring a snapshot gives
//! an engine whose future events are identical to the original's.

use crate::book::Book;
use crate::engine::Engine;
use crate::instrument::InstrumentSpec;
use crate::order::{Order, OrderStatus, NIL};
use crate::risk::{Account, InstrumentRisk};
use crate::types::{AccountId, Price, Side, TimeInForce};
use serde::{Deserialize, Serialize};
use std::fmt;

const FORMAT_VERSION: u32 = 2;

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
    accounts: Vec<(AccountId, Account)>,
}

#[derive(Serialize, Deserialize)]
struct BookState {
    spec: InstrumentSpec,
    last_price: Option<Price>,
    risk: InstrumentRisk,
    /// Bids then asks, each best level first, each level in queue order.
    resting: Vec<Order>,
    /// Buy stops then sell stops, each in trigger order.
    stops: Vec<Order>,
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
                    let o = *self.orders.get(idx);
                    match o.status {
                        OrderStatus::Resting => resting.push(o),
                        OrderStatus::PendingStop => stops.push(o),
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
            accounts: self.managed_accounts().into_iter().map(|a| (a, self.accounts[&a].clone())).collect(),
        };
        postcard::to_allocvec(&state).expect("engine state serializes")
    }

    /// Rebuilds an engine from [`Engine::snapshot`] bytes, checking them.
    pub fn restore(bytes: &[u8]) -> Result<Engine, SnapshotError> {
        let state: EngineState = postcard::from_bytes(bytes).map_err(|e| SnapshotError(e.to_string()))?;
        if state.version != FORMAT_VERSION {
            return Err(SnapshotError(format!("format version {} (expected {FORMAT_VERSION})", state.version)));
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
            engine.books[b].risk = bs.risk;
            for o in bs.resting.into_iter().chain(bs.stops) {
                engine.restore_order(b, o)?;
            }
        }
        for (id, account) in state.accounts {
            if engine.accounts.insert(id, account).is_some() {
                return Err(SnapshotError(format!("account {} appears twice", id.0)));
            }
        }
        engine.verify().map_err(SnapshotError)?;
        engine.verify_accounts().map_err(SnapshotError)?;
        Ok(engine)
    }

    fn restore_order(&mut self, b: usize, mut o: Order) -> Result<(), SnapshotError> {
        if o.symbol != self.books[b].spec.symbol || o.leaves.0 <= 0 || o.arrival > self.next_arrival {
            return Err(SnapshotError(format!("order {} is inconsistent", o.id.0)));
        }
        if self.ids.contains_key(&o.id) {
            return Err(SnapshotError(format!("order id {} appears twice", o.id.0)));
        }
        o.prev = NIL;
        o.next = NIL;
        let idx = self.orders.insert(o);
        self.ids.insert(o.id, idx);
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
