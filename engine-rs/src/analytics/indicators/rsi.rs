//! Relative strength index with Wilder's smoothing (TA-Lib `RSI`, default
//! compatibility): average gain and loss seeded by the mean of the first
//! `window` changes, then `avg = (avg * (window - 1) + change) / window`;
//! `RSI = 100 * gain / (gain + loss)`, 0 when `gain + loss` is within 1e-8 of 0.
//!
//! A recurrence. On the SIMD path the gain and loss averages share one v128
//! (two lanes, same operations as the two scalar chains); the scalar path
//! keeps them in two f64.

use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::{F64x2, Lane, Path};
use crate::analytics::AnalyticsError;

/// Index of the first RSI output (TA-Lib's lookback): `window`.
pub fn rsi_lookback(window: usize) -> usize {
    window
}

/// TA-Lib's `TA_IS_ZERO`.
fn is_zero(v: f64) -> bool {
    -0.000_000_01 < v && v < 0.000_000_01
}

fn ratio(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    if is_zero(total) {
        0.0
    } else {
        100.0 * (gain / total)
    }
}

/// `(gain, loss)` of one change: TA-Lib adds a rise to the gains and
/// subtracts a fall from the losses; adding 0 to the other changes nothing.
#[inline(always)]
fn split(change: f64) -> (f64, f64) {
    if change < 0.0 {
        (0.0, -change)
    } else {
        (change, 0.0)
    }
}

/// RSI of `x` over `window` changes into `out` (NaN for the first `window` slots).
pub fn rsi(x: &[f64], window: usize, out: &mut [f64], path: Path) -> Result<(), AnalyticsError> {
    check_len("out", out.len(), x.len())?;
    check_window("window", window, x.len())?;
    check_finite("x", x, path)?;
    fill_warmup(out, rsi_lookback(window));
    if x.len() <= window {
        return Ok(());
    }
    let n = window as f64;
    let keep = (window - 1) as f64;
    match path {
        Path::Simd => {
            let mut avg = F64x2::splat(0.0);
            for i in 1..=window {
                let (g, l) = split(x[i] - x[i - 1]);
                avg = avg.add(F64x2::new(g, l));
            }
            avg = avg.div(F64x2::splat(n));
            out[window] = ratio(avg.lo(), avg.hi());
            let (keep, n) = (F64x2::splat(keep), F64x2::splat(n));
            for i in window + 1..x.len() {
                let (g, l) = split(x[i] - x[i - 1]);
                avg = avg.mul(keep).add(F64x2::new(g, l)).div(n);
                out[i] = ratio(avg.lo(), avg.hi());
            }
        }
        Path::Scalar => {
            let (mut gain, mut loss) = (0.0, 0.0);
            for i in 1..=window {
                let (g, l) = split(x[i] - x[i - 1]);
                gain += g;
                loss += l;
            }
            gain /= n;
            loss /= n;
            out[window] = ratio(gain, loss);
            for i in window + 1..x.len() {
                let (g, l) = split(x[i] - x[i - 1]);
                gain = (gain * keep + g) / n;
                loss = (loss * keep + l) / n;
                out[i] = ratio(gain, loss);
            }
        }
    }
    Ok(())
}

/// Streaming [`rsi`].
#[derive(Clone, Debug)]
pub struct Rsi {
    window: usize,
    seen: usize,
    prev: f64,
    gain: f64,
    loss: f64,
}

impl Rsi {
    /// An RSI over `window` changes.
    pub fn new(window: usize) -> Result<Self, AnalyticsError> {
        check_period("window", window)?;
        Ok(Rsi { window, seen: 0, prev: 0.0, gain: 0.0, loss: 0.0 })
    }

    /// Adds `x`; the RSI, NaN for the first `window` values.
    pub fn update(&mut self, x: f64) -> Result<f64, AnalyticsError> {
        check_value("x", x, self.seen)?;
        let seen = self.seen;
        self.seen += 1;
        let prev = core::mem::replace(&mut self.prev, x);
        if seen == 0 {
            return Ok(f64::NAN);
        }
        let (g, l) = split(x - prev);
        let n = self.window as f64;
        if seen <= self.window {
            self.gain += g;
            self.loss += l;
            if seen < self.window {
                return Ok(f64::NAN);
            }
            self.gain /= n;
            self.loss /= n;
        } else {
            let keep = (self.window - 1) as f64;
            self.gain = (self.gain * keep + g) / n;
            self.loss = (self.loss * keep + l) / n;
        }
        Ok(ratio(self.gain, self.loss))
    }
}
