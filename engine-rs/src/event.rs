//! Events: everything the engine reports, each with its own sequence number.

use crate::risk::Liquidity;
use crate::types::{coded_enum, AccountId, OrderId, OrderType, Price, Qty, Side, SymbolId, TimeInForce};
use serde::{Deserialize, Serialize};

/// One event, stamped with the engine's event sequence and the command that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Engine-wide event sequence number, strictly increasing from 1.
    pub seq: u64,
    /// Sequence number of the command that produced the event.
    pub cmd_seq: u64,
    /// Timestamp of that command.
    pub ts: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The event variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// An instrument was added.
    InstrumentAdded {
        /// Its id.
        symbol: SymbolId,
    },
    /// A new order passed validation and is live.
    Accepted {
        /// The order.
        order_id: OrderId,
        /// Its owner.
        account: AccountId,
        /// Its instrument.
        symbol: SymbolId,
        /// Its side.
        side: Side,
        /// Its type.
        order_type: OrderType,
        /// Its time in force.
        tif: TimeInForce,
        /// Its limit price (zero for market and stop).
        price: Price,
        /// Its quantity.
        qty: Qty,
    },
    /// A command was refused; nothing changed.
    Rejected {
        /// The order the command named (zero if none).
        order_id: OrderId,
        /// The account the command named (zero if none).
        account: AccountId,
        /// The instrument the command named (zero if none).
        symbol: SymbolId,
        /// Why.
        reason: RejectReason,
        /// For a risk rejection, the limit that was hit (0 otherwise).
        limit: i128,
        /// For a risk rejection, what the command asked for against that limit (0 otherwise).
        requested: i128,
    },
    /// A trade between a resting (maker) and an incoming (taker) order,
    /// always at the maker's price.
    Trade {
        /// The instrument.
        symbol: SymbolId,
        /// The resting order.
        maker_id: OrderId,
        /// The incoming order.
        taker_id: OrderId,
        /// The maker's account.
        maker_account: AccountId,
        /// The taker's account.
        taker_account: AccountId,
        /// The taker's side.
        taker_side: Side,
        /// Trade price (the maker's limit).
        price: Price,
        /// Trade quantity.
        qty: Qty,
        /// The maker's open quantity after the trade.
        maker_leaves: Qty,
        /// The taker's open quantity after the trade.
        taker_leaves: Qty,
    },
    /// Quantity of a live order was cancelled.
    Cancelled {
        /// The order.
        order_id: OrderId,
        /// Its owner.
        account: AccountId,
        /// Its instrument.
        symbol: SymbolId,
        /// Its side.
        side: Side,
        /// Quantity cancelled by this event.
        qty: Qty,
        /// Open quantity left (non-zero only for a decrement by self-trade prevention).
        leaves: Qty,
        /// Why.
        reason: CancelReason,
    },
    /// A live order's price or quantity changed.
    Replaced {
        /// The order.
        order_id: OrderId,
        /// Its owner.
        account: AccountId,
        /// Its instrument.
        symbol: SymbolId,
        /// Its side.
        side: Side,
        /// Limit price before.
        old_price: Price,
        /// Limit price after.
        new_price: Price,
        /// Open quantity before.
        old_qty: Qty,
        /// Open quantity after.
        new_qty: Qty,
        /// Whether the order kept its place in the queue (a pure size reduction).
        priority_kept: bool,
    },
    /// A stop order's trigger was reached; it now enters the book.
    Triggered {
        /// The order.
        order_id: OrderId,
        /// Its owner.
        account: AccountId,
        /// Its instrument.
        symbol: SymbolId,
        /// Its side.
        side: Side,
        /// Its trigger price.
        stop_price: Price,
        /// The last trade price that reached it.
        last_price: Price,
    },
    /// The visible size of one L2 price level after a command (zero: level gone).
    BookDelta {
        /// The instrument.
        symbol: SymbolId,
        /// The side of the level.
        side: Side,
        /// The level's price.
        price: Price,
        /// Visible quantity now at the level.
        qty: i128,
        /// Orders now at the level.
        orders: u32,
    },
    /// One side of a trade, for a managed account: emitted right after the `Trade`.
    Fill {
        /// The account.
        account: AccountId,
        /// Its order.
        order_id: OrderId,
        /// The instrument.
        symbol: SymbolId,
        /// The order's side.
        side: Side,
        /// Maker (resting) or taker (incoming).
        liquidity: Liquidity,
        /// Trade price.
        price: Price,
        /// Trade quantity.
        qty: Qty,
        /// Fee charged (negative: rebate).
        fee: i128,
        /// P&L this fill realized.
        realized: i128,
        /// Position after the fill.
        position: i64,
        /// Cash after the fill and its fee.
        cash: i128,
    },
    /// A deposit (positive) or withdrawal (negative) was applied.
    CashMoved {
        /// The account.
        account: AccountId,
        /// Signed amount.
        amount: i128,
        /// Cash afterwards.
        cash: i128,
    },
    /// A configuration command was applied.
    ConfigChanged {
        /// What changed: the command's wire kind code (10 account limits, 11 instrument
        /// limits, 12 fees, 13 kill switch, 14 halt, 15 reference price).
        what: u8,
        /// The account it concerns (zero if none).
        account: AccountId,
        /// The instrument it concerns (zero if none).
        symbol: SymbolId,
    },
}

