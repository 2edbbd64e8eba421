//! Commands: everything that can change the engine's state. Time and
//! sequence travel inside the command; the engine has no clock.

use crate::instrument::InstrumentSpec;
use crate::risk::{AccountLimits, Fees, InstrumentLimits};
use crate::types::{AccountId, OrderId, OrderType, Price, Qty, Side, StpMode, SymbolId, TimeInForce};
use serde::{Deserialize, Serialize};

/// One command with its host-assigned timestamp and sequence number.
/// Sequence numbers must increase strictly from one command to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    /// Host time of the command (opaque units; only compared with `expire_at`).
    pub ts: u64,
    /// Strictly increasing command sequence number.
    pub seq: u64,
    /// What to do.
    pub kind: CommandKind,
}

/// The command variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandKind {
    /// Add an instrument to the engine.
    AddInstrument(InstrumentSpec),
    /// Submit a new order.
    New(NewOrder),
    /// Cancel a live order of `account`.
    Cancel {
        /// The order to cancel.
        order_id: OrderId,
        /// Its owner; another account's order is treated as unknown.
        account: AccountId,
    },
    /// Change a live order's price and/or open quantity.
    Replace {
        /// The order to change.
        order_id: OrderId,
        /// Its owner; another account's order is treated as unknown.
        account: AccountId,
        /// The new limit price, or `None` to keep it.
        new_price: Option<Price>,
        /// The new open (unfilled) quantity; filled plus open must stay within
        /// the instrument's maximum quantity.
        new_qty: Qty,
    },
    /// Cancel every live order matching all the given filters.
    MassCancel {
        /// Only this account's orders, if set.
        account: Option<AccountId>,
        /// Only this instrument's orders, if set.
        symbol: Option<SymbolId>,
        /// Only this side, if set.
        side: Option<Side>,
    },
    /// End the trading session: DAY orders expire (of one instrument or all).
    SessionEnd {
        /// Only this instrument, if set.
        symbol: Option<SymbolId>,
    },
    /// Move time forward to the command's `ts`: GTD orders whose expiry is
    /// at or before it expire.
    AdvanceTime,
    /// Add cash to an account (amount > 0, money units). Makes the account managed.
    Deposit {
        /// The account.
        account: AccountId,
        /// Amount, in money units (price units × quantity units).
        amount: i64,
    },
    /// Take cash out of an account (amount > 0, at most its buying power).
    Withdraw {
        /// The account.
        account: AccountId,
        /// Amount, in money units.
        amount: i64,
    },
    /// Replace an account's limits. Makes the account managed.
    SetAccountLimits {
        /// The account.
        account: AccountId,
        /// The new limits (zero: unlimited); a rate limit starts with a full bucket.
        limits: AccountLimits,
    },
    /// Replace an account's limits in one instrument. Makes the account managed.
    SetInstrumentLimits {
        /// The account.
        account: AccountId,
        /// The instrument.
        symbol: SymbolId,
        /// The new limits (zero: unlimited).
        limits: InstrumentLimits,
    },
    /// Replace an instrument's fees (open orders' fee reservations follow).
    SetFees {
        /// The instrument.
        symbol: SymbolId,
        /// The new fees.
        fees: Fees,
    },
    /// Turn an account's kill switch on (its open orders are cancelled, new
    /// ones rejected) or off. Makes the account managed.
    SetKillSwitch {
        /// The account.
        account: AccountId,
        /// On or off.
        on: bool,
    },
    /// Halt or resume trading in an instrument: while halted, new orders and
    /// replaces are rejected for every account; cancels still work.
    SetHalt {
        /// The instrument.
        symbol: SymbolId,
        /// Halted or not.
        halted: bool,
    },
    /// Set (or clear, with `None`) the host's reference price of an instrument for price collars.
    SetReferencePrice {
        /// The instrument.
        symbol: SymbolId,
        /// The reference price.
        price: Option<Price>,
    },
}

/// A new order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    /// The caller's id for the order.
    pub id: OrderId,
    /// The owner.
    pub account: AccountId,
    /// The instrument.
    pub symbol: SymbolId,
    /// Buy or sell.
    pub side: Side,
    /// Limit, market, stop or stop-limit.
    pub order_type: OrderType,
    /// Time in force.
    pub tif: TimeInForce,
    /// Limit price (limit and stop-limit); ignored for market and stop.
    pub price: Price,
    /// Total quantity.
    pub qty: Qty,
    /// Trigger price (stop and stop-limit); ignored otherwise.
    pub stop_price: Price,
    /// Iceberg display quantity; zero shows the whole order.
    pub display_qty: Qty,
    /// Expiry time for GTD; ignored otherwise.
    pub expire_at: u64,
    /// Self-trade prevention mode.
    pub stp: StpMode,
    /// Reject rather than take liquidity.
    pub post_only: bool,
    /// Only reduce the position (checked for managed accounts; ignored otherwise).
    pub reduce_only: bool,
}

impl NewOrder {
    /// A GTC limit order with no extras: the most common order, for tests and tools.
    pub fn limit(id: u64, account: u32, symbol: u32, side: Side, price: i64, qty: i64) -> Self {
        NewOrder {
            id: OrderId(id),
            account: AccountId(account),
            symbol: SymbolId(symbol),
            side,
            order_type: OrderType::Limit,
            tif: TimeInForce::Gtc,
            price: Price(price),
            qty: Qty(qty),
            stop_price: Price(0),
            display_qty: Qty(0),
            expire_at: 0,
            stp: StpMode::None,
            post_only: false,
            reduce_only: false,
        }
    }

    /// A market order (IOC semantics: never rests).
    pub fn market(id: u64, account: u32, symbol: u32, side: Side, qty: i64) -> Self {
        NewOrder {
            order_type: OrderType::Market,
            tif: TimeInForce::Ioc,
            price: Price(0),
            ..Self::limit(id, account, symbol, side, 0, qty)
        }
    }
}
