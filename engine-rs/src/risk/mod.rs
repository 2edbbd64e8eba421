//! Pre-trade risk and accounting state: per-account cash, positions, limits
//! and open-order reservations, per-instrument fees, halts and references.
//!
//! Units. Money is price units × quantity units (an engine's instruments share
//! one scale; the host normalizes), held in `i128` so ticks × lots never
//! overflow. On the wire money travels as f64, exact up to 2^53; larger values
//! lose exactness on the JS side only.
//!
//! Managed accounts. An account is managed from the first applied account
//! command that names it (deposit, withdrawal, account or instrument limits,
//! kill switch); only managed accounts are checked and accounted. Any orders
//! it already has are adopted then. Other accounts behave exactly as without
//! this module (no checks, no accounting, no extra events).
//!
//! Reservations. Every open order of a managed account holds a reservation,
//! recomputed from the order alone ([`reservation`]) and applied to the
//! account's totals by difference whenever the order changes:
//! - a buy reserves `price × leaves + fee estimate`;
//! - a sell first covers quantity with the long position not already covered
//!   by other open sells (no cash); the uncovered rest is a short sale and
//!   reserves `price × uncovered + fee estimate` as collateral;
//! - `price` is the limit (limit, stop-limit) or the stop price (a pending
//!   stop-market); market orders and triggered stop-markets reserve nothing
//!   (they never rest; a market order's check walks the book instead);
//! - the fee estimate is the larger of the maker and taker fee, at least 0.
//!
//! Buying power = cash − reserved − short requirement, where a short position
//! keeps its sale proceeds plus an equal collateral: requirement =
//! 2 × |basis| of every short position.
//!
//! Hot path. A check first runs a short form ([`check`]): the account's and
//! the instrument's limits folded into one `Gate` per holding when either
//! changes, so each limit is one compare; the gross exposure is bounded by
//! Σ|position| × the highest trade price, and summed exactly only when that
//! bound comes near the limit. Only an order the short form cannot pass (a
//! rejection, a market or reduce-only order, a first order in an instrument)
//! runs the full check, which names the reason and its numbers; debug builds
//! run both on every order and assert they agree.
//! A post-trade-only account's gate has a quantity cap of 0, so its orders
//! leave the short form at its first compare and are admitted without checks
//! (kill switch and position bound aside); the checked path has no extra test.
//! What the order flow decides at random (the side, whether a fee or a
//! pro-rata release rounds away) is not branched on where a select or a mask
//! does: per-side totals are indexed by `Side::index`, a sell's covered
//! quantity and the short requirement are masked, the rounding is branch-free.
//!
//! Rules worth knowing:
//! - A replace is checked against buying power plus the order's current
//!   reservation (it "reserves the larger of old and new until it resolves";
//!   the engine resolves it within the command).
//! - A buy reserves its whole cost even when it covers a short (conservative).
//! - Coverage of sells is assigned at accept and replace. When a short sale's
//!   fill eats into a long other sells counted on, the most recent of those
//!   lose coverage first and reserve collateral, even beyond buying power.
//! - A triggered stop-market order releases its reservation and executes
//!   unchecked, like the market it becomes; reduce-only is checked at accept
//!   and replace, not re-checked as the position moves.
//! - Fees are rounded per fill, so a reservation's fee estimate (rounded once
//!   for the whole order) can be a unit short of the fees charged.
//! - Price collars apply to limit prices (limit, stop-limit, a replace's new
//!   price); without a reference price the collar is skipped. The mark for
//!   P&L and exposure is the last trade, else the mid, else the host's
//!   reference (no mark: unrealized 0, exposure |basis|).
//! - The rate bucket counts new orders that pass every other check.
//! - A halt is a property of the instrument and applies to every account.

pub(crate) mod bucket;
pub(crate) mod check;
pub(crate) mod ledger;
pub(crate) mod position;

use crate::event::RejectReason;
use crate::types::{coded_enum, AccountId, Price, Side};
use bucket::TokenBucket;
use position::{div_round, Position};
use serde::{Deserialize, Serialize};

/// Parts-per-million denominator of fee rates (1 basis point = 100 ppm).
pub const PPM: i128 = 1_000_000;

coded_enum!(
    /// Which reference price a price collar measures against.
    CollarRef {
        /// No collar.
        Off = 0,
        /// The instrument's last trade price.
        Last = 1,
        /// The midpoint of best bid and best ask.
        Mid = 2,
        /// The price the host set with `SetReferencePrice`.
        Host = 3,
    }
);

