//! Simple moving average: the mean of the last `window` values (TA-Lib `SMA`).

use super::window::{chunks, elementwise, reduce, BlockWindow, Elementwise, Identity, Sum};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first SMA output (TA-Lib's lookback): `window - 1`.
pub fn sma_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// Divides window sums by the window in place.
struct Mean<'a> {
    sums: &'a mut [f64],
    n: f64,
}

impl Elementwise for Mean<'_> {
    #[inline(always)]
    fn at<L: Lane>(&mut self, i: usize) {
        L::load(self.sums, i).div(L::splat(self.n)).store(self.sums, i);
    }
}

/// Writes into `out` (NaN before `window - 1`) the mean of `x` over `window`
/// values, a chunk at a time: window sums by blocks, then one division each.
pub(crate) fn sma_unchecked(x: &[f64], window: usize, out: &mut [f64], path: Path) {
    fill_warmup(out, sma_lookback(window));
    for (lo, hi) in chunks(window, x.len()) {
        reduce::<Sum, Identity>(x, window, lo, hi, &mut out[lo..hi], path);
        let from = lo.max(window - 1);
        elementwise(&mut Mean { sums: out, n: window as f64 }, from, hi, path);
    }
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
