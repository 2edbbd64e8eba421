//! Market-by-order (L3) data: the venue rebuilds the real order book order by
//! order, so a strategy order's place in a queue is exact rather than estimated.
//!
//! # Events
//! Each L3 data point names one exchange order by id: **add** (side, price,
//! size), **cancel** (size removed, the order keeps its place; at 0 it is
//! gone), **delete** (the whole order), **execute** (size traded against the
//! resting order — a print at its price), **modify** (new price and size: the
//! order keeps its place only when the price is unchanged and the size does
//! not grow, otherwise it goes to the back of the queue at its new price, as
//! on price-time venues). Every order has a *priority*, a counter value given
//! when it takes a place in a queue; lower is earlier.
//!
//! # Queue position rules (strategy orders resting on an L3 book)
//! 1. *Joining.* An order joining a level takes the next priority: every data
//!    order resting at its price is ahead of it (`ahead` is their total size),
//!    every later one behind it.
//! 2. *Advancing.* When a data order ahead of it loses size — cancel, delete,
//!    execution, a shrinking modify, or a modify that sends it elsewhere —
//!    `ahead` falls by exactly that size. Changes to orders behind it do not
//!    move it.
//! 3. *Filling.* An execution of a data order *behind* ours at our price means
//!    the aggressor reached our place first: our order fills (maker, at its
//!    price) with up to the executed size — with price-time data this only
//!    happens once `ahead` is 0. Executions of orders ahead of us only advance
//!    us (rule 2). An execution at a price worse than our limit (a resting bid
//!    below our bid) fills us first as well, best price first. Strategy orders
//!    at one price fill in their own queue order; a later one never passes an
//!    unfilled earlier one.
//! 4. *Crossing.* A data order added (or moved) at a price that crosses a
//!    resting strategy order fills it at the strategy's price, up to the added size.
//! 5. *No impact.* The strategy's orders and fills never change the replayed
//!    book; taking liquidity consumes the aggregated level (as with L2) until
//!    the next L3 event at that level resets it to the real orders' total.

use super::fill::QueueOrder;
use crate::types::Side;
use rustc_hash::FxHashMap;

/// What an L3 data point does; the codes are those of the data columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum L3Action {
    /// A new order rests on the book.
    Add = 1,
    /// Part of an order is cancelled (it keeps its place).
    Cancel = 2,
    /// An order is removed whole.
    Delete = 3,
    /// Part or all of a resting order trades.
    Execute = 4,
    /// An order's price and size change.
    Modify = 5,
}

impl L3Action {
    /// The action of a code, if it is one.
    pub fn from_code(code: u8) -> Option<L3Action> {
        match code {
            1 => Some(L3Action::Add),
            2 => Some(L3Action::Cancel),
            3 => Some(L3Action::Delete),
            4 => Some(L3Action::Execute),
            5 => Some(L3Action::Modify),
            _ => None,
        }
    }

    /// Its code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// One resting data order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct L3Order {
    pub side: Side,
    pub price: i64,
    pub size: i64,
    pub priority: u64,
}

/// What an applied event changed, for the venue's queue bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct L3Change {
    pub side: Side,
    /// The order's price before the event (its queue).
    pub price: i64,
    /// Its priority before the event.
    pub priority: u64,
    /// Size that left its place in that queue (all of it when it moved away).
    pub removed: i64,
    /// Whether `removed` traded (an execution).
    pub executed: bool,
    /// Where it took a new place, if it did (add, or a modify losing priority): price and size.
    pub placed: Option<(i64, i64)>,
}

/// The replayed order book: every resting data order and each level's total.
#[derive(Clone, Debug, Default)]
pub(crate) struct L3Book {
    orders: FxHashMap<u64, L3Order>,
    totals: FxHashMap<(Side, i64), i64>,
    next_priority: u64,
}

impl L3Book {
    /// The total size of the data orders resting at (`side`, `price`).
    pub fn total(&self, side: Side, price: i64) -> i64 {
        self.totals.get(&(side, price)).copied().unwrap_or(0)
    }

    /// A new place in the queues: later than every place taken so far.
    pub fn take_priority(&mut self) -> u64 {
        self.next_priority += 1;
        self.next_priority
    }

    fn add_total(&mut self, side: Side, price: i64, delta: i64) {
        let t = self.totals.entry((side, price)).or_insert(0);
        *t += delta;
        debug_assert!(*t >= 0, "a level total never goes negative");
        if *t == 0 {
            self.totals.remove(&(side, price));
        }
    }