coded_enum!(
    /// Which side of a trade an order was on.
    Liquidity {
        /// The resting order.
        Maker = 1,
        /// The incoming order.
        Taker = 2,
    }
);

/// Limits of one account; zero means unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredLimits", into = "StoredLimits")]
pub struct AccountLimits {
    /// Largest quantity of one order.
    pub max_order_qty: i64,
    /// Largest notional (price × quantity) of one order. Limits are i64 (they travel as
    /// exact f64 anyway) so that commands stay small; they are compared in i128.
    pub max_order_notional: i64,
    /// Largest gross exposure: Σ |position| × mark + open-order notional.
    pub max_gross_exposure: i64,
    /// Most open orders (resting and pending stops).
    pub max_open_orders: u32,
    /// Order-rate bucket size (0: no rate limit).
    pub rate_capacity: u64,
    /// Orders the bucket regains every `rate_interval`.
    pub rate_per_interval: u64,
    /// Refill interval in timestamp units (> 0 when `rate_capacity` > 0).
    pub rate_interval: u64,
    /// Reject sells beyond the long position (short sales).
    pub forbid_short: bool,
    /// Post-trade only: no pre-trade check refuses the account's orders (a house or market-maker account),
    /// and the other limits here are kept but not applied. Halts, the kill switch and the i64 bound on
    /// positions still refuse; cash, positions, reservations and fills are kept as for every managed account,
    /// and buying power may go negative.
    pub post_trade_only: bool,
}

/// [`AccountLimits`] as a snapshot stores it: the two switches in one flags byte (bit 0 forbid short, bit 1
/// post-trade only) where format 2 stored the short-selling bool, which postcard writes as the byte 0 or 1, so
/// snapshots written before the second switch read unchanged.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct StoredLimits {
    max_order_qty: i64,
    max_order_notional: i64,
    max_gross_exposure: i64,
    max_open_orders: u32,
    rate_capacity: u64,
    rate_per_interval: u64,
    rate_interval: u64,
    flags: u8,
}

impl From<StoredLimits> for AccountLimits {
    fn from(s: StoredLimits) -> Self {
        AccountLimits {
            max_order_qty: s.max_order_qty,
            max_order_notional: s.max_order_notional,
            max_gross_exposure: s.max_gross_exposure,
            max_open_orders: s.max_open_orders,
            rate_capacity: s.rate_capacity,
            rate_per_interval: s.rate_per_interval,
            rate_interval: s.rate_interval,
            forbid_short: s.flags & 1 != 0,
            post_trade_only: s.flags & 2 != 0,
        }
    }
}

impl From<AccountLimits> for StoredLimits {
    fn from(l: AccountLimits) -> Self {
        StoredLimits {
            max_order_qty: l.max_order_qty,
            max_order_notional: l.max_order_notional,
            max_gross_exposure: l.max_gross_exposure,
            max_open_orders: l.max_open_orders,
            rate_capacity: l.rate_capacity,
            rate_per_interval: l.rate_per_interval,
            rate_interval: l.rate_interval,
            flags: u8::from(l.forbid_short) | u8::from(l.post_trade_only) << 1,
        }
    }
}

/// Limits of one account in one instrument; zero means unlimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentLimits {
    /// Largest quantity of one order.
    pub max_order_qty: i64,
    /// Largest notional of one order.
    pub max_order_notional: i64,
    /// Largest long position, counting every open buy as filled.
    pub max_long: i64,
    /// Largest short position (as a positive number), counting every open sell as filled.
    pub max_short: i64,
    /// Price collar width in basis points (0: no collar).
    pub collar_bps: u32,
    /// The collar's reference price.
    pub collar_ref: CollarRef,
}

impl Default for InstrumentLimits {
    fn default() -> Self {
        InstrumentLimits {
            max_order_qty: 0,
            max_order_notional: 0,
            max_long: 0,
            max_short: 0,
            collar_bps: 0,
            collar_ref: CollarRef::Off,
        }
    }
}

/// Fees of one instrument: a rate in parts per million of notional plus an
/// amount per quantity unit, for each side of a trade. Negative is a rebate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fees {
    /// Maker rate, ppm of notional (|rate| ≤ 1 000 000).
    pub maker_ppm: i64,
    /// Taker rate, ppm of notional (|rate| ≤ 1 000 000).
    pub taker_ppm: i64,
    /// Maker amount per quantity unit, in money units.
    pub maker_per_unit: i64,
    /// Taker amount per quantity unit, in money units.
    pub taker_per_unit: i64,
}

impl Fees {
    /// Whether the rates are within ±100 %, which keeps every fee within its notional's magnitude.
    pub fn is_valid(&self) -> bool {
        self.maker_ppm.unsigned_abs() <= PPM as u64 && self.taker_ppm.unsigned_abs() <= PPM as u64
    }

