//! Top-of-book measures of a quote series: spread, mid and microprice.
//!
//! Microprice here is the size-weighted mid of Stoikov's "micro-price"
//! literature in its usual first-order form, `(bid × askSize + ask × bidSize)
//! / (bidSize + askSize)`: the price leans toward the side with less size,
//! where the next trade is likelier to move it. With no size on either side it
//! is the mid. Computed as `bid + (ask − bid) × bidSize / (bidSize + askSize)`,
//! which cannot round outside `[bid, ask]` when the spread is exact (any two
//! prices within a factor of 2). Crossed or locked quotes are taken as given
//! (feeds show them briefly).

use super::market_input::{finite, non_negative, same_len};
use super::simd::{F64x4, Lane, Path};
use super::AnalyticsError;

/// Checks one quote; `index` names the position in the caller's columns.
fn check_quote(index: usize, bid: f64, ask: f64) -> Result<(), AnalyticsError> {
    finite("bid", index, bid)?;
    finite("ask", index, ask)
}

fn check_sizes(index: usize, bid_size: f64, ask_size: f64) -> Result<(), AnalyticsError> {
    non_negative("bid_size", index, bid_size)?;
    non_negative("ask_size", index, ask_size)
}

/// `ask − bid`.
#[inline]
pub(crate) fn spread_one(bid: f64, ask: f64) -> f64 {
    ask - bid
}

/// `(bid + ask) / 2`.
#[inline]
pub(crate) fn mid_one(bid: f64, ask: f64) -> f64 {
    (bid + ask) * 0.5
}

/// Size-weighted mid; the mid when both sizes are 0.
#[inline]
pub(crate) fn microprice_one(bid: f64, ask: f64, bid_size: f64, ask_size: f64) -> f64 {
    let total = bid_size + ask_size;
    if total > 0.0 {
        bid + (ask - bid) * (bid_size / total)
    } else {
        mid_one(bid, ask)
    }
}

/// Spread `ask − bid` of each quote.
pub fn spread(bid: &[f64], ask: &[f64], path: Path) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![0.0; bid.len()];
    spread_into(bid, ask, &mut out, path)?;
    Ok(out)
}

/// [`spread`] into `out` (the series' length); nothing is written on an error.
pub fn spread_into(bid: &[f64], ask: &[f64], out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_pair(bid, ask)?;
    same_len("out", out, bid.len())?;
    match path {
        Path::Simd => pair_kernel::<F64x4>(bid, ask, out, |b, a| a.sub(b)),
        Path::Scalar => pair_kernel::<f64>(bid, ask, out, |b, a| a.sub(b)),
    }
    Ok(())
}

/// Mid `(bid + ask) / 2` of each quote.
pub fn mid(bid: &[f64], ask: &[f64], path: Path) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![0.0; bid.len()];
    mid_into(bid, ask, &mut out, path)?;
    Ok(out)
}

/// [`mid`] into `out` (the series' length); nothing is written on an error.
pub fn mid_into(bid: &[f64], ask: &[f64], out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_pair(bid, ask)?;
    same_len("out", out, bid.len())?;
    match path {
        Path::Simd => pair_kernel::<F64x4>(bid, ask, out, |b, a| b.add(a).mul(Lane::splat(0.5))),
        Path::Scalar => pair_kernel::<f64>(bid, ask, out, |b, a| b.add(a).mul(Lane::splat(0.5))),
    }
    Ok(())
}

/// Microprice of each quote (see the module notes); sizes must be ≥ 0.
pub fn microprice(
    bid: &[f64],
    ask: &[f64],
    bid_size: &[f64],
    ask_size: &[f64],
    path: Path,
) -> Result<Vec<f64>, AnalyticsError> {
    let mut out = vec![0.0; bid.len()];
    microprice_into(bid, ask, bid_size, ask_size, &mut out, path)?;
    Ok(out)
}

