//! Simple moving average: the mean of the last `window` values (TA-Lib `SMA`).

use super::window::{reduce_each, windows, BlockWindow, Identity, Sum, Windowed};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{F64x4, Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first SMA output (TA-Lib's lookback): `window - 1`.
pub fn sma_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// Window sums of `x` by blocks, each divided by the window as it is made.
struct Mean<'a> {
    x: &'a [f64],
    out: &'a mut [f64],
    n: f64,
}

// SAFETY: `len` is `x`'s length, and `out` is as long (checked in `sma_unchecked`).
unsafe impl Windowed<1> for Mean<'_> {
    fn len(&self) -> usize {
        self.x.len()
    }
    #[inline(always)]
    fn reduce<L: Lane>(acc: [L; 1], v: [L; 1]) -> [L; 1] {
        reduce_each::<Sum, L, 1>(acc, v)
    }
    #[inline(always)]
    unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; 1] {
        [L::gather_unchecked(self.x, i, stride)]
    }
    #[inline(always)]
    unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; 1], [L; 1]) {
        let (a, b) = L::gather_pair_unchecked(self.x, i, stride);
        ([a], [b])
    }
    #[inline(always)]
    unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, [sum]: [L; 1]) {
        sum.div(L::splat(self.n)).scatter_unchecked(self.out, i, stride);
    }
    #[inline(always)]
    unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, [a]: [L; 1], [b]: [L; 1]) {
        let n = L::splat(self.n);
        L::scatter_pair_unchecked(a.div(n), b.div(n), self.out, i, stride);
    }
}

/// Writes into `out` (NaN before `window - 1`) the mean of `x` over `window`
/// values: window sums by blocks, each divided by the window in the same pass.
pub(crate) fn sma_unchecked(x: &[f64], window: usize, out: &mut [f64], path: Path) {
    assert_eq!(out.len(), x.len());
    fill_warmup(out, sma_lookback(window));
    windows::<F64x4, 1, _>(&mut Mean { x, out, n: window as f64 }, window, path);
}

/// Simple moving average of `x` over `window` into `out` (same length).
pub fn sma(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    sma_unchecked(x, window, out, path);
    Ok(())
}

/// Streaming [`sma`]: one value in, the current average out (NaN in warm-up).
#[derive(Clone, Debug)]
pub struct Sma {
    sums: BlockWindow<Sum, Identity>,
    n: f64,
    seen: usize,
}

impl Sma {
    /// An average over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Sma { sums: BlockWindow::new(window), n: window as f64, seen: 0 })
    }

    /// Adds `x`; returns the average of the last `window` values, NaN before
    /// there are that many. A non-finite `x` is rejected and changes nothing.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        check_value("x", x, self.seen)?;
        self.seen += 1;
        Ok(self.push(x))
    }

    /// [`Sma::update`] for a value already known to be finite.
    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.sums.update(x).map_or(f64::NAN, |s| s / self.n)
    }
}
