//! Moving average convergence/divergence (TA-Lib `MACD`): the fast EMA minus
//! the slow EMA, its signal EMA, and the histogram (line − signal).
//!
//! TA-Lib's seeding is kept exactly: the slow EMA is seeded with the SMA of
//! the first `slow` values, the fast EMA with the SMA of the `fast` values
//! ending at index `slow - 1` (not of the first `fast`), and the signal EMA
//! with the SMA of the first `signal` MACD values. All three outputs start at
//! `slow + signal - 2`, NaN before. A recurrence: one scalar code path.

use super::ema::{smoothing, talib_step, Ema};
use super::{check_finite, check_len, check_period, check_value, check_window, fill_warmup};
use crate::analytics::simd::Path;
use crate::analytics::AnalyticsError;

/// Index of the first MACD output (TA-Lib's lookback): `slow + signal - 2`.
pub fn macd_lookback(slow: usize, signal: usize) -> usize {
    slow.saturating_sub(1) + signal.saturating_sub(1)
}

fn check_periods(fast: usize, slow: usize, signal: usize) -> Result<(), AnalyticsError> {
    check_period("fast", fast)?;
    check_period("slow", slow)?;
    check_period("signal", signal)?;
    if fast >= slow {
        return Err(AnalyticsError::BadParam { field: "fast", reason: "must be shorter than slow" });
    }
    Ok(())
}

/// MACD line, signal and histogram of `x` into three slices of its length.
#[allow(clippy::too_many_arguments)]
pub fn macd(
    x: &[f64],
    fast: usize,
    slow: usize,
    signal: usize,
    line: &mut [f64],
    signal_out: &mut [f64],
    hist: &mut [f64],
    path: Path,
) -> Result<(), AnalyticsError> {
    check_periods(fast, slow, signal)?;
    check_len("line", line.len(), x.len())?;
    check_len("signal_out", signal_out.len(), x.len())?;
    check_len("hist", hist.len(), x.len())?;
    check_window("slow", slow, x.len())?;
    check_finite("x", x, path)?;
    let lookback = macd_lookback(slow, signal);
    for out in [&mut *line, &mut *signal_out, &mut *hist] {
        fill_warmup(out, lookback);
    }
    if x.len() <= lookback {
        return Ok(());
    }
    let (kf, ks, kg) = (smoothing(fast), smoothing(slow), smoothing(signal));
    let start = slow - 1;
    let mut fast_avg = 0.0;
    for &v in &x[slow - fast..slow] {
        fast_avg += v;
    }
    fast_avg /= fast as f64;
    let mut slow_avg = 0.0;
    for &v in &x[..slow] {
        slow_avg += v;
    }
    slow_avg /= slow as f64;
    let mut sig = 0.0;
    for i in start..x.len() {
        if i > start {
            fast_avg = talib_step(fast_avg, x[i], kf);
            slow_avg = talib_step(slow_avg, x[i], ks);
        }
        let m = fast_avg - slow_avg;
        if i < lookback {
            sig += m;
            continue;
        }
        if i == lookback {
            sig += m;
            sig /= signal as f64;
        } else {
            sig = talib_step(sig, m, kg);
        }
        line[i] = m;
        signal_out[i] = sig;
        hist[i] = m - sig;
    }
    Ok(())
}

/// One MACD output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MacdPoint {
    /// Fast EMA − slow EMA.
    pub line: f64,
    /// EMA of the line.
    pub signal: f64,
    /// Line − signal.
    pub hist: f64,
}

/// Streaming [`macd`].
#[derive(Clone, Debug)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
    fast_starts: usize,
    seen: usize,
}

impl Macd {
    /// A MACD with the given periods (`fast < slow`).
    pub fn new(fast: usize, slow: usize, signal: usize) -> Result<Self, AnalyticsError> {
        check_periods(fast, slow, signal)?;
        Ok(Macd {
            fast: Ema::talib_order(fast)?,
            slow: Ema::talib_order(slow)?,
            signal: Ema::talib_order(signal)?,
            fast_starts: slow - fast,
            seen: 0,
        })
    }

    /// Adds `x`; every field NaN for the first `slow + signal - 2` values.
    pub fn update(&mut self, x: f64) -> Result<MacdPoint, AnalyticsError> {
        check_value("x", x, self.seen)?;
        let i = self.seen;
        self.seen += 1;
        let s = self.slow.push(x);
        let f = if i >= self.fast_starts { self.fast.push(x) } else { f64::NAN };
        let nan = MacdPoint { line: f64::NAN, signal: f64::NAN, hist: f64::NAN };
        if s.is_nan() {
            return Ok(nan);
        }
        let line = f - s;
        let signal = self.signal.push(line);
        if signal.is_nan() {
            return Ok(nan);
        }
        Ok(MacdPoint { line, signal, hist: line - signal })
    }
}