    /// The fee of one fill: `round_half_away(notional × ppm / 10^6) + per_unit × qty`.
    #[inline]
    pub fn fee(&self, liquidity: Liquidity, notional: i128, qty: i64) -> i128 {
        let (ppm, per_unit) = match liquidity {
            Liquidity::Maker => (self.maker_ppm, self.maker_per_unit),
            Liquidity::Taker => (self.taker_ppm, self.taker_per_unit),
        };
        fee_of(ppm, per_unit, notional, qty)
    }

    /// What an order reserves for fees: the larger of its maker and taker fee, at least zero
    /// (`notional` and `qty` are never negative).
    #[inline(always)]
    pub fn estimate(&self, notional: i128, qty: i64) -> i128 {
        // A fee grows with its rate and per-unit amount (the rounding is monotonic), so when one
        // side's are both at least the other's, that side's fee is the larger: compute one fee.
        let (m, t) = ((self.maker_ppm, self.maker_per_unit), (self.taker_ppm, self.taker_per_unit));
        let (ppm, per_unit) = if m.0 <= t.0 && m.1 <= t.1 {
            t
        } else if t.0 <= m.0 && t.1 <= m.1 {
            m
        } else {
            return self.estimate_mixed(notional, qty);
        };
        fee_of(ppm, per_unit, notional, qty).max(0)
    }

    /// [`Fees::estimate`] when neither side's fee is the larger for every order: both fees, the larger.
    #[cold]
    fn estimate_mixed(&self, notional: i128, qty: i64) -> i128 {
        let maker = fee_of(self.maker_ppm, self.maker_per_unit, notional, qty);
        maker.max(fee_of(self.taker_ppm, self.taker_per_unit, notional, qty)).max(0)
    }
}

/// `round_half_away(notional × ppm / 10^6) + per_unit × qty`, exactly.
#[inline(always)]
fn fee_of(ppm: i64, per_unit: i64, notional: i128, qty: i64) -> i128 {
    let per_unit = i128::from(per_unit) * i128::from(qty);
    // The common case in 64 bits (128-bit division is slow); the same rounding either way.
    if let Some(scaled) = i64::try_from(notional).ok().and_then(|n| n.checked_mul(ppm)) {
        return i128::from(div_round_i64(scaled, PPM as i64)) + per_unit;
    }
    fee_wide(ppm, notional) + per_unit
}

/// The rate part of [`fee_of`] when `notional × ppm` leaves 64 bits.
#[cold]
fn fee_wide(ppm: i64, notional: i128) -> i128 {
    // Split the notional so `notional × ppm` cannot overflow: n = q·10^6 + r.
    let (q, r) = (notional / PPM, notional % PPM);
    q * i128::from(ppm) + div_round(r * i128::from(ppm), PPM)
}

/// `n / d` rounded half away from zero, in 64 bits (`d` > 0).
#[inline]
fn div_round_i64(n: i64, d: i64) -> i64 {
    let (q, r) = (n / d, n % d);
    // Branch-free: whether a fee rounds away is a coin toss per order, so a branch here mispredicts half the time.
    let away = -i64::from(2 * r.abs() >= d);
    q + (n.signum() & away)
}

/// What one open order of a managed account contributes to its account's
/// totals, as last applied (so a change is applied by difference).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reservation {
    /// Open quantity counted in the side totals.
    pub leaves: i64,
    /// Quantity of a sell covered by the long position.
    pub covered: i64,
    /// `price × leaves`, for gross exposure.
    pub notional: i128,
    /// Cash held back from buying power.
    pub cash: i128,
}

/// An `i128` kept as two 64-bit halves: 8-byte aligned, so a record holding
/// one is not padded to 16 bytes the way a plain `i128` field pads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Wide {
    lo: u64,
    hi: i64,
}

impl Wide {
    #[inline]
    pub fn new(v: i128) -> Self {
        Wide { lo: v as u64, hi: (v >> 64) as i64 }
    }

    #[inline]
    pub fn get(self) -> i128 {
        (i128::from(self.hi) << 64) | i128::from(self.lo)
    }
}

