//! Integer newtypes and small enums shared by every part of the engine.

use serde::{Deserialize, Serialize};

/// A price in the instrument's integer price units (fixed point; the host
/// converts decimals at the edge). Always positive for an order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Price(pub i64);

/// A quantity in the instrument's integer quantity units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Qty(pub i64);

/// The caller's order id. Unique among live orders of the engine; reusable
/// once the order is filled, cancelled or expired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OrderId(pub u64);

/// The account an order belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AccountId(pub u32);

/// An instrument's numeric id, chosen by the host when it adds the instrument.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SymbolId(pub u32);

/// Declares a `#[repr(u8)]` enum with a fallible conversion from its code.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:expr),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[repr(u8)]
        pub enum $name { $($(#[$vmeta])* $variant = $code),+ }

        impl $name {
            /// The enum for a wire code, if the code names one.
            pub fn from_code(code: u8) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)+ _ => None }
            }
            /// The wire code of this value.
            pub fn code(self) -> u8 { self as u8 }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// Buy or sell.
    Side { Buy = 1, Sell = 2 }
);

impl Side {
    /// 0 for a buy, 1 for a sell: where a side's entry is in a per-side pair, so totals kept per side are
    /// updated without a branch on the side.
    #[inline(always)]
    pub(crate) fn index(self) -> usize {
        self as usize - 1
    }

    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

coded_enum!(
    /// How an order is priced. Iceberg and post-only are attributes of a limit order.
    OrderType {
        /// Rests at its limit price after taking what crosses.
        Limit = 1,
        /// Takes whatever is there at any price; never rests.
        Market = 2,
        /// Becomes a market order when the last trade reaches its stop price.
        Stop = 3,
        /// Becomes a limit order when the last trade reaches its stop price.
        StopLimit = 4,
    }
);

coded_enum!(
    /// How long an order may rest.
    TimeInForce {
        /// Good till cancelled.
        Gtc = 1,
        /// Expires on the next session-end command for its instrument.
        Day = 2,
        /// Expires when a time-advance command reaches its expiry time.
        Gtd = 3,
        /// Immediate or cancel: takes what it can, the rest is cancelled.
        Ioc = 4,
        /// Fill or kill: fills completely at once, or nothing trades.
        Fok = 5,
    }
);

impl TimeInForce {
    /// Whether an order with this time in force may rest on the book.
    pub fn may_rest(self) -> bool {
        !matches!(self, TimeInForce::Ioc | TimeInForce::Fok)
    }
}

coded_enum!(
    /// What happens when an incoming order would trade with a resting order
    /// of the same account. The incoming (taker) order's mode decides.
    StpMode {
        /// Self-trades are allowed.
        None = 0,
        /// Cancel the incoming order's remainder; the resting order stays.
        CancelNewest = 1,
        /// Cancel the resting order; the incoming order goes on matching.
        CancelOldest = 2,
        /// Cancel both.
        CancelBoth = 3,
        /// Decrement both by the smaller quantity and cancel the smaller one
        /// (both when equal); the incoming order goes on if it has quantity left.
        DecrementAndCancel = 4,
    }
);