    /// Applies one event (already checked for consistency when the stream was loaded).
    pub fn apply(&mut self, action: L3Action, id: u64, side: Side, price: i64, size: i64) -> L3Change {
        if action == L3Action::Add {
            debug_assert!(!self.orders.contains_key(&id), "add of a live id was refused at load");
            let priority = self.take_priority();
            self.orders.insert(id, L3Order { side, price, size, priority });
            self.add_total(side, price, size);
            return L3Change { side, price, priority, removed: 0, executed: false, placed: Some((price, size)) };
        }
        let o = *self.orders.get(&id).expect("events on unknown ids are refused at load");
        let mut change =
            L3Change { side: o.side, price: o.price, priority: o.priority, removed: 0, executed: false, placed: None };
        let left = match action {
            L3Action::Cancel | L3Action::Execute => {
                change.removed = size.min(o.size);
                change.executed = action == L3Action::Execute;
                o.size - change.removed
            }
            L3Action::Delete => {
                change.removed = o.size;
                0
            }
            L3Action::Modify if price == o.price && size <= o.size => {
                change.removed = o.size - size;
                size
            }
            L3Action::Modify => {
                // Loses its place: leaves its queue whole and joins the back of the new one.
                change.removed = o.size;
                self.add_total(o.side, o.price, -o.size);
                let priority = self.take_priority();
                self.orders.insert(id, L3Order { side: o.side, price, size, priority });
                self.add_total(o.side, price, size);
                change.placed = Some((price, size));
                return change;
            }
            L3Action::Add => unreachable!("handled above"),
        };
        self.add_total(o.side, o.price, -change.removed);
        if left == 0 {
            self.orders.remove(&id);
        } else {
            self.orders.get_mut(&id).expect("live").size = left;
        }
        change
    }
}

/// How an execution of `volume` against the data order of priority
/// `executed` fills the strategy's orders queued at its price, given as
/// `(priority, ahead, leaves)` in queue order (rules 2 and 3 of the module
/// docs). Returns each order's fill and updates `ahead`.
pub fn execution_fills(executed: u64, volume: i64, orders: &mut [(u64, i64, i64)]) -> Vec<i64> {
    let mut queue = QueueOrder::default();
    orders
        .iter_mut()
        .map(|(priority, ahead, leaves)| {
            if executed < *priority {
                // The executed order was ahead of ours: we advance by what it traded.
                *ahead = (*ahead - volume).max(0);
                return 0;
            }
            // It was behind ours: the aggressor reached us first.
            *ahead = 0;
            queue.fill(volume, *leaves)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_keeps_level_totals_and_priorities() {
        let mut b = L3Book::default();
        b.apply(L3Action::Add, 7, Side::Buy, 100, 30);
        b.apply(L3Action::Add, 8, Side::Buy, 100, 20);
        assert_eq!(b.total(Side::Buy, 100), 50);
        let c = b.apply(L3Action::Cancel, 7, Side::Buy, 100, 10);
        assert_eq!((c.priority, c.removed, c.executed, c.placed), (1, 10, false, None));
        let c = b.apply(L3Action::Execute, 7, Side::Buy, 100, 20);
        assert_eq!((c.removed, c.executed), (20, true));
        assert_eq!(b.total(Side::Buy, 100), 20, "order 7 is gone");
        // A shrinking modify keeps the place; a growing one goes to the back.
        let c = b.apply(L3Action::Modify, 8, Side::Buy, 100, 15);
        assert_eq!((c.priority, c.removed, c.placed), (2, 5, None));
        let c = b.apply(L3Action::Modify, 8, Side::Buy, 100, 25);
        assert_eq!((c.priority, c.removed, c.placed), (2, 15, Some((100, 25))));
        assert_eq!(b.take_priority(), 4, "the modify took priority 3");
        let c = b.apply(L3Action::Delete, 8, Side::Buy, 100, 0);
        assert_eq!(c.removed, 25);
        assert_eq!(b.total(Side::Buy, 100), 0);
    }

    #[test]
    fn executions_ahead_advance_and_executions_behind_fill() {
        // Ours at priorities 5 and 9, with 40 and 60 ahead, 10 lots each.
        let mut q = [(5, 40, 10), (9, 60, 10)];
        // Priority 3 (ahead of both) trades 25.
        assert_eq!(execution_fills(3, 25, &mut q), vec![0, 0]);
        assert_eq!(q, [(5, 15, 10), (9, 35, 10)]);
        // Priority 7 (behind the first, ahead of the second) trades 12: the first fills 10.
        assert_eq!(execution_fills(7, 12, &mut q), vec![10, 0]);
        assert_eq!(q, [(5, 0, 10), (9, 23, 10)]);
        // Priority 11 (behind both) trades 15: the first fills 10, the second the other 5.
        let mut q = [(5, 0, 10), (9, 0, 10)];
        assert_eq!(execution_fills(11, 15, &mut q), vec![10, 5]);
        // A later order never passes an unfilled earlier one.
        let mut q = [(5, 0, 10), (9, 0, 10)];
        assert_eq!(execution_fills(11, 4, &mut q), vec![4, 0]);
    }
}