/// A managed order's risk state, in `Engine::order_risk` at the order's slab
/// slot (unused for unmanaged orders, so the hot `Order` stays small). One
/// cache line per order: the reservation as last applied (compact: money in
/// [`Wide`] halves), the cached account and book, and the reduce-only flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct OrderRisk {
    /// Cash held back from buying power (`Reservation::cash`).
    cash: Wide,
    /// `price × leaves`, for gross exposure (`Reservation::notional`).
    notional: Wide,
    /// Open quantity counted in the side totals (`Reservation::leaves`).
    pub leaves: i64,
    /// Sell quantity covered by the long position (`Reservation::covered`).
    pub covered: i64,
    /// Its account's index in `Engine::accounts` and its book's index, cached
    /// so the accounting needs no lookups.
    pub acct: u32,
    pub book: u32,
    /// Where a sell with covered quantity is in its holding's `covered_sells`.
    pub cover_slot: u32,
    /// May only reduce the position.
    pub reduce_only: bool,
}

impl OrderRisk {
    /// A managed order's record before anything is applied.
    pub fn new(acct: u32, book: u32, reduce_only: bool) -> Self {
        OrderRisk { acct, book, reduce_only, ..OrderRisk::default() }
    }

    /// Rewrites the whole record for a newly tracked order holding `r` (`cover_slot` is set apart, if it covers).
    #[inline(always)]
    pub fn start(&mut self, acct: u32, book: u32, reduce_only: bool, r: Reservation) {
        *self = OrderRisk {
            cash: Wide::new(r.cash),
            notional: Wide::new(r.notional),
            leaves: r.leaves,
            covered: r.covered,
            acct,
            book,
            cover_slot: 0,
            reduce_only,
        };
    }

    /// The reservation as last applied.
    #[inline]
    pub fn res(&self) -> Reservation {
        Reservation { leaves: self.leaves, covered: self.covered, notional: self.notional.get(), cash: self.cash.get() }
    }

    /// Records `r` as applied.
    #[inline]
    pub fn set_res(&mut self, r: Reservation) {
        self.leaves = r.leaves;
        self.covered = r.covered;
        self.notional = Wide::new(r.notional);
        self.cash = Wide::new(r.cash);
    }
}

// The accounting loads one record per managed order it touches: keep it to one cache line.
const _: () = assert!(std::mem::size_of::<OrderRisk>() == 64);
// A buy's check reads the first two lines of its holding, a sell's the third too.
const _: () = assert!(std::mem::offset_of!(Holding, covered_sells) + 24 <= 64);
const _: () = assert!(std::mem::offset_of!(Holding, pos) == 64 && std::mem::offset_of!(Holding, open) + 16 <= 128);
const _: () =
    assert!(std::mem::offset_of!(Holding, covered) + 16 <= 192 && std::mem::offset_of!(Holding, open) + 32 <= 192);
// The account's money every check and fill touches stays in its first line, the rate bucket in its third.
const _: () = assert!(std::mem::offset_of!(Account, open_notional) + 16 <= 64);
const _: () = assert!(std::mem::offset_of!(Account, bucket) == 128);

/// The reservation an order needs: `price` is its reserving price (0 for a
/// market or triggered stop-market order), `covered` its covered quantity.
#[inline(always)]
pub(crate) fn reservation(side: Side, price: Price, leaves: i64, covered: i64, fees: &Fees) -> Reservation {
    debug_assert!(leaves >= 0);
    // `clamp(0, leaves)` without its out-of-line call (leaves is never negative), masked to 0 for a buy
    // rather than branched on (the side is a coin toss).
    let covered = covered.max(0).min(leaves) & -i64::from(side == Side::Sell);
    let units = leaves - covered;
    let notional = i128::from(price.0) * i128::from(leaves);
    let cash = if units == 0 || price.0 == 0 {
        0
    } else {
        let cash_notional = i128::from(price.0) * i128::from(units);
        cash_notional + fees.estimate(cash_notional, units)
    };
    Reservation { leaves, covered, notional, cash }
}

/// One account's holding in one instrument: position, limits and the totals of its open orders there.
/// Laid out by use, one cache line each: the folded limits with the index of covered sells (whose
/// vector is also where `Option<Holding>` keeps its tag), the position with the buy total (a buy's
/// check, a fill), the sell totals (a sell's check), then the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Holding {
    /// The account's and these instrument limits folded into the caps one check compares against.
    pub gate: Gate,
    /// The open sells with covered quantity.
    pub covered_sells: CoveredSells,
    pub pos: Position,
    /// Σ leaves of open buys and of open sells, by [`Side::index`].
    pub open: [i128; 2],
    /// Σ covered quantity of open sells (never above the long position).
    pub covered: i128,
    /// Σ leaves of open reduce-only buys and sells, by [`Side::index`].
    pub ro: [i128; 2],
    pub limits: InstrumentLimits,
}

