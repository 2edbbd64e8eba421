//! Price levels: a FIFO queue of orders per price, and the sorted ladder of
//! levels for one side of a book.

use crate::order::{OrderSlab, NIL};
use crate::types::{Price, Side};

/// One price level: aggregate visible size and an index-linked FIFO queue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Level {
    pub price: Price,
    /// Sum of the visible quantity of the queued orders.
    pub qty: i128,
    pub count: u32,
    pub head: u32,
    pub tail: u32,
}

impl Level {
    fn new(price: Price) -> Self {
        Level { price, qty: 0, count: 0, head: NIL, tail: NIL }
    }

    /// Appends order `idx` at the back of the queue.
    pub fn push_back(&mut self, orders: &mut OrderSlab, idx: u32) {
        let visible = orders.get(idx).visible.0;
        {
            let o = orders.get_mut(idx);
            o.prev = self.tail;
            o.next = NIL;
        }
        if self.tail == NIL {
            self.head = idx;
        } else {
            orders.get_mut(self.tail).next = idx;
        }
        self.tail = idx;
        self.count += 1;
        self.qty += i128::from(visible);
    }

    /// Unlinks order `idx` from the queue (its visible size leaves the level).
    pub fn unlink(&mut self, orders: &mut OrderSlab, idx: u32) {
        let (prev, next, visible) = {
            let o = orders.get(idx);
            (o.prev, o.next, o.visible.0)
        };
        if prev == NIL {
            self.head = next;
        } else {
            orders.get_mut(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            orders.get_mut(next).prev = prev;
        }
        self.count -= 1;
        self.qty -= i128::from(visible);
        debug_assert!(self.qty >= 0, "level {:?} went negative", self.price);
        debug_assert!((self.count == 0) == (self.head == NIL), "level count and queue disagree");
    }
}

/// One side of a book: levels sorted so the best price is last, which keeps
/// the busy end of the vector cheap to insert into and remove from.
pub(crate) struct Ladder {
    side: Side,
    /// `(key, level index)`, ascending by key; key orders best last.
    keys: Vec<(i64, u32)>,
    levels: Vec<Level>,
    free: Vec<u32>,
}

impl Ladder {
    pub fn new(side: Side) -> Self {
        Ladder { side, keys: Vec::new(), levels: Vec::new(), free: Vec::new() }
    }

    /// Sort key: bids ascend by price, asks by negated price, so the best is last.
    #[inline]
    fn key(&self, price: Price) -> i64 {
        match self.side {
            Side::Buy => price.0,
            Side::Sell => -price.0,
        }
    }

    /// The best level's index, if any.
    #[inline]
    pub fn best(&self) -> Option<u32> {
        self.keys.last().map(|&(_, idx)| idx)
    }

    /// Level index at `price`, if the level exists.
    pub fn find(&self, price: Price) -> Option<u32> {
        let key = self.key(price);
        // Most activity is near the best price: check the top before searching.
        if let Some(&(k, idx)) = self.keys.last() {
            if k == key {
                return Some(idx);
            }
        }
        self.keys.binary_search_by_key(&key, |&(k, _)| k).ok().map(|pos| self.keys[pos].1)
    }

    /// Level index at `price`, created empty if missing.
    pub fn find_or_insert(&mut self, price: Price) -> u32 {
        let key = self.key(price);
        match self.keys.binary_search_by_key(&key, |&(k, _)| k) {
            Ok(pos) => self.keys[pos].1,
            Err(pos) => {
                let level = Level::new(price);
                let idx = if let Some(idx) = self.free.pop() {
                    self.levels[idx as usize] = level;
                    idx
                } else {
                    self.levels.push(level);
                    (self.levels.len() - 1) as u32
                };
                self.keys.insert(pos, (key, idx));
                idx
            }
        }
    }

    /// Removes the level at `idx`, which must be empty.
    pub fn remove(&mut self, idx: u32) {
        let level = &self.levels[idx as usize];
        debug_assert_eq!(level.count, 0, "removing a non-empty level");
        let key = self.key(level.price);
        let pos = if self.keys.last().map(|&(k, _)| k) == Some(key) {
            self.keys.len() - 1
        } else {
            self.keys.binary_search_by_key(&key, |&(k, _)| k).expect("level is in the ladder")
        };
        self.keys.remove(pos);
        self.free.push(idx);
    }

    #[inline]
    pub fn level(&self, idx: u32) -> &Level {
        &self.levels[idx as usize]
    }

    #[inline]
    pub fn level_mut(&mut self, idx: u32) -> &mut Level {
        &mut self.levels[idx as usize]
    }

    /// Level indices from best to worst.
    pub fn iter_best_first(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.iter().rev().map(|&(_, idx)| idx)
    }
}