/// [`microprice`] into `out` (the series' length); nothing is written on an error.
pub fn microprice_into(
    bid: &[f64],
    ask: &[f64],
    bid_size: &[f64],
    ask_size: &[f64],
    out: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    let n = bid.len();
    check_pair(bid, ask)?;
    same_len("bid_size", bid_size, n)?;
    same_len("ask_size", ask_size, n)?;
    for i in 0..n {
        check_sizes(i, bid_size[i], ask_size[i])?;
    }
    same_len("out", out, n)?;
    match path {
        Path::Simd => microprice_kernel::<F64x4>(bid, ask, bid_size, ask_size, out),
        Path::Scalar => microprice_kernel::<f64>(bid, ask, bid_size, ask_size, out),
    }
    Ok(())
}

fn check_pair(bid: &[f64], ask: &[f64]) -> Result<(), AnalyticsError> {
    same_len("ask", ask, bid.len())?;
    for i in 0..bid.len() {
        check_quote(i, bid[i], ask[i])?;
    }
    Ok(())
}

/// `out[i] = f(bid[i], ask[i])`, `L::WIDTH` quotes at a time; the tail runs
/// the same operations on splatted lanes, one quote at a time.
#[inline(always)]
fn pair_kernel<L: Lane>(bid: &[f64], ask: &[f64], out: &mut [f64], f: impl Fn(L, L) -> L) {
    let n = out.len();
    let mut i = 0;
    while i + L::WIDTH <= n {
        f(L::load(bid, i), L::load(ask, i)).store(out, i);
        i += L::WIDTH;
    }
    for j in i..n {
        let mut lanes = [0.0; 4];
        f(L::splat(bid[j]), L::splat(ask[j])).store(&mut lanes, 0);
        out[j] = lanes[0];
    }
}

/// Microprice lane by lane: `bid + (ask − bid) × (bidSize / total)` where
/// `total > 0`, else the mid (both computed, one selected).
#[inline(always)]
fn microprice_kernel<L: Lane>(bid: &[f64], ask: &[f64], bid_size: &[f64], ask_size: &[f64], out: &mut [f64]) {
    let one = |b: L, a: L, bs: L, asz: L| {
        let total = bs.add(asz);
        let leaned = b.add(a.sub(b).mul(bs.div(total)));
        let mid = b.add(a).mul(L::splat(0.5));
        L::splat(0.0).lt_select(total, leaned, mid)
    };
    let n = out.len();
    let mut i = 0;
    while i + L::WIDTH <= n {
        one(L::load(bid, i), L::load(ask, i), L::load(bid_size, i), L::load(ask_size, i)).store(out, i);
        i += L::WIDTH;
    }
    for j in i..n {
        let mut lanes = [0.0; 4];
        one(L::splat(bid[j]), L::splat(ask[j]), L::splat(bid_size[j]), L::splat(ask_size[j])).store(&mut lanes, 0);
        out[j] = lanes[0];
    }
}

/// The three measures of one quote.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuoteMeasures {
    /// `ask − bid`.
    pub spread: f64,
    /// `(bid + ask) / 2`.
    pub mid: f64,
    /// Size-weighted mid.
    pub microprice: f64,
}

/// Streaming form: one quote at a time, the same values as the batch forms.
#[derive(Debug, Clone, Default)]
pub struct QuoteStream {
    index: usize,
}

impl QuoteStream {
    /// A stream that has seen no quote.
    pub fn new() -> Self {
        Self::default()
    }

    /// Measures the next quote. A refused quote leaves the stream unchanged.
    pub fn update(
        &mut self,
        bid: f64,
        ask: f64,
        bid_size: f64,
        ask_size: f64,
    ) -> Result<QuoteMeasures, AnalyticsError> {
        check_quote(self.index, bid, ask)?;
        check_sizes(self.index, bid_size, ask_size)?;
        self.index += 1;
        Ok(QuoteMeasures {
            spread: spread_one(bid, ask),
            mid: mid_one(bid, ask),
            microprice: microprice_one(bid, ask, bid_size, ask_size),
        })
    }
}