/// The open sells of one holding with covered quantity, as (arrival, slab
/// slot), in no order: each order's `OrderRisk::cover_slot` says where it is,
/// so joining and leaving are O(1); uncovering, which wants the most recent
/// first, scans for the latest arrival.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CoveredSells(Vec<(u64, u32)>);

impl CoveredSells {
    /// Adds the order at slab slot `idx`; returns its place (for `OrderRisk::cover_slot`).
    #[inline]
    pub fn join(&mut self, arrival: u64, idx: u32) -> u32 {
        self.0.push((arrival, idx));
        (self.0.len() - 1) as u32
    }

    /// Removes the order at place `slot`; returns the order moved into that place, if any (its
    /// `cover_slot` becomes `slot`).
    #[inline]
    pub fn leave(&mut self, slot: u32, idx: u32) -> Option<u32> {
        debug_assert_eq!(self.0[slot as usize].1, idx, "a covered sell knows its place");
        self.0.swap_remove(slot as usize);
        self.0.get(slot as usize).map(|&(_, moved)| moved)
    }

    /// The most recent covered sell.
    pub fn latest(&self) -> Option<u32> {
        // Arrivals are unique: comparing them alone is the tuple order, in a tighter loop.
        self.0.iter().max_by_key(|&&(arrival, _)| arrival).map(|&(_, idx)| idx)
    }

    /// The covered sells as (arrival, slab slot), in place order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.0.iter().copied()
    }
}

/// The limits of one account in one instrument, folded when either changes
/// so the common check is a few compares: each cap is the tighter of the set
/// limits (and of the i64 position bound), `i64::MAX` when none is set; the
/// collar is copied here so a check reads one line of the holding for its
/// limits. A cap says only whether an order passes; the exact rejection
/// (which limit, which numbers) comes from the full check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gate {
    pub max_qty: i64,
    pub max_notional: i64,
    /// Largest long / short position (the worst case, every open order filled).
    pub max_long: i64,
    pub max_short: i64,
    pub collar_bps: u32,
    pub collar_ref: CollarRef,
}

impl Gate {
    /// No limits.
    pub const OPEN: Gate = Gate {
        max_qty: i64::MAX,
        max_notional: i64::MAX,
        max_long: i64::MAX,
        max_short: i64::MAX,
        collar_bps: 0,
        collar_ref: CollarRef::Off,
    };

    /// The caps of `account` and `instrument` limits together.
    pub fn new(account: &AccountLimits, instrument: &InstrumentLimits) -> Gate {
        let cap = |limits: &[i64]| limits.iter().filter(|&&l| l > 0).fold(i64::MAX, |m, &l| m.min(l));
        Gate {
            // A post-trade-only account's orders fail the short check at its first cap (every quantity is
            // positive) and are admitted after it without checks: no extra test on the checked path.
            max_qty: if account.post_trade_only { 0 } else { cap(&[account.max_order_qty, instrument.max_order_qty]) },
            max_notional: cap(&[account.max_order_notional, instrument.max_order_notional]),
            max_long: cap(&[instrument.max_long]),
            max_short: cap(&[instrument.max_short]),
            collar_bps: instrument.collar_bps,
            collar_ref: instrument.collar_ref,
        }
    }
}

/// An account's own limits as one check reads them, beside its hot totals:
/// 0 means no gross exposure limit, `u32::MAX` no open-order limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AccountCaps {
    pub max_gross: i64,
    pub max_open_orders: u32,
    pub forbid_short: bool,
}

impl AccountCaps {
    /// The caps of `limits`.
    pub fn new(limits: &AccountLimits) -> AccountCaps {
        AccountCaps {
            max_gross: limits.max_gross_exposure.max(0),
            max_open_orders: if limits.max_open_orders > 0 { limits.max_open_orders } else { u32::MAX },
            forbid_short: limits.forbid_short,
        }
    }
}

impl Default for AccountCaps {
    fn default() -> Self {
        AccountCaps::new(&AccountLimits::default())
    }
}

impl Default for Gate {
    fn default() -> Self {
        Gate::OPEN
    }
}

impl Holding {
    /// A holding never touched (`Default` is not `const`).
    pub const EMPTY: Holding = Holding {
        pos: Position { qty: 0, basis: 0, realized: 0 },
        limits: InstrumentLimits {
            max_order_qty: 0,
            max_order_notional: 0,
            max_long: 0,
            max_short: 0,
            collar_bps: 0,
            collar_ref: CollarRef::Off,
        },
        open: [0; 2],
        ro: [0; 2],
        covered: 0,
        covered_sells: CoveredSells(Vec::new()),
        gate: Gate::OPEN,
    };

