//! The replay clock: one timestamp order over every loaded stream, and the
//! two delay lines between the venue and the strategy (orders travelling to
//! the venue, data and order updates travelling to the strategy).
//!
//! Streams are merged by timestamp; points with equal timestamps keep the
//! order the streams were loaded in, then their row order. Each delay line
//! keeps its items in sending order (a session's messages do not overtake one
//! another): an item's arrival is `max(sent + delay, previous arrival)`.

use super::data::Stream;
use super::record::Record;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// The merged order of all data points, as `(stream, row)` pairs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Merged {
    order: Vec<(u32, u32)>,
    pos: usize,
}

impl Merged {
    /// Merges the streams (a k-way merge on `(ts, stream, row)`).
    pub fn build(streams: &[Stream]) -> Merged {
        let total: usize = streams.iter().map(Stream::len).sum();
        let mut order = Vec::with_capacity(total);
        if streams.len() == 1 {
            order.extend((0..streams[0].len() as u32).map(|r| (0, r)));
        } else {
            let mut heap: BinaryHeap<Reverse<(u64, u32, u32)>> = streams
                .iter()
                .enumerate()
                .filter(|(_, s)| s.len() > 0)
                .map(|(i, s)| Reverse((s.ts[0], i as u32, 0)))
                .collect();
            while let Some(Reverse((_, s, r))) = heap.pop() {
                order.push((s, r));
                let next = r as usize + 1;
                if next < streams[s as usize].len() {
                    heap.push(Reverse((streams[s as usize].ts[next], s, next as u32)));
                }
            }
        }
        Merged { order, pos: 0 }
    }

    /// The next point, without taking it.
    #[inline]
    pub fn peek(&self) -> Option<(u32, u32)> {
        self.order.get(self.pos).copied()
    }

    /// Takes the next point.
    #[inline]
    pub fn advance(&mut self) {
        self.pos += 1;
    }

    /// The points not taken yet, in order.
    #[inline]
    pub fn rest(&self) -> &[(u32, u32)] {
        &self.order[self.pos..]
    }

    /// Points taken so far and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.pos, self.order.len())
    }
}

/// A delay line: items in sending order, each with its arrival time.
#[derive(Clone, Debug)]
pub(crate) struct DelayLine<T> {
    items: VecDeque<(u64, T)>,
    last: u64,
}

impl<T> Default for DelayLine<T> {
    fn default() -> Self {
        DelayLine { items: VecDeque::new(), last: 0 }
    }
}

impl<T> DelayLine<T> {
    /// Sends `item` at `sent` with `delay`; returns its arrival time.
    pub fn send(&mut self, sent: u64, delay: u64, item: T) -> u64 {
        let at = sent.saturating_add(delay).max(self.last);
        self.last = at;
        self.items.push_back((at, item));
        at
    }

    /// Arrival time of the first item in flight.
    #[inline]
    pub fn next_at(&self) -> Option<u64> {
        self.items.front().map(|(at, _)| *at)
    }

    /// Whether nothing is in flight.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Takes the first item in flight.
    #[inline]
    pub fn pop(&mut self) -> Option<(u64, T)> {
        self.items.pop_front()
    }
}

/// What travels to the strategy.
pub(crate) type Delivery = Record;