coded_enum!(
    /// Why a command was rejected.
    RejectReason {
        /// The command could not be decoded (bad field, out of range, not an integer).
        Malformed = 1,
        /// The sequence number was not above the last accepted one.
        OutOfSequence = 2,
        /// The instrument is not known.
        UnknownSymbol = 3,
        /// The instrument id is taken.
        InstrumentExists = 4,
        /// The instrument spec is inconsistent.
        InvalidInstrument = 5,
        /// A live order already has this id.
        DuplicateOrderId = 6,
        /// The limit price is off the tick grid or outside the bounds.
        InvalidPrice = 7,
        /// The stop price is off the tick grid or outside the bounds.
        InvalidStopPrice = 8,
        /// The quantity is off the lot grid or outside the bounds.
        InvalidQty = 9,
        /// The display quantity is off the lot grid, above the quantity, or not allowed for this order.
        InvalidDisplayQty = 10,
        /// The time in force does not fit the order (e.g. post-only IOC, GTD already expired).
        InvalidTif = 11,
        /// A post-only order would have taken liquidity.
        PostOnlyWouldTake = 12,
        /// The order is not live (filled, cancelled, expired, never seen, or another account's).
        UnknownOrder = 13,
        /// The order type does not fit the request (e.g. a price on a stop-market replace).
        InvalidOrderType = 14,
        /// Quantity above the account's or instrument's maximum order quantity.
        MaxOrderQty = 15,
        /// Notional above the maximum order notional.
        MaxOrderNotional = 16,
        /// Limit price further from the reference than the collar allows (limit: the nearest allowed price).
        PriceCollar = 17,
        /// Position plus open buys plus this order above the maximum long position.
        MaxLongPosition = 18,
        /// Short position plus open sells plus this order above the maximum short position.
        MaxShortPosition = 19,
        /// Gross exposure with this order above the account's maximum.
        MaxGrossExposure = 20,
        /// The order (or replace) needs more cash than the buying power.
        InsufficientBuyingPower = 21,
        /// A sell beyond the long position in an account that may not sell short (limit: the coverable quantity).
        ShortSellingNotAllowed = 22,
        /// The account already has its maximum number of open orders.
        MaxOpenOrders = 23,
        /// The account's order-rate bucket is empty (limit: capacity; requested: orders in the burst).
        RateLimited = 24,
        /// The account's kill switch is on.
        KillSwitch = 25,
        /// The instrument is halted.
        Halted = 26,
        /// A reduce-only order would not reduce the position (limit: the quantity it may still reduce).
        ReduceOnly = 27,
        /// A withdrawal above the buying power.
        InsufficientFunds = 28,
        /// Checked arithmetic would overflow (e.g. a position beyond ±2^63).
        Overflow = 29,
    }
);

coded_enum!(
    /// Why quantity was cancelled.
    CancelReason {
        /// The owner asked.
        User = 1,
        /// The unfilled rest of an order that may not rest (IOC or market).
        IocRemainder = 2,
        /// A fill-or-kill order could not fill completely.
        Fok = 3,
        /// Self-trade prevention.
        SelfTrade = 4,
        /// DAY or GTD expiry.
        Expired = 5,
        /// A mass cancel.
        MassCancel = 6,
        /// The account's kill switch was turned on.
        KillSwitch = 7,
    }
);