    /// The long position not yet covered by open sells.
    pub fn free_long(&self) -> i128 {
        (i128::from(self.pos.qty.max(0)) - self.covered).max(0)
    }

    /// 2 × |basis| while short (sale proceeds plus equal collateral), else 0.
    pub fn short_requirement(&self) -> i128 {
        self.pos.short_requirement()
    }
}

/// Where each managed account is in `Engine::accounts`, by id: a dense table
/// for ids below [`AccountIndex::DENSE`] (one load, no hashing, on every
/// order), a hash map beyond.
#[derive(Clone, Debug, Default)]
pub(crate) struct AccountIndex {
    dense: Vec<u32>,
    sparse: rustc_hash::FxHashMap<AccountId, u32>,
    len: usize,
}

impl AccountIndex {
    /// Ids below this are kept in the dense table (at most 256 KiB of it).
    pub const DENSE: u32 = 1 << 16;
    const NONE: u32 = u32::MAX;

    /// The account's index, if it is managed.
    #[inline]
    pub fn get(&self, id: AccountId) -> Option<u32> {
        match self.dense.get(id.0 as usize) {
            Some(&ix) => (ix != Self::NONE).then_some(ix),
            None if id.0 < Self::DENSE => None,
            None => self.sparse.get(&id).copied(),
        }
    }

    /// Records a newly managed account; false (and no change) if it already has an index.
    pub fn insert(&mut self, id: AccountId, ix: u32) -> bool {
        if self.get(id).is_some() {
            return false;
        }
        if id.0 < Self::DENSE {
            let i = id.0 as usize;
            if i >= self.dense.len() {
                self.dense.resize(i + 1, Self::NONE);
            }
            self.dense[i] = ix;
        } else {
            self.sparse.insert(id, ix);
        }
        self.len += 1;
        true
    }

    /// How many accounts are indexed.
    pub fn len(&self) -> usize {
        self.len
    }
}

/// A managed account, laid out by use: the money every check and fill
/// touches in the first cache line, the holdings and caps in the second, the
/// rate bucket in the third.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[repr(C, align(64))]
pub(crate) struct Account {
    pub cash: i128,
    /// Σ cash reservations of open orders.
    pub reserved: i128,
    /// Σ short requirements of the holdings.
    pub short_req: i128,
    /// Σ notional of open orders.
    pub open_notional: i128,
    /// Σ |position| over the holdings: times the highest trade price it bounds
    /// the positions' exposure, so a check needs the exact sum only near the limit.
    pub abs_qty: i128,
    /// Holdings by book index (`None`: never touched).
    pub holdings: Vec<Option<Holding>>,
    pub open_orders: u32,
    pub killed: bool,
    /// `limits` as the checks read them.
    pub caps: AccountCaps,
    pub bucket: Option<TokenBucket>,
    pub id: AccountId,
    /// Σ realized P&L over all holdings.
    pub realized: i128,
    pub limits: AccountLimits,
}

impl Account {
    /// The holding in book `b`, if the account ever touched it.
    #[inline]
    pub fn holding(&self, b: usize) -> Option<&Holding> {
        self.holdings.get(b).and_then(Option::as_ref)
    }

    /// The holding in book `b` of an account with an order there (tracking created it): one lookup.
    #[inline]
    pub fn tracked_mut(&mut self, b: usize) -> &mut Holding {
        self.holdings[b].as_mut().expect("a tracked order's holding")
    }

    /// The holding in book `b`, created empty on first use.
    #[inline]
    pub fn holding_mut(&mut self, b: usize) -> &mut Holding {
        match self.holdings.get_mut(b) {
            Some(Some(_)) => self.holdings[b].as_mut().expect("just matched"),
            _ => self.new_holding(b),
        }
    }

    #[cold]
    fn new_holding(&mut self, b: usize) -> &mut Holding {
        if b >= self.holdings.len() {
            self.holdings.resize_with(b + 1, || None);
        }
        let gate = Gate::new(&self.limits, &InstrumentLimits::default());
        self.holdings[b].get_or_insert_with(|| Holding { gate, ..Holding::default() })
    }

    /// Folds the limits again into every holding's gate (after a limit changed).
    pub fn refresh_gates(&mut self) {
        let limits = self.limits;
        for h in self.holdings.iter_mut().flatten() {
            h.gate = Gate::new(&limits, &h.limits);
        }
    }

    /// The holdings with their book indices.
    pub fn held(&self) -> impl Iterator<Item = (usize, &Holding)> {
        self.holdings.iter().enumerate().filter_map(|(b, h)| h.as_ref().map(|h| (b, h)))
    }

