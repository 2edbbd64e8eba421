//! Live orders, kept in a slab and linked into their price level's FIFO queue.

use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
use serde::{Deserialize, Serialize};

/// Slab index meaning "no order".
pub(crate) const NIL: u32 = u32::MAX;

/// Where a live order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderStatus {
    /// On the book, in a price level's queue.
    Resting,
    /// A stop order waiting for its trigger.
    PendingStop,
}

/// A live order and its queue links. Kept small for the matching loop: a
/// managed order's risk state lives in a side table (`Engine::order_risk`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    pub id: OrderId,
    pub account: AccountId,
    pub symbol: SymbolId,
    pub side: Side,
    pub order_type: OrderType,
    pub tif: TimeInForce,
    pub stp: StpMode,
    pub post_only: bool,
    pub status: OrderStatus,
    /// Limit price (zero for stop-market).
    pub price: Price,
    pub stop_price: Price,
    /// Open quantity, hidden part included.
    pub leaves: Qty,
    /// Quantity shown at the level (`leaves` unless iceberg).
    pub visible: Qty,
    /// Iceberg display size; zero for a plain order.
    pub display: Qty,
    pub filled: Qty,
    pub expire_at: u64,
    /// Engine-wide arrival counter: orders stops and expiries deterministically.
    pub arrival: u64,
    /// Whether the owner is a managed account (checked and accounted).
    pub managed: bool,
    pub prev: u32,
    pub next: u32,
}

/// Slab of live orders with a free list, so slots are reused without allocation.
#[derive(Default)]
pub(crate) struct OrderSlab {
    slots: Vec<Order>,
    free: Vec<u32>,
}

impl OrderSlab {
    pub fn insert(&mut self, order: Order) -> u32 {
        if let Some(idx) = self.free.pop() {
            self.slots[idx as usize] = order;
            idx
        } else {
            self.slots.push(order);
            u32::try_from(self.slots.len() - 1).expect("more than 2^32 live orders")
        }
    }

    pub fn remove(&mut self, idx: u32) {
        debug_assert!(!self.free.contains(&idx), "slot {idx} freed twice");
        self.free.push(idx);
    }

    #[inline]
    pub fn get(&self, idx: u32) -> &Order {
        &self.slots[idx as usize]
    }

    #[inline]
    pub fn get_mut(&mut self, idx: u32) -> &mut Order {
        &mut self.slots[idx as usize]
    }
}

/// A read-only view of a live order, for queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    /// The order's id.
    pub id: OrderId,
    /// Its owner.
    pub account: AccountId,
    /// Its instrument.
    pub symbol: SymbolId,
    /// Its side.
    pub side: Side,
    /// Its type.
    pub order_type: OrderType,
    /// Its time in force.
    pub tif: TimeInForce,
    /// On the book or waiting for its trigger.
    pub status: OrderStatus,
    /// Limit price (zero for stop-market).
    pub price: Price,
    /// Trigger price (zero unless a stop).
    pub stop_price: Price,
    /// Open quantity, hidden part included.
    pub leaves: Qty,
    /// Quantity shown on the book.
    pub visible: Qty,
    /// Quantity filled so far.
    pub filled: Qty,
    /// Whether it may only reduce the position.
    pub reduce_only: bool,
    /// Cash it reserves from its account's buying power (0 for unmanaged accounts).
    pub reserved: i128,
}

impl OrderView {
    pub(crate) fn new(o: &Order, reduce_only: bool, reserved: i128) -> Self {
        OrderView {
            id: o.id,
            account: o.account,
            symbol: o.symbol,
            side: o.side,
            order_type: o.order_type,
            tif: o.tif,
            status: o.status,
            price: o.price,
            stop_price: o.stop_price,
            leaves: o.leaves,
            visible: o.visible,
            filled: o.filled,
            reduce_only,
            reserved,
        }
    }
}

// The matching loop copies and walks orders: keep them within 96 bytes (risk state lives in a side table).
const _: () = assert!(std::mem::size_of::<Order>() <= 96);
