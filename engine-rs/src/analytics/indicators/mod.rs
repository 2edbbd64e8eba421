//! Technical indicators, numerically TA-Lib's: SMA, EMA, WMA, RSI, MACD,
//! Bollinger Bands, ATR, stochastic, rolling standard deviation and z-score.
//!
//! Each comes as a batch function over slices (outputs written into caller
//! slices of the input's length, NaN during warm-up) and a streaming struct
//! whose `update` returns the same values, bit for bit. Warm-up follows TA-Lib:
//! the first real output is at TA-Lib's `outBegIdx` for a call over the whole
//! series (each function's `*_lookback`). Inputs are validated before anything
//! is written: a bad input leaves the outputs untouched.

mod atr;
mod bollinger;
mod ema;
mod macd;
mod rsi;
mod running;
mod sma;
mod stddev;
mod stoch;
pub(crate) mod window;
mod wma;

pub use atr::{atr, atr_lookback, Atr};
pub use bollinger::{bollinger, bollinger_lookback, Bollinger, BollingerPoint};
pub use ema::{ema, ema_lookback, Ema};
pub use macd::{macd, macd_lookback, Macd, MacdPoint};
pub use rsi::{rsi, rsi_lookback, Rsi};
pub use sma::{sma, sma_lookback, Sma};
pub use stddev::{rolling_std, rolling_std_lookback, zscore, zscore_lookback, RollingStd, ZScore};
pub use stoch::{stoch, stoch_lookback, Stoch, StochPoint};
pub use wma::{wma, wma_lookback, Wma};

use super::simd::{first_non_finite, Path};
use super::AnalyticsError;

/// TA-Lib's `TA_IS_ZERO_OR_NEG`: a variance under 1e-8 counts as zero.
pub(crate) const VARIANCE_FLOOR: f64 = 0.000_000_01;

/// Rejects a window of 0 or longer than the series.
pub(crate) fn check_window(field: &'static str, window: usize, len: usize) -> Result<(), AnalyticsError> {
    if window == 0 || window > len {
        return Err(AnalyticsError::BadWindow { field, window, len });
    }
    Ok(())
}

/// Rejects a column whose length is not the series length.
pub(crate) fn check_len(field: &'static str, got: usize, expected: usize) -> Result<(), AnalyticsError> {
    if got != expected {
        return Err(AnalyticsError::LengthMismatch { field, expected, got });
    }
    Ok(())
}

/// Rejects a column holding NaN or ±∞.
pub(crate) fn check_finite(field: &'static str, x: &[f64], path: Path) -> Result<(), AnalyticsError> {
    match first_non_finite(x, path) {
        Some(index) => Err(AnalyticsError::NotFinite { field, index }),
        None => Ok(()),
    }
}

/// Rejects a non-finite streaming input.
pub(crate) fn check_value(field: &'static str, v: f64, index: usize) -> Result<(), AnalyticsError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::NotFinite { field, index })
    }
}

/// Rejects a window of 0 for a streaming indicator (no series length to bound it).
pub(crate) fn check_period(field: &'static str, window: usize) -> Result<(), AnalyticsError> {
    if window == 0 {
        return Err(AnalyticsError::BadParam { field, reason: "must be at least 1" });
    }
    Ok(())
}

/// Fills the warm-up slots `..lookback` (clamped to the length) with NaN.
pub(crate) fn fill_warmup(out: &mut [f64], lookback: usize) {
    let end = lookback.min(out.len());
    out[..end].fill(f64::NAN);
}