    /// Cash minus reservations minus short requirements.
    pub fn buying_power(&self) -> i128 {
        self.cash - self.reserved - self.short_req
    }
}

/// Per-instrument risk settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InstrumentRisk {
    pub fees: Fees,
    pub halted: bool,
    pub reference: Option<Price>,
}

/// A risk rejection: the reason and the numbers behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub reason: RejectReason,
    pub limit: i128,
    pub requested: i128,
}

impl Rejection {
    pub fn new(reason: RejectReason, limit: i128, requested: i128) -> Self {
        Rejection { reason, limit, requested }
    }
}

/// An account's state, as the `account` query reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountView {
    /// Cash.
    pub cash: i128,
    /// Cash reserved by open orders.
    pub reserved: i128,
    /// Cash − reserved − short requirement.
    pub buying_power: i128,
    /// Cash + Σ position × mark.
    pub equity: i128,
    /// Realized P&L over all instruments.
    pub realized: i128,
    /// Unrealized P&L over all instruments, at their marks.
    pub unrealized: i128,
    /// Open orders (resting and pending stops).
    pub open_orders: u32,
    /// Whether the kill switch is on.
    pub killed: bool,
}

/// A position, as the `position` query reports it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PositionView {
    /// Signed quantity.
    pub qty: i64,
    /// Average entry price (basis / qty): a derived display value, the only float in the core.
    pub avg_price: f64,
    /// Signed cost of the open quantity.
    pub basis: i128,
    /// Realized P&L.
    pub realized: i128,
    /// Unrealized P&L at the mark (0 without one).
    pub unrealized: i128,
    /// The mark used: last trade, else mid (rounded half away from zero), else the host's reference.
    pub mark: Option<Price>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_round_half_away_and_add_the_per_unit_part() {
        let f = Fees { maker_ppm: -100, taker_ppm: 250, maker_per_unit: 0, taker_per_unit: 2 };
        // The 64-bit and 128-bit paths round alike.
        for n in [0i128, 1, 4_999, 5_000, 5_001, 15_000, 25_000, 1 << 40] {
            let wide = |ppm: i64| (n / PPM) * i128::from(ppm) + div_round((n % PPM) * i128::from(ppm), PPM);
            assert_eq!(f.fee(Liquidity::Maker, n, 0), wide(-100), "{n}");
            assert_eq!(f.fee(Liquidity::Taker, n, 0), wide(250), "{n}");
        }
        // 10 000 × 250 / 10^6 = 2.5 → 3; plus 2 × 7.
        assert_eq!(f.fee(Liquidity::Taker, 10_000, 7), 3 + 14);
        // −1.0 rebate exactly; −0.5 rounds away from zero to −1.
        assert_eq!(f.fee(Liquidity::Maker, 10_000, 7), -1);
        assert_eq!(f.fee(Liquidity::Maker, 5_000, 7), -1);
        assert_eq!(f.fee(Liquidity::Maker, 4_999, 7), 0);
        assert_eq!(f.estimate(10_000, 7), 17);
        // The one-fee shortcut agrees with the larger of both fees, whichever side dominates.
        let sides = [(-100, 0), (250, 2), (250, -3), (0, 0), (-250, 5), (1_000_000, 0), (-1_000_000, 1)];
        for (mp, mu) in sides {
            for (tp, tu) in sides {
                let f = Fees { maker_ppm: mp, maker_per_unit: mu, taker_ppm: tp, taker_per_unit: tu };
                for (n, q) in [(0i128, 0i64), (4_999, 1), (5_000, 7), (15_000, 3), (1 << 70, 1 << 40)] {
                    let both = f.fee(Liquidity::Maker, n, q).max(f.fee(Liquidity::Taker, n, q)).max(0);
                    assert_eq!(f.estimate(n, q), both, "{f:?} {n} {q}");
                }
            }
        }
        let rebate = Fees { maker_ppm: -100, taker_ppm: -100, ..Fees::default() };
        assert_eq!(rebate.estimate(10_000, 1), 0, "a rebate reserves nothing");
    }

    #[test]
    fn fees_do_not_overflow_at_the_largest_notional() {
        let f = Fees { maker_ppm: 1_000_000, taker_ppm: -1_000_000, maker_per_unit: i64::MAX, taker_per_unit: 0 };
        let n = i128::from(i64::MAX) * i128::from(i64::MAX);
        assert_eq!(f.fee(Liquidity::Taker, n, 1), -n);
        assert_eq!(f.fee(Liquidity::Maker, n, i64::MAX), n + n);
        assert!(!Fees { maker_ppm: 1_000_001, ..f }.is_valid() && f.is_valid());
    }

    #[test]
    fn account_limits_keep_both_switches_in_the_byte_format_2_used_for_one() {
        // Format 2 stored the short-selling switch as a bool: those snapshots read unchanged.
        #[derive(Serialize)]
        struct Format2(i64, i64, i64, u32, u64, u64, u64, bool);
        for forbid_short in [false, true] {
            let bytes = postcard::to_allocvec(&Format2(5, 6, 7, 8, 9, 10, 11, forbid_short)).expect("serializes");
            let read: AccountLimits = postcard::from_bytes(&bytes).expect("format 2 reads");
            let want = AccountLimits {
                max_order_qty: 5,
                max_order_notional: 6,
                max_gross_exposure: 7,
                max_open_orders: 8,
                rate_capacity: 9,
                rate_per_interval: 10,
                rate_interval: 11,
                forbid_short,
                post_trade_only: false,
            };
            assert_eq!(read, want);
        }
        for (forbid_short, post_trade_only) in [(false, true), (true, true), (true, false)] {
            let l = AccountLimits { forbid_short, post_trade_only, ..AccountLimits::default() };
            let bytes = postcard::to_allocvec(&l).expect("serializes");
            assert_eq!(postcard::from_bytes::<AccountLimits>(&bytes).expect("reads"), l);
        }
    }

    #[test]
    fn the_account_index_finds_dense_and_sparse_ids_and_refuses_repeats() {
        let mut ix = AccountIndex::default();
        let big = AccountId(AccountIndex::DENSE + 7);
        assert!(ix.insert(AccountId(5), 0) && ix.insert(big, 1) && ix.insert(AccountId(0), 2));
        assert!(!ix.insert(AccountId(5), 9) && !ix.insert(big, 9));
        assert_eq!((ix.get(AccountId(5)), ix.get(big), ix.get(AccountId(0))), (Some(0), Some(1), Some(2)));
        for unknown in [1, 4, 6, AccountIndex::DENSE - 1, AccountIndex::DENSE, u32::MAX] {
            assert_eq!(ix.get(AccountId(unknown)), None, "{unknown}");
        }
        assert_eq!(ix.len(), 3);
    }

    #[test]
    fn a_gate_folds_the_tighter_limit_of_each_pair() {
        let account =
            AccountLimits { max_order_qty: 50, max_order_notional: 0, max_open_orders: 3, ..Default::default() };
        let instrument =
            InstrumentLimits { max_order_qty: 80, max_order_notional: 9_000, max_long: 7, ..Default::default() };
        let g = Gate::new(&account, &instrument);
        assert_eq!((g.max_qty, g.max_notional, g.max_long, g.max_short), (50, 9_000, 7, i64::MAX));
        let caps = AccountCaps::new(&account);
        assert_eq!((caps.max_gross, caps.max_open_orders, caps.forbid_short), (0, 3, false));
        assert_eq!(Gate::new(&AccountLimits::default(), &InstrumentLimits::default()), Gate::OPEN);
        assert_eq!(AccountCaps::default().max_open_orders, u32::MAX);
    }

    #[test]
    fn the_const_empty_holding_is_the_default() {
        assert_eq!(Holding::EMPTY, Holding::default());
    }

    #[test]
    fn wide_keeps_every_i128_exactly() {
        for v in [0i128, 1, -1, i128::from(i64::MAX) + 1, i128::from(i64::MIN) - 1, i128::MAX, i128::MIN, -(1 << 100)] {
            assert_eq!(Wide::new(v).get(), v, "{v}");
        }
        let mut r = OrderRisk::new(3, 4, true);
        let res = Reservation { leaves: 7, covered: 2, notional: -(1 << 90), cash: 1 << 70 };
        r.set_res(res);
        assert_eq!((r.res(), r.acct, r.book, r.reduce_only), (res, 3, 4, true));
    }

    #[test]
    fn a_sell_reserves_only_its_uncovered_part() {
        let f = Fees { taker_ppm: 1_000, ..Fees::default() };
        let r = reservation(Side::Sell, Price(100), 10, 4, &f);
        assert_eq!(r, Reservation { leaves: 10, covered: 4, notional: 1_000, cash: 600 + 1 });
        assert_eq!(reservation(Side::Sell, Price(100), 10, 10, &f).cash, 0);
        assert_eq!(reservation(Side::Buy, Price(100), 10, 4, &f).cash, 1_000 + 1);
        assert_eq!(reservation(Side::Buy, Price(0), 10, 0, &f), Reservation { leaves: 10, ..Reservation::default() });
    }
}
