//! One instrument's book: two ladders of price levels, pending stops, and the
//! last trade price that drives them.

use crate::instrument::InstrumentSpec;
use crate::level::Ladder;
use crate::risk::InstrumentRisk;
use crate::types::{Price, Side};
use std::collections::BTreeMap;

/// Key of a pending stop: trigger order first, then arrival.
/// Buy stops trigger lowest first, sell stops highest first.
pub(crate) type StopKey = (i64, u64);

pub(crate) struct Book {
    pub spec: InstrumentSpec,
    pub bids: Ladder,
    pub asks: Ladder,
    pub buy_stops: BTreeMap<StopKey, u32>,
    pub sell_stops: BTreeMap<StopKey, u32>,
    pub last_price: Option<Price>,
    /// Fees, halt and host reference price.
    pub risk: InstrumentRisk,
}

impl Book {
    pub fn new(spec: InstrumentSpec) -> Self {
        Book {
            spec,
            bids: Ladder::new(Side::Buy),
            asks: Ladder::new(Side::Sell),
            buy_stops: BTreeMap::new(),
            sell_stops: BTreeMap::new(),
            last_price: None,
            risk: InstrumentRisk::default(),
        }
    }

    #[inline]
    pub fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    #[inline]
    pub fn ladder_mut(&mut self, side: Side) -> &mut Ladder {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }

    /// The stop map of `side` and the key a stop at `stop_price` sorts under.
    pub fn stop_key(side: Side, stop_price: Price, arrival: u64) -> StopKey {
        match side {
            Side::Buy => (stop_price.0, arrival),
            Side::Sell => (-stop_price.0, arrival),
        }
    }

    pub fn stops_mut(&mut self, side: Side) -> &mut BTreeMap<StopKey, u32> {
        match side {
            Side::Buy => &mut self.buy_stops,
            Side::Sell => &mut self.sell_stops,
        }
    }

    /// Whether the last trade has reached a stop at `stop_price` on `side`.
    pub fn stop_reached(&self, side: Side, stop_price: Price) -> bool {
        match (self.last_price, side) {
            (Some(last), Side::Buy) => last >= stop_price,
            (Some(last), Side::Sell) => last <= stop_price,
            (None, _) => false,
        }
    }

    /// Removes and returns, in trigger order, every stop the last trade has reached.
    pub fn take_reached_stops(&mut self, into: &mut Vec<u32>) {
        let Some(last) = self.last_price else { return };
        while let Some(entry) = self.buy_stops.first_entry() {
            if entry.key().0 > last.0 {
                break;
            }
            into.push(entry.remove());
        }
        while let Some(entry) = self.sell_stops.first_entry() {
            if -entry.key().0 < last.0 {
                break;
            }
            into.push(entry.remove());
        }
    }

    /// Whether a taker on `side` with `limit` (None: market) crosses `level_price`.
    #[inline]
    pub fn crosses(side: Side, limit: Option<Price>, level_price: Price) -> bool {
        match (side, limit) {
            (_, None) => true,
            (Side::Buy, Some(p)) => level_price <= p,
            (Side::Sell, Some(p)) => level_price >= p,
        }
    }
}
