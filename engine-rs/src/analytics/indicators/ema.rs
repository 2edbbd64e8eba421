//! Exponential moving average, seeded with the SMA of the first `window`
//! values as TA-Lib does (`EMA`, default compatibility), `k = 2 / (window + 1)`.

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

/// Exponential moving average of `x` into `out`. A recurrence: one scalar
/// code path whatever `path` says (there is nothing for lanes to share).
pub fn ema(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    ema_unchecked(x, window, out);
    Ok(())
}

/// [`ema`] after validation; also the building block of MACD.
pub(crate) fn ema_unchecked(x: &[f64], window: usize, out: &mut [f64]) {
    fill_warmup(out, ema_lookback(window));
    let k = smoothing(window);
    let mut sum = 0.0;
    for &v in &x[..window] {
        sum += v;
    }
    let mut prev = sum / window as f64;
    out[window - 1] = prev;
    for (o, &v) in out[window..].iter_mut().zip(&x[window..]) {
        prev = ((v - prev) * k) + prev;
        *o = prev;
    }
}

/// Streaming [`ema`].
#[derive(Clone, Debug)]
pub struct Ema {
    window: usize,
    k: f64,
    seen: usize,
    /// The seed sum during warm-up, then the average.
    value: f64,
}

impl Ema {
    /// An EMA over `window` values.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Ema { window, k: smoothing(window), seen: 0, value: 0.0 })
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
        } else {
            self.value = ((x - self.value) * self.k) + self.value;
            self.value
        }
    }
}
