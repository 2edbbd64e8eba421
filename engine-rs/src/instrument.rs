//! An instrument's trading grid and bounds.

use crate::types::{Price, Qty, SymbolId};
use serde::{Deserialize, Serialize};

/// The static description of one instrument, in integer units.
///
/// Prices must be multiples of `tick_size` within `[min_price, max_price]`;
/// quantities multiples of `lot_size` within `[min_qty, max_qty]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentSpec {
    /// The host's numeric id for the instrument.
    pub symbol: SymbolId,
    /// Price grid step, in price units (> 0).
    pub tick_size: i64,
    /// Quantity grid step, in quantity units (> 0).
    pub lot_size: i64,
    /// Lowest accepted price (> 0).
    pub min_price: Price,
    /// Highest accepted price.
    pub max_price: Price,
    /// Smallest accepted order quantity (> 0).
    pub min_qty: Qty,
    /// Largest accepted order quantity.
    pub max_qty: Qty,
}

impl InstrumentSpec {
    /// Whether the spec is self-consistent: positive steps and non-empty,
    /// positive bounds.
    pub fn is_valid(&self) -> bool {
        self.tick_size > 0
            && self.lot_size > 0
            && self.min_price.0 > 0
            && self.min_price <= self.max_price
            && self.min_qty.0 > 0
            && self.min_qty <= self.max_qty
    }

    /// Whether `price` is on the tick grid and inside the bounds.
    pub fn price_ok(&self, price: Price) -> bool {
        price >= self.min_price && price <= self.max_price && price.0 % self.tick_size == 0
    }

    /// Whether `qty` is on the lot grid and inside the bounds.
    pub fn qty_ok(&self, qty: Qty) -> bool {
        qty >= self.min_qty && qty <= self.max_qty && qty.0 % self.lot_size == 0
    }
}
