//! Stochastic oscillator (TA-Lib `STOCH` with SMA smoothing): fast %K =
//! `(close − lowest low) / ((highest high − lowest low) / 100)` over
//! `fast_k` bars (0 when the range is 0), slow %K its SMA over `slow_k`
//! (1 keeps fast %K), %D the SMA of slow %K over `slow_d`. Both outputs start
//! at `fast_k + slow_k + slow_d − 3`.
//!
//! Highest high and lowest low are block-wise window max/min (exact, so any
//! order agrees with TA-Lib's scan); %K is element-wise; the two SMAs are
//! TA-Lib's running sums ([`super::running`]): %K is often exactly 0, where
//! any other summation order would leave a different residue than TA-Lib's.

use super::running::{running_mean, RunningSums};
use super::window::{windows, BlockWindow, Identity, Max, Min, Reduce, Windowed};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{F64x2, Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first output (TA-Lib's lookback): `fast_k + slow_k + slow_d − 3`.
pub fn stoch_lookback(fast_k: usize, slow_k: usize, slow_d: usize) -> usize {
    fast_k.saturating_sub(1) + slow_k.saturating_sub(1) + slow_d.saturating_sub(1)
}

#[inline(always)]
fn fast_k_of<L: Lane>(close: L, highest: L, lowest: L) -> L {
    let diff = highest.sub(lowest).div(L::splat(100.0));
    diff.ne_select(L::splat(0.0), close.sub(lowest).div(diff), L::splat(0.0))
}

/// Highest high and lowest low by blocks, turned into fast %K in `out` as they are made.
struct FastK<'a> {
    high: &'a [f64],
    low: &'a [f64],
    close: &'a [f64],
    out: &'a mut [f64],
}

// SAFETY: `len` is `close`'s length; `high`, `low` and `out` are as long (checked in `stoch`).
unsafe impl Windowed<2> for FastK<'_> {
    fn len(&self) -> usize {
        self.close.len()
    }
    #[inline(always)]
    fn reduce<L: Lane>([hh, ll]: [L; 2], [h, l]: [L; 2]) -> [L; 2] {
        [Max::apply(hh, h), Min::apply(ll, l)]
    }
    #[inline(always)]
    unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; 2] {
        [L::gather_unchecked(self.high, i, stride), L::gather_unchecked(self.low, i, stride)]
    }
    #[inline(always)]
    unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; 2], [L; 2]) {
        let (h0, h1) = L::gather_pair_unchecked(self.high, i, stride);
        let (l0, l1) = L::gather_pair_unchecked(self.low, i, stride);
        ([h0, l0], [h1, l1])
    }
    #[inline(always)]
    unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, [hh, ll]: [L; 2]) {
        fast_k_of(L::gather_unchecked(self.close, i, stride), hh, ll).scatter_unchecked(self.out, i, stride);
    }
    #[inline(always)]
    unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, [hh0, ll0]: [L; 2], [hh1, ll1]: [L; 2]) {
        let (c0, c1) = L::gather_pair_unchecked(self.close, i, stride);
        L::scatter_pair_unchecked(fast_k_of(c0, hh0, ll0), fast_k_of(c1, hh1, ll1), self.out, i, stride);
    }
}

fn check_periods(fast_k: usize, slow_k: usize, slow_d: usize) -> Result<(), AnalyticsError> {
    check_period("fast_k", fast_k)?;
    check_period("slow_k", slow_k)?;
    check_period("slow_d", slow_d)
}

/// Slow %K and %D of the bars into `k_out` and `d_out`.
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fast_k: usize,
    slow_k: usize,
    slow_d: usize,
    k_out: &mut [f64],
    d_out: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    let len = close.len();
    check_periods(fast_k, slow_k, slow_d)?;
    check_len("high", high.len(), len)?;
    check_len("low", low.len(), len)?;
    check_len("k_out", k_out.len(), len)?;
    check_len("d_out", d_out.len(), len)?;
    check_window("fast_k", fast_k, len)?;
    check_finite("high", high, path)?;
    check_finite("low", low, path)?;
    check_finite("close", close, path)?;
    let lookback = stoch_lookback(fast_k, slow_k, slow_d);
    fill_warmup(k_out, lookback);
    fill_warmup(d_out, lookback);
    if len <= lookback {
        return Ok(());
    }
    // Fast %K in d_out (scratch until the end), slow %K in k_out.
    windows::<F64x2, 2, _>(&mut FastK { high, low, close, out: d_out }, fast_k, path);
    let k_from = fast_k - 1;
    running_mean(&d_out[k_from..], slow_k, &mut k_out[k_from..]);
    let d_from = k_from + slow_k - 1;
    running_mean(&k_out[d_from..], slow_d, &mut d_out[d_from..]);
    fill_warmup(k_out, lookback);
    fill_warmup(d_out, lookback);
    Ok(())
}

/// One output of [`Stoch`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StochPoint {
    /// Slow %K.
    pub k: f64,
    /// %D.
    pub d: f64,
}

/// Streaming [`stoch`].
#[derive(Clone, Debug)]
pub struct Stoch {
    highest: BlockWindow<Max, Identity>,
    lowest: BlockWindow<Min, Identity>,
    slow_k: RunningSums,
    slow_d: RunningSums,
    slow_k_n: f64,
    slow_d_n: f64,
    lookback: usize,
    seen: usize,
}

impl Stoch {
    /// A stochastic with the given periods.
    pub fn new(fast_k: usize, slow_k: usize, slow_d: usize) -> Result<Self, AnalyticsError> {
        check_periods(fast_k, slow_k, slow_d)?;
        Ok(Stoch {
            highest: BlockWindow::new(fast_k),
            lowest: BlockWindow::new(fast_k),
            slow_k: RunningSums::new(slow_k),
            slow_d: RunningSums::new(slow_d),
            slow_k_n: slow_k as f64,
            slow_d_n: slow_d as f64,
            lookback: stoch_lookback(fast_k, slow_k, slow_d),
            seen: 0,
        })
    }

    /// Adds a bar; slow %K and %D, NaN during warm-up.
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Result<StochPoint, AnalyticsError> {
        check_value("high", high, self.seen)?;
        check_value("low", low, self.seen)?;
        check_value("close", close, self.seen)?;
        let i = self.seen;
        self.seen += 1;
        let nan = StochPoint { k: f64::NAN, d: f64::NAN };
        let (Some(hh), Some(ll)) = (self.highest.update(high), self.lowest.update(low)) else {
            return Ok(nan);
        };
        let Some((k_sum, _)) = self.slow_k.update(fast_k_of(close, hh, ll)) else {
            return Ok(nan);
        };
        let k = k_sum / self.slow_k_n;
        let Some((d_sum, _)) = self.slow_d.update(k) else {
            return Ok(nan);
        };
        debug_assert!(i >= self.lookback);
        Ok(StochPoint { k, d: d_sum / self.slow_d_n })
    }
}
