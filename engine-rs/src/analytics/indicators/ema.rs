//! Exponential moving average, seeded with the SMA of the first `window`
//! values as TA-Lib does (`EMA`, default compatibility), `k = 2 / (window + 1)`.
//!
//! Each step is `k·x + (1 − k)·prev`: the chain from one output to the next is
//! one multiply and one add, where TA-Lib's `(x − prev)·k + prev` chains a
//! subtract, a multiply and an add (half again the latency, on a recurrence
//! that is nothing but that chain). The two round differently, by a few ulps a
//! step; the average forgets old errors, so the gap to TA-Lib stays small (at
//! most 6.6e-15 relative on the test data, at window 200).
//! MACD keeps TA-Lib's step ([`talib_step`]): its line is a difference of two
//! averages that crosses zero, where any gap is a large relative one.

use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::Path;
use crate::analytics::AnalyticsError;

/// Index of the first EMA output (TA-Lib's lookback): `window - 1`.
pub fn ema_lookback(window: usize) -> usize {
    window.saturating_sub(1)
}

/// TA-Lib's `PER_TO_K`.
pub(crate) fn smoothing(window: usize) -> f64 {
    2.0 / ((window + 1) as f64)
}

/// One EMA step: `k·x + keep·prev` with `keep = 1 − k`.
#[inline(always)]
fn blend(prev: f64, x: f64, k: f64, keep: f64) -> f64 {
    x * k + prev * keep
}

/// TA-Lib's EMA step, operation for operation: `(x − prev)·k + prev`.
#[inline(always)]
pub(crate) fn talib_step(prev: f64, x: f64, k: f64) -> f64 {
    ((x - prev) * k) + prev
}

/// Exponential moving average of `x` into `out`. A recurrence: one scalar
/// code path whatever `path` says (there is nothing for lanes to share).
pub fn ema(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    ema_unchecked(x, window, out);
    Ok(())
}

/// [`ema`] after validation.
fn ema_unchecked(x: &[f64], window: usize, out: &mut [f64]) {
    fill_warmup(out, ema_lookback(window));
    let k = smoothing(window);
    let keep = 1.0 - k;
    let mut sum = 0.0;
    for &v in &x[..window] {
        sum += v;
    }
    let mut prev = sum / window as f64;
    out[window - 1] = prev;
    for (o, &v) in out[window..].iter_mut().zip(&x[window..]) {
        prev = blend(prev, v, k, keep);
        *o = prev;
    }
}

/// Streaming [`ema`].
#[derive(Clone, Debug)]
pub struct Ema {
    window: usize,
    k: f64,
    keep: f64,
    /// TA-Lib's step instead of [`blend`] (MACD's averages).
    talib_order: bool,
    seen: usize,
    /// The seed sum during warm-up, then the average.
    value: f64,
}

impl Ema {
    /// An EMA over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        let k = smoothing(window);
        Ok(Ema { window, k, keep: 1.0 - k, talib_order: false, seen: 0, value: 0.0 })
    }

    /// An EMA that steps as TA-Lib does ([`talib_step`]), for MACD.
    pub(crate) fn talib_order(window: usize) -> Result<Self, AnalyticsError> {
        Ok(Ema { talib_order: true, ..Ema::new(window)? })
    }

    /// Adds `x`; the average, NaN for the first `window - 1` values.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        check_value("x", x, self.seen)?;
        Ok(self.push(x))
    }

    /// [`Ema::update`] for a value already known to be finite.
    pub(crate) fn push(&mut self, x: f64) -> f64 {
        self.seen += 1;
        if self.seen < self.window {
            self.value += x;
            f64::NAN
        } else if self.seen == self.window {
            self.value += x;
            self.value /= self.window as f64;
            self.value
        } else if self.talib_order {
            self.value = talib_step(self.value, x, self.k);
            self.value
        } else {
            self.value = blend(self.value, x, self.k, self.keep);
            self.value
        }
    }
}
